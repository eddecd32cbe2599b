"""Project hooks: parameter validation and interruption handling."""

from __future__ import annotations

import os
import signal
import time
from types import SimpleNamespace

import pytest

from crowd_sentiment.hooks import InterruptHook, ParameterValidationHook, RunInterrupted


def test_bad_parameters_fail_before_the_run_naming_the_key():
    context = SimpleNamespace(params={"filtering": {"min_confidence": {"negative": 0.7}, "max_hamming": 4}})
    with pytest.raises(ValueError, match="parameters 'filtering'") as error:
        ParameterValidationHook().after_context_created(context)
    assert "neutral" in str(error.value)
    context = SimpleNamespace(params={"distillation": {"training": {"lr": 1e-3, "epochz": 3}}})
    with pytest.raises(ValueError, match="epochz"):
        ParameterValidationHook().after_context_created(context)


def test_valid_parameters_pass():
    ParameterValidationHook().after_context_created(SimpleNamespace(params={"filtering": {}, "other": 1}))


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
