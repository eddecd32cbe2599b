"""Project hooks."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import threading
import time
from pathlib import Path

import click
import mlflow
from kedro.framework.context import KedroContext
from kedro.framework.hooks import hook_impl
from kedro.io import MemoryDataset
from kedro.validation.exceptions import ParameterValidationError
from kedro_mlflow.framework.hooks.utils import _flatten_dict
from mlflow.entities import RunStatus
from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH
from pydantic import BaseModel, ValidationError

from crowd_sentiment.core.checkpoints import TrainingInterrupted, stop_request
from crowd_sentiment.core.files import remove_temp_files
from crowd_sentiment.core.prediction import check_predict
from crowd_sentiment.core.preflight import (
    SettingsError,
    check_benchmark_roots,
    check_hf_teacher,
    check_student,
)
from crowd_sentiment.core.provenance import head_label, manifest_params, run_name, run_tags, threshold_label
from crowd_sentiment.core.selection import CONFIDENCE_PRESETS, provenance
from crowd_sentiment.params import PARAMETER_MODELS

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
    """Record CPU, memory (and GPU, where available) usage in every MLflow run, by one monitor.

    Switched on before kedro-mlflow starts the run, which is when MLflow reads the switch,
    and off once it has: kedro-mlflow re-enters the run before every node, and each re-entry
    would start one more monitor (and print "Started monitoring system metrics" again).
    """

    @hook_impl
    def after_context_created(self, context) -> None:
        mlflow.enable_system_metrics_logging()

    @hook_impl(trylast=True)  # after kedro-mlflow has started the run (and its monitor)
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        mlflow.disable_system_metrics_logging()

    @hook_impl
    def after_pipeline_run(self, run_params, run_result, pipeline, catalog) -> None:
        mlflow.enable_system_metrics_logging()  # for the next run of this session

    @hook_impl
    def on_pipeline_error(self, error, run_params, pipeline, catalog) -> None:
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
            _log.warning("%s: finishing the current step, then checkpointing", name)
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
        parameters = {k: v for k, v in parameters.items() if k != DESCRIPTION}  # a note, not a setting
        mlflow.set_tags(run_tags(parameters, Path.cwd()))


DESCRIPTION = "run_description"  # --params run_description="..." : the MLflow run's description


def _typed(parameters: dict, key: str) -> dict | None:
    """``parameters[key]`` validated by its model of :mod:`crowd_sentiment.params` (defaults filled), or None."""
    try:
        return PARAMETER_MODELS[key].model_validate(parameters[key]).model_dump(mode="json")
    except Exception:  # absent or invalid: Kedro's own validation reports it
        return None


def _pipeline_name(run_params: dict) -> str:
    names = run_params.get("pipeline_names") or run_params.get("pipeline_name") or "__default__"
    return names if isinstance(names, str) else "+".join(names)


def _exists(catalog, name: str) -> bool:
    return name in catalog and catalog.exists(name)


def _teacher_label(labeling: dict) -> str:
    return labeling["teacher"] if labeling["teacher"] != "hf" else f"hf {Path(labeling['hf']['model']).name}"


RECORDED_SETTINGS = ("ingestion", "teacher_labeling", "filtering")  # what a manifest records of its making


def recorded_params(recorded: dict) -> dict[str, object]:
    """A manifest's recorded settings (``core.selection.provenance``) under the names a full run logs them.

    ``ingestion.*``, ``teacher_labeling.*``, ``filtering.*`` flattened as kedro-mlflow flattens
    run parameters, and the teacher's identity as ``teacher.*`` (as ``teacher_identity`` logs it).
    """
    params = _flatten_dict({k: recorded[k] for k in RECORDED_SETTINGS if k in recorded}, recursive=True, sep=".")
    return params | {f"teacher.{k}": str(v) for k, v in recorded.get("teacher", {}).items()}


def log_recorded_settings(recorded: dict) -> None:
    """Log :func:`recorded_params` in the active run; values longer than MLflow allows become tags."""
    params = recorded_params(recorded)
    if not params:
        _log.warning("distillation_manifest records no settings (written before they were recorded): rerun filtering")
    long = {k: str(v) for k, v in params.items() if len(str(v)) > MAX_PARAM_VAL_LENGTH}
    mlflow.log_params({k: v for k, v in params.items() if k not in long})
    mlflow.set_tags(long)


class RunNameHook:
    """Name each MLflow run after what varies; description, Kedro environment and the manifest it trained on.

    Name: ``<pipeline> · <student arch> · <head> · teacher <name> · thresholds <preset> · env <env>``
    (parts the pipeline does not use are left out) then `` · <run_description>`` when given; the
    description is also the run's MLflow description (tag ``mlflow.note.content``). A run that
    reads ``distillation_manifest`` without producing it logs the settings the manifest recorded
    (:func:`recorded_params`: ``ingestion.*``, ``teacher_labeling.*``, ``filtering.*``, ``teacher.*``)
    and its funnel as ``manifest.*`` params, and takes its teacher and thresholds from there.
    """

    @hook_impl(trylast=True)  # after kedro-mlflow has started the run
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        if mlflow.active_run() is None:
            return
        parameters = catalog.load("parameters") if "parameters" in catalog else {}
        inputs, env = pipeline.inputs(), run_params.get("env") or "local"
        student = head = teacher = thresholds = None
        if "params:distillation" in inputs and (distillation := _typed(parameters, "distillation")):
            student = distillation["student"]["arch"]
            head = head_label(distillation["training"], distillation["student"]["train_backbone"])
        if "params:teacher_labeling" in inputs and (labeling := _typed(parameters, "teacher_labeling")):
            teacher = _teacher_label(labeling)
        if "params:filtering" in inputs and (filtering := _typed(parameters, "filtering")):
            thresholds = threshold_label(filtering["min_confidence"], CONFIDENCE_PRESETS)
        elif "distillation_manifest" in inputs and _exists(catalog, "distillation_manifest"):
            recorded = provenance(catalog.load("distillation_manifest"))
            log_recorded_settings(recorded)
            funnel = recorded.get("funnel")
            if funnel is None and _exists(catalog, "filtering_funnel"):
                funnel = catalog.load("filtering_funnel")  # a manifest written before it recorded its settings
            if funnel is not None:
                mlflow.log_params(manifest_params(funnel))
                thresholds = threshold_label(funnel["thresholds"], CONFIDENCE_PRESETS) + " (manifest)"
            if teacher is None and "teacher_labeling" in recorded:
                teacher = _teacher_label(recorded["teacher_labeling"])
        description = str(parameters.get(DESCRIPTION) or "").strip() or None
        parts = [student, head, teacher and f"teacher {teacher}", thresholds and f"thresholds {thresholds}"]
        tags = {
            "mlflow.runName": run_name(_pipeline_name(run_params), env, parts, description),
            "kedro.env": env,
        }
        mlflow.set_tags(tags | ({"mlflow.note.content": description} if description else {}))


class PreflightHook:
    """Before any node runs and before kedro-mlflow opens a run: check the settings the pipeline uses.

    Student arch and weights, benchmark roots, a local transformers teacher folder
    (:mod:`crowd_sentiment.core.preflight`); a failure is one line (:class:`SettingsError`).
    """

    @hook_impl(tryfirst=True)
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        try:
            self.check(run_params, pipeline, catalog)
        except SettingsError as error:  # click prints "Error: <message>", exit status 1, no traceback
            raise click.ClickException(str(error)) from None

    @staticmethod
    def check(run_params, pipeline, catalog) -> None:
        """Raise :class:`SettingsError` for the first setting of ``pipeline`` that cannot work."""
        parameters = catalog.load("parameters") if "parameters" in catalog else {}
        inputs, root = pipeline.inputs(), Path(run_params.get("project_path") or Path.cwd())
        if "params:distillation" in inputs and (distillation := _typed(parameters, "distillation")):
            student = distillation["student"]
            check_student(student["arch"], student["weights"], root, levels=student["levels"])
        if "params:benchmarking" in inputs and (benchmarking := _typed(parameters, "benchmarking")):
            check_benchmark_roots(benchmarking["benchmarks"], root)
        if "params:predict" in inputs and (predict := _typed(parameters, "predict")):
            check_predict(predict["images"], predict["student"], root)
        if "params:teacher_labeling" in inputs and (labeling := _typed(parameters, "teacher_labeling")):
            if labeling["teacher"] == "hf":
                check_hf_teacher(labeling["hf"]["model"], root)
            if labeling["multilingual"]:
                check_hf_teacher(
                    labeling["multilingual"]["model"], root, "teacher_labeling.multilingual.model"
                )


class ProjectContext(KedroContext):
    """Kedro's context, except that typed parameters that do not validate stop the run with one line.

    Kedro validates them (against the nodes' models in :mod:`crowd_sentiment.params`) when
    it builds the catalog: before any hook opens an MLflow run and before any node runs.
    """

    @property
    def params(self) -> dict:
        try:
            return super().params
        except ParameterValidationError as error:  # click prints "Error: <line>", exit status 1
            line = invalid_parameters(self.config_loader["parameters"], str(error))
            raise click.ClickException(line) from None


def invalid_parameters(parameters: dict, kedro_message: str) -> str:
    """One line naming each bad value (``distillation.training.lr='abc': <why>``) and where to fix it.

    ``kedro_message``: Kedro's ``ParameterValidationError`` text; it names the sections that
    failed, and is the line's content when no model of :mod:`crowd_sentiment.params` explains it.
    """
    named = dict.fromkeys(re.findall(r"Parameter '([^']+)'", kedro_message))
    keys = [key for key in named if key in parameters and key in PARAMETER_MODELS]
    problems = []
    for key in keys:
        try:
            PARAMETER_MODELS[key].model_validate(parameters[key])
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in (key, *item["loc"]))
                value = "" if item["type"] == "missing" else f"={item['input']!r}"[:80]
                problems.append(f"{where}{value}: {item['msg']}")
    if not problems:
        problems = [" ".join(line.strip() for line in kedro_message.splitlines() if line.strip())]
    files = ", ".join(f"parameters_{key}.yml" for key in keys) or "parameters*.yml"
    return "; ".join(problems) + f" (fix it in conf/<env>/{files} or in --params)"


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
    ``temp_after_s`` under this environment's layer folders (``<data_dir>/0?_*``) are deleted
    (younger ones may belong to a run in progress; the image store removes its own at every save).
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
            # this environment's layer folders only: ``data/`` also holds other environments' data
            layers = (Path(context.project_path) / data_dir).glob("0[0-9]_*")
            removed = sum(remove_temp_files(layer, older_than_s=self.temp_after_s) for layer in layers)
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
        """Ids of RUNNING runs whose process is gone (the class docstring says how that is decided)."""
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
