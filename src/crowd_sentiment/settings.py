"""Kedro project settings."""

import os

# Nothing leaves the machine: MLflow's usage telemetry is off for a plain `kedro run` too
# (MLflow checks this before every event, so setting it here is early enough).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

from kedro.config import OmegaConfigLoader  # noqa: E402

from crowd_sentiment.hooks import (  # noqa: E402
    InterruptHook,
    PreflightHook,
    RankZeroOutputsHook,
    RunHygieneHook,
    RunNameHook,
    RunTagsHook,
    SystemMetricsHook,
    TypedParamsLoggingHook,
)

HOOKS = (PreflightHook(), TypedParamsLoggingHook(), SystemMetricsHook(), InterruptHook(), RunHygieneHook(),
         RunTagsHook(), RunNameHook(), RankZeroOutputsHook())  # fmt: skip
# under torchrun only rank 0 records to MLflow (and writes outputs: RankZeroOutputsHook)
if int(os.environ.get("RANK", "0")) > 0:
    DISABLE_HOOKS_FOR_PLUGINS = ("kedro_mlflow",)

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
