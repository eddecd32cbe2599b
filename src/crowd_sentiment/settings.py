"""Kedro project settings."""

import os

from kedro.config import OmegaConfigLoader

from crowd_sentiment.hooks import InterruptHook, SystemMetricsHook, TypedParamsLoggingHook

HOOKS = (TypedParamsLoggingHook(), SystemMetricsHook(), InterruptHook())

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {"mlflow": ["mlflow*", "mlflow*/**"]},
    # an environment such as conf/tiny overrides single nested keys, not whole sections
    "merge_strategy": {"parameters": "soft"},
    # ${env:NAME,default} in any configuration file (e.g. where the shared data lives)
    "custom_resolvers": {"env": lambda name, default=None: os.environ.get(name, default)},
}
