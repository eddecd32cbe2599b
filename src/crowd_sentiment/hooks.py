"""Project hooks."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path

import mlflow
from kedro.framework.hooks import hook_impl
from kedro.io import MemoryDataset
from mlflow.entities import RunStatus
from pydantic import BaseModel

from crowd_sentiment.core.checkpoints import TrainingInterrupted, stop_request
from crowd_sentiment.core.files import remove_temp_files
from crowd_sentiment.core.provenance import run_tags

_log = logging.getLogger(__name__)


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
    """SIGINT/SIGTERM during a run: training finishes its step and checkpoints; the MLflow run ends KILLED.

    While a training loop listens (``core.checkpoints.stop_request``), the first signal asks
    it to stop after the current optimiser step, write its checkpoint and raise
    ``TrainingInterrupted``; a second signal, or one outside training, raises
    :class:`RunInterrupted` at once. ``KeyboardInterrupt`` would bypass Kedro's
    ``on_pipeline_error`` hooks (MLflow's exit handler would then close the run FINISHED);
    as an ordinary error it reaches them: kedro-mlflow closes the run FAILED, and this hook,
    running last, marks it KILLED. Outputs already saved stay whole (atomic writes).
    """

    def __init__(self) -> None:
        self._previous: dict[int, object] = {}
        self._run_id: str | None = None

    @staticmethod
    def _interrupt(signum: int, frame) -> None:
        name = signal.Signals(signum).name
        if stop_request.listening and not stop_request.is_set():
            stop_request.request(name)
            logging.getLogger(__name__).warning("%s: finishing the current step, then checkpointing", name)
            return
        raise RunInterrupted(f"run interrupted by {name}")

    @hook_impl(trylast=True)  # after kedro-mlflow has started the run
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        active = mlflow.active_run()
        self._run_id = active.info.run_id if active else None
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

    @hook_impl(trylast=True)  # after kedro-mlflow has closed the run FAILED
    def on_pipeline_error(self, error, run_params, pipeline, catalog) -> None:
        self._restore()
        if isinstance(error, RunInterrupted | TrainingInterrupted) and self._run_id is not None:
            while mlflow.active_run():
                mlflow.end_run(RunStatus.to_string(RunStatus.KILLED))
            mlflow.MlflowClient().set_terminated(self._run_id, RunStatus.to_string(RunStatus.KILLED))


class RunTagsHook:
    """Tag each MLflow run with the git commit, a hash of the parameters, and the device name and count."""

    @hook_impl(trylast=True)  # after kedro-mlflow has started the run
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        if mlflow.active_run() is None:
            return
        parameters = catalog.load("parameters") if "parameters" in catalog else {}
        mlflow.set_tags(run_tags(parameters, Path.cwd()))


class RankZeroOutputsHook:
    """Under ``torchrun``, processes other than rank 0 keep their outputs in memory: only rank 0 writes.

    (``settings.py`` leaves kedro-mlflow out of those processes, so only rank 0 records to MLflow.)
    """

    @hook_impl
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        if int(os.environ.get("RANK", "0")) > 0:
            for name in pipeline.all_outputs():
                catalog[name] = MemoryDataset()


class RunHygieneHook:
    """Close MLflow runs left RUNNING by a killed process, and remove temp files it left behind.

    Each tracked run is tagged with the host and process id that run it. At the next
    start (after kedro-mlflow has set the tracking URI), a RUNNING run whose process is
    gone (same host, no such pid), or an untagged one older than ``untagged_after_s``, is
    marked KILLED. Temp files of atomic writes (``.<name>.*.tmp``) older than
    ``temp_after_s`` under the data folder are deleted (younger ones may belong to a run
    in progress; the image store removes its own at every save).
    """

    HOST_TAG, PID_TAG = "crowd_sentiment.host", "crowd_sentiment.pid"

    def __init__(self, untagged_after_s: float = 12 * 3600, temp_after_s: float = 60):
        self.untagged_after_s = untagged_after_s
        self.temp_after_s = temp_after_s

    @hook_impl(trylast=True)
    def after_context_created(self, context) -> None:
        try:
            data_dir = context.config_loader["globals"].get("data_dir")
        except Exception:  # no globals file: nothing to clean
            data_dir = None
        if data_dir:
            removed = remove_temp_files(Path(context.project_path) / data_dir, older_than_s=self.temp_after_s)
            if removed:
                _log.info("removed %d temp files left under %s by an interrupted run", removed, data_dir)
        self.close_stale_runs(mlflow.tracking.MlflowClient())

    def close_stale_runs(self, client) -> list[str]:
        """Mark every stale run KILLED; returns their ids."""
        stale = self.stale_runs(client)
        for run_id in stale:
            client.set_terminated(run_id, status="KILLED")
            _log.warning("MLflow run %s was left RUNNING by a process that is gone: marked KILLED", run_id)
        return stale

    def stale_runs(self, client) -> list[str]:
        """Ids of RUNNING runs whose process is gone (module docstring: how that is decided)."""
        stale = []
        experiments = [e.experiment_id for e in client.search_experiments()]
        if not experiments:
            return stale
        for run in client.search_runs(experiments, filter_string="attributes.status = 'RUNNING'"):
            host, pid = run.data.tags.get(self.HOST_TAG), run.data.tags.get(self.PID_TAG)
            if host is None or not (pid or "").isdigit():
                if time.time() - run.info.start_time / 1000 > self.untagged_after_s:
                    stale.append(run.info.run_id)
            elif host == socket.gethostname() and not _process_alive(int(pid)):
                stale.append(run.info.run_id)
        return stale

    @hook_impl(trylast=True)
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        if mlflow.active_run() is not None:
            mlflow.set_tags({self.HOST_TAG: socket.gethostname(), self.PID_TAG: str(os.getpid())})


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
