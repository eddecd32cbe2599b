"""Project hooks: typed parameters for MLflow, and interruption handling."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import mlflow
import pytest

from crowd_sentiment.core.checkpoints import TrainingInterrupted, stop_request
from crowd_sentiment.core.provenance import run_tags
from crowd_sentiment.hooks import InterruptHook, RunInterrupted, TypedParamsLoggingHook
from crowd_sentiment.params import FilteringParams


def test_typed_parameters_reach_kedro_mlflow_as_dicts_and_the_node_keeps_its_model():
    params = FilteringParams()
    node_inputs = {"params:filtering": params, "tweets": [1]}
    seen_by_hooks = dict(node_inputs)  # Kedro passes hooks a copy
    TypedParamsLoggingHook().before_node_run(None, None, seen_by_hooks, False, "run")
    assert seen_by_hooks["params:filtering"]["embedding"]["min_cosine"] == 0.9
    assert seen_by_hooks["params:filtering"]["min_confidence"] == "paper"
    assert seen_by_hooks["tweets"] == [1] and node_inputs["params:filtering"] is params


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_run_becomes_an_error_and_handlers_are_restored(signum):
    before = signal.getsignal(signum)
    hook = InterruptHook()
    hook.before_pipeline_run(run_params={}, pipeline=None, catalog=None)
    with pytest.raises(RunInterrupted, match=signal.Signals(signum).name):
        os.kill(os.getpid(), signum)
        time.sleep(2)  # interrupted by the handler
    hook.on_pipeline_error(error=None, run_params={}, pipeline=None, catalog=None)
    assert signal.getsignal(signum) is before


def test_a_signal_during_training_waits_for_the_step_and_a_second_one_does_not():
    hook = InterruptHook()
    hook.before_pipeline_run(run_params={}, pipeline=None, catalog=None)
    try:
        with stop_request:  # a training loop is listening
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)
            assert stop_request.is_set() and stop_request.reason == "SIGTERM"
            with pytest.raises(RunInterrupted, match="SIGINT"):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(2)
    finally:
        stop_request.clear()
        hook.on_pipeline_error(error=None, run_params={}, pipeline=None, catalog=None)


def test_an_interrupted_run_is_marked_killed(monkeypatch):
    ended = []

    class Client:
        def set_terminated(self, run_id, status):
            ended.append((run_id, status))

    monkeypatch.setattr(mlflow, "MlflowClient", Client)
    hook = InterruptHook()
    hook._run_id = "run-1"  # what before_pipeline_run found active
    hook.on_pipeline_error(error=TrainingInterrupted("stopped"), run_params={}, pipeline=None, catalog=None)
    hook.on_pipeline_error(error=ValueError("a bug"), run_params={}, pipeline=None, catalog=None)  # stays FAILED
    assert ended == [("run-1", "KILLED")]


def test_run_tags_name_commit_parameters_and_device(tmp_path):
    tags = run_tags({"distillation": {"seed": 42}}, Path(__file__).parent)
    assert tags["params.hash"] == run_tags({"distillation": {"seed": 42}}, tmp_path)["params.hash"]
    assert tags["params.hash"] != run_tags({"distillation": {"seed": 1}}, tmp_path)["params.hash"]
    assert len(tags["git.commit"].split("+")[0]) == 40 and run_tags({}, tmp_path)["git.commit"] == "unknown"
    assert tags["device.name"] and int(tags["device.count"]) >= 1
