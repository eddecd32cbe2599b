"""Kedro project settings."""

import os

from crowd_sentiment.core.progress import progress_enabled
from crowd_sentiment.warning_filters import install_warning_filters

install_warning_filters()  # upstream warnings every run would print (sources named there)

# Nothing leaves the machine: MLflow's usage telemetry is off for a plain `kedro run` too
# (MLflow checks this before every event, so setting it here is early enough).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# MLflow's artifact bars follow the project's rule: on a terminal only, never in logs or CI
if not progress_enabled():
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

from kedro.config import OmegaConfigLoader  # noqa: E402

from crowd_sentiment.hooks import (  # noqa: E402
    InterruptHook,
    PreflightHook,
    ProjectContext,
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

# typed parameters that do not validate: one line, before the catalog, any node and any MLflow run
CONTEXT_CLASS = ProjectContext

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
