"""Runs that end honestly: RUNNING runs of killed processes are closed, leftover temp files removed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

from crowd_sentiment.core.files import remove_temp_files
from crowd_sentiment.hooks import RunHygieneHook


class _Client:
    """The part of MlflowClient the hook uses, over in-memory runs (a real store takes seconds to create)."""

    def __init__(self, runs):
        self.runs = runs

    def search_experiments(self):
        return [SimpleNamespace(experiment_id="1")]

    def search_runs(self, experiment_ids, filter_string):
        assert filter_string == "attributes.status = 'RUNNING'"
        return [run for run in self.runs.values() if run.info.status == "RUNNING"]

    def set_terminated(self, run_id, status):
        self.runs[run_id].info.status = status


def _run(run_id, tags, age_s=0.0):
    info = SimpleNamespace(run_id=run_id, status="RUNNING", start_time=int((time.time() - age_s) * 1000))
    return SimpleNamespace(info=info, data=SimpleNamespace(tags=tags))


def test_runs_of_dead_processes_are_marked_killed_live_ones_kept():
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host, hook = socket.gethostname(), RunHygieneHook()
    tagged = {
        "dead": (host, dead.stdout.strip()),
        "alive": (host, str(os.getpid())),
        "other_host": ("elsewhere", dead.stdout.strip()),
    }
    runs = {name: _run(name, {hook.HOST_TAG: h, hook.PID_TAG: pid}) for name, (h, pid) in tagged.items()}
    runs["untagged_new"] = _run("untagged_new", {})
    runs["untagged_old"] = _run("untagged_old", {}, age_s=86_400)
    client = _Client(runs)
    assert sorted(hook.close_stale_runs(client)) == ["dead", "untagged_old"]
    assert {name: run.info.status for name, run in runs.items()} == {
        "dead": "KILLED", "alive": "RUNNING", "other_host": "RUNNING", "untagged_new": "RUNNING", "untagged_old": "KILLED",
    }  # fmt: skip
    assert hook.close_stale_runs(client) == []


def test_only_old_enough_temp_files_are_removed(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    old, fresh, kept = (
        tmp_path / "a" / "b" / ".x.jpg.1.tmp",
        tmp_path / "a" / ".y.pt.2.tmp",
        tmp_path / "a" / "z.jpg",
    )
    for path in (old, fresh, kept):
        path.write_bytes(b"1")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert remove_temp_files(tmp_path, older_than_s=60) == 1
    assert not old.exists() and fresh.exists() and kept.exists()
    assert remove_temp_files(tmp_path) == 1 and not fresh.exists()
