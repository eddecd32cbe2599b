"""DDP on CPU (gloo, 2 processes) ends where one process ends; the epoch sampler shards exactly."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crowd_sentiment.core.distributed import EpochSampler

WORKER = Path(__file__).with_name("ddp_fit.py")


def test_epoch_sampler_shards_one_permutation_and_resumes_mid_epoch():
    whole = EpochSampler(10, seed=3)
    whole.set_epoch(2)
    order = list(whole)
    shards = [EpochSampler(10, seed=3, rank=r, world=2) for r in (0, 1)]
    for shard in shards:
        shard.set_epoch(2)
    assert sorted(list(shards[0]) + list(shards[1])) == sorted(order) == list(range(10))
    assert list(shards[0]) == order[0::2]
    shards[0].set_epoch(2, skip=3)
    assert list(shards[0]) == order[0::2][3:] and len(shards[0]) == 2
    whole.set_epoch(3)
    assert list(whole) != order  # a new permutation each epoch


def test_two_gloo_processes_match_one_process(tmp_path):
    spec = importlib.util.spec_from_file_location("ddp_fit", WORKER)
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    single = worker.run()
    out = tmp_path / "ddp.json"
    with socket.socket() as free:  # the rendezvous port
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    # the environment torchrun gives each process (launched directly: one interpreter start less)
    env = os.environ | {"OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).parents[2] / "src"),
                        "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}  # fmt: skip
    ranks = [
        subprocess.Popen([sys.executable, str(WORKER), str(out)], env=env | {"RANK": str(r), "LOCAL_RANK": str(r)},
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
        for r in (0, 1)
    ]
    for rank in ranks:
        _, stderr = rank.communicate(timeout=120)
        assert rank.returncode == 0, stderr[-2000:]
    ddp = json.loads(out.read_text())
    assert (single["world"], ddp["world"]) == (1, 2)
    for one, two in zip(single["history"], ddp["history"], strict=True):
        assert one == pytest.approx(two, rel=1e-5, abs=1e-6)
    for one, two in zip(single["weights"], ddp["weights"], strict=True):
        assert one == pytest.approx(two, rel=1e-5, abs=1e-6)
