"""Project hooks."""

from __future__ import annotations

import signal
import threading

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


class RunInterrupted(Exception):
    """SIGINT (Ctrl-C) or SIGTERM arrived while a pipeline was running."""


class InterruptHook:
    """Turn SIGINT/SIGTERM during a run into an ordinary error.

    ``KeyboardInterrupt`` bypasses Kedro's ``on_pipeline_error`` hooks, and MLflow's exit
    handler would then close the run as FINISHED. Raised as :class:`RunInterrupted`, the
    interruption reaches kedro-mlflow, which closes the run as FAILED. Outputs already
    saved stay as they are: files that must not be torn are written atomically.
    """

    def __init__(self) -> None:
        self._previous: dict[int, object] = {}

    @staticmethod
    def _interrupt(signum: int, frame) -> None:
        raise RunInterrupted(f"run interrupted by {signal.Signals(signum).name}")

    @hook_impl
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = {
                sig: signal.signal(sig, self._interrupt) for sig in (signal.SIGINT, signal.SIGTERM)
            }

    def _restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    @hook_impl
    def after_pipeline_run(self, run_params, run_result, pipeline, catalog) -> None:
        self._restore()

    @hook_impl
    def on_pipeline_error(self, error, run_params, pipeline, catalog) -> None:
        self._restore()
