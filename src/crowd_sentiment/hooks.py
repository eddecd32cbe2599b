"""Project hooks."""

from __future__ import annotations

import signal
import threading

import mlflow
from kedro.framework.hooks import hook_impl
from pydantic import BaseModel


class TypedParamsLoggingHook:
    """Let kedro-mlflow log typed parameters as flattened, comparable MLflow params.

    Kedro hands nodes the typed models of :mod:`crowd_sentiment.params`; kedro-mlflow
    flattens parameters only when they are dicts (``distillation.training.lr``). Running
    first, this hook shows the later ``before_node_run`` hooks each model as its plain
    dict; the node itself still receives the typed model (Kedro gives hooks a copy).
    """

    @hook_impl(tryfirst=True)
    def before_node_run(self, node, catalog, inputs, is_async, run_id) -> None:
        for name, value in inputs.items():
            if name.startswith("params:") and isinstance(value, BaseModel):
                inputs[name] = value.model_dump(mode="json")


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
