"""Kedro project settings."""

from kedro.config import OmegaConfigLoader

from crowd_sentiment.hooks import InterruptHook, ParameterValidationHook, SystemMetricsHook

HOOKS = (ParameterValidationHook(), SystemMetricsHook(), InterruptHook())

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {"mlflow": ["mlflow*", "mlflow*/**"]},
    # an environment such as conf/tiny overrides single nested keys, not whole sections
    "merge_strategy": {"parameters": "soft"},
}
