"""Project hooks: typed parameters for MLflow, and interruption handling."""

from __future__ import annotations

import os
import signal
import time

import pytest

from crowd_sentiment.hooks import InterruptHook, RunInterrupted, TypedParamsLoggingHook
from crowd_sentiment.params import FilteringParams


def test_typed_parameters_reach_kedro_mlflow_as_dicts_and_the_node_keeps_its_model():
    params = FilteringParams()
    node_inputs = {"params:filtering": params, "tweets": [1]}
    seen_by_hooks = dict(node_inputs)  # Kedro passes hooks a copy
    TypedParamsLoggingHook().before_node_run(None, None, seen_by_hooks, False, "run")
    assert seen_by_hooks["params:filtering"]["min_confidence"]["negative"] == 0.7
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
