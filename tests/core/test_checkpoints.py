"""Exact resume: interrupted after a few steps and resumed, a fit ends with the weights of an uninterrupted one."""

import random

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.checkpoints import (
    CheckpointStore,
    TrainingInterrupted,
    rng_state,
    set_rng_state,
    stop_request,
)
from crowd_sentiment.core.distributed import EpochSampler
from crowd_sentiment.core.schedules import warmup_cosine
from crowd_sentiment.core.training import RuntimeSettings, TrainingSettings, fit

CPU = torch.device("cpu")
SETTINGS = TrainingSettings(head_solver="minibatch", epochs=3, optimizer="radam", lr=0.05, warmup_epochs=0.5,
                            accumulation_steps=2, patience=0)  # fmt: skip


class _StopAfter(TensorDataset):
    """Requests a stop (as SIGTERM would) when item ``at`` of the run is read."""

    def __init__(self, *tensors, at: int):
        super().__init__(*tensors)
        self.reads, self.at = 0, at

    def __getitem__(self, index):
        self.reads += 1
        if self.reads == self.at:
            stop_request.request("SIGTERM")
        return super().__getitem__(index)


def _run(store, *, stop_at=0, resume=False, init_seed=0):
    generator = torch.Generator().manual_seed(0)
    features, labels = torch.randn(40, 6, generator=generator), torch.arange(40) % 3
    targets = nn.functional.one_hot(labels, 3).float() * 0.7 + 0.1
    data = _StopAfter(features, targets, at=stop_at)
    train = DataLoader(data, batch_size=4, sampler=EpochSampler(40, seed=5))
    torch.manual_seed(init_seed)
    model = nn.Sequential(nn.Linear(6, 16), nn.GELU(), nn.Dropout(0.3), nn.Linear(16, 3))  # dropout: RNG matters
    runtime = RuntimeSettings(checkpoint_every=3, resume=resume)
    result = fit(model, train, DataLoader(TensorDataset(features, targets), batch_size=40), SETTINGS, CPU,
                 runtime=runtime, checkpoints=store)  # fmt: skip
    return model, result


def _learnt(history):
    return [{k: v for k, v in row.items() if k != "images_per_second"} for row in history]


def test_interrupted_then_resumed_ends_with_the_uninterrupted_weights(tmp_path):
    whole_model, whole = _run(CheckpointStore(tmp_path / "whole"))
    store = CheckpointStore(tmp_path / "cut")
    with pytest.raises(TrainingInterrupted, match="SIGTERM after step 8 .*runtime.resume true"):
        _run(store, stop_at=63)  # epoch 2, mid-epoch (10 micro-batches = 5 steps per epoch)
    saved = store.read()
    assert (saved["epoch"], saved["step"], saved["batches_done"]) == (2, 8, 6)
    resumed_model, resumed = _run(store, resume=True, init_seed=123)  # another initialisation: the checkpoint wins
    for a, b in zip(whole_model.state_dict().values(), resumed_model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert _learnt(resumed.history) == _learnt(whole.history)
    assert resumed.best_epoch == whole.best_epoch
    assert store.read()["finished"] and not stop_request.is_set()


def test_rng_state_round_trips_through_a_safe_load(tmp_path):
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    store = CheckpointStore(tmp_path)
    store.write({"rng": rng_state()})
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    set_rng_state(store.read()["rng"])  # weights_only=True load
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


def test_warmup_then_cosine():
    assert [warmup_cosine(s, 10, warmup=2) for s in (0, 1, 2)] == [0.5, 1.0, 1.0]
    assert warmup_cosine(6, 10, warmup=2) == pytest.approx(0.5)
    assert warmup_cosine(10, 10, warmup=2) == pytest.approx(0.0, abs=1e-12)
