"""Project hooks."""

from __future__ import annotations

import mlflow
from kedro.framework.hooks import hook_impl
from pydantic import ValidationError

from crowd_sentiment.params import PARAMETER_MODELS


class ParameterValidationHook:
    """Validate every pipeline's parameters against its typed model before anything runs.

    Nodes take the raw dicts (so kedro-mlflow logs them as flattened, comparable
    parameters) and parse them with :func:`crowd_sentiment.params.parse`; this hook makes
    a bad value fail at start-up, naming the key, instead of in the middle of a run.
    """

    @hook_impl
    def after_context_created(self, context) -> None:
        params = context.params
        problems = []
        for key, model in PARAMETER_MODELS.items():
            if key not in params:
                continue
            try:
                model.model_validate(params[key])
            except ValidationError as err:
                problems.append(f"parameters '{key}':\n{err}")
        if problems:
            raise ValueError("invalid parameters (conf/<env>/parameters_*.yml):\n" + "\n".join(problems))


class SystemMetricsHook:
    """Record CPU, memory (and GPU, where available) usage in every MLflow run.

    Runs before kedro-mlflow starts the run, which is when MLflow reads this switch.
    """

    @hook_impl
    def after_context_created(self, context) -> None:
        mlflow.enable_system_metrics_logging()
