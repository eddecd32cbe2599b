"""Quiet runs: progress bars only on a terminal, one system-metrics monitor per run, bad typed
parameters stopped with one line before any MLflow run, telemetry that never edits the project."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow.environment_variables import MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING

from crowd_sentiment.core import progress
from crowd_sentiment.core.progress import progress_bar, progress_enabled
from crowd_sentiment.hooks import SystemMetricsHook, invalid_parameters

ROOT = Path(__file__).resolve().parents[1]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _terminal(monkeypatch) -> _Terminal:
    """stderr a terminal, no CI (set in the test itself: pytest's capture resets stderr between phases)."""
    stream = _Terminal()
    monkeypatch.setattr(progress.sys, "stderr", stream)
    for name in ("CI", "RANK"):
        monkeypatch.delenv(name, raising=False)
    return stream


def test_a_terminal_gets_a_bar_with_rate_and_eta(monkeypatch):
    terminal = _terminal(monkeypatch)
    assert progress_enabled()
    assert list(progress_bar(range(3), desc="features", unit="img")) == [0, 1, 2]
    assert "features" in terminal.getvalue() and "img/s" in terminal.getvalue() and "<" in terminal.getvalue()


@pytest.mark.parametrize("env", [{"CI": "true"}, {"CI": "1"}, {"RANK": "1"}])
def test_ci_and_other_ranks_get_no_bar_even_on_a_terminal(monkeypatch, env):
    terminal = _terminal(monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert not progress_enabled()
    with progress_bar(total=3, desc="training") as bar:
        bar.update(3)
    assert terminal.getvalue() == ""


def test_a_log_file_or_pipe_gets_no_bar(monkeypatch):
    monkeypatch.setattr(progress.sys, "stderr", io.StringIO())
    monkeypatch.delenv("CI", raising=False)
    assert not progress_enabled()
    assert list(progress_bar(["a", "b"], desc="ingestion: dumps")) == ["a", "b"]


def test_system_metrics_are_switched_off_once_the_run_and_its_monitor_started(monkeypatch):
    monkeypatch.setenv(MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING.name, "false")  # restored afterwards
    hook = SystemMetricsHook()
    hook.after_context_created(context=None)
    assert MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING.get()  # kedro-mlflow's start_run starts the monitor
    hook.before_pipeline_run(run_params={}, pipeline=None, catalog=None)
    assert not MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING.get()  # its per-node re-entries start none
    hook.after_pipeline_run(run_params={}, run_result={}, pipeline=None, catalog=None)
    assert MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING.get()


def test_bad_typed_values_are_named_on_one_line_with_the_fix():
    parameters = {"distillation": {"training": {"lr": "abc", "epochs": 0}}, "filtering": {"seed": "x"}}
    line = invalid_parameters(parameters, "Parameter validation failed:\n- Parameter 'distillation': ...")
    assert "\n" not in line
    assert line.startswith("distillation.training.lr='abc': Input should be a valid number")
    assert "distillation.training.epochs=0: Input should be greater than or equal to 1" in line
    assert "filtering" not in line.split("(fix")[0]  # only the sections Kedro named
    assert line.endswith("(fix it in conf/<env>/parameters_distillation.yml or in --params)")
    assert invalid_parameters({}, "Parameter 'x': broken\n  detail") == (
        "Parameter 'x': broken detail (fix it in conf/<env>/parameters*.yml or in --params)"
    )


def test_a_bad_typed_value_stops_kedro_run_with_one_line_before_any_mlflow_run(tmp_path):
    """The command line as a user types it, telemetry not disabled by the environment (only ``.telemetry``)."""
    for env in ("base", "tiny"):
        shutil.copytree(ROOT / "conf" / env, tmp_path / "conf" / env)
    (tmp_path / "conf" / "local").mkdir()
    for name in ("conf/logging.yml", "pyproject.toml", ".telemetry"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "src").mkdir()
    pyproject = (tmp_path / "pyproject.toml").read_bytes()
    env = {k: v for k, v in os.environ.items() if k not in ("KEDRO_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
    env["PYTHONPATH"] = str(ROOT / "src")
    command = [sys.executable, "-m", "kedro", "run", "--env", "tiny", "--pipelines", "distillation",
               "--params", "distillation.training.lr=abc"]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    assert "Traceback" not in output and "Warning" not in output, output[-3000:]
    errors = [line for line in output.splitlines() if "error" in line.lower()]
    assert errors == [
        "Error: distillation.training.lr='abc': Input should be a valid number, unable to parse string as a "
        "number (fix it in conf/<env>/parameters_distillation.yml or in --params)"
    ], output[-3000:]
    store = tmp_path / "mlflow.db"
    if store.exists():
        with sqlite3.connect(store) as db:
            assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
    assert not (tmp_path / "mlruns").exists()
    assert (tmp_path / "pyproject.toml").read_bytes() == pyproject  # no telemetry project_id written
