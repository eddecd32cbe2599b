"""A tiny fit run by ``test_distributed.py``: in one process, or by ``torchrun`` in several (gloo, CPU).

Usage: ``torchrun --nproc_per_node=2 ddp_fit.py OUT.json``; rank 0 writes the final weights and history.
"""

import json
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core import distributed
from crowd_sentiment.core.distributed import EpochSampler
from crowd_sentiment.core.training import RuntimeSettings, TrainingSettings, fit

GLOBAL_BATCH = 16


def run() -> dict:
    process = distributed.init_from_env("gloo")
    generator = torch.Generator().manual_seed(0)
    features, labels = torch.randn(64, 6, generator=generator), torch.arange(64) % 3
    targets = nn.functional.one_hot(labels, 3).float() * 0.8 + 0.2 / 3
    data = TensorDataset(features + 2 * nn.functional.one_hot(labels, 6).float(), targets)
    sampler = EpochSampler(len(data), seed=1, rank=process.rank, world=process.world)
    train = DataLoader(data, batch_size=GLOBAL_BATCH // process.world, sampler=sampler)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 3))
    settings = TrainingSettings(head_solver="minibatch", epochs=3, optimizer="sgd", lr=0.1, warmup_epochs=0.5)
    result = fit(model, train, DataLoader(data, batch_size=64), settings, torch.device("cpu"),
                 runtime=RuntimeSettings())  # fmt: skip
    keep = ("train_loss", "val_loss", "val_accuracy")
    return {
        "world": process.world,
        "weights": [p.detach().flatten().tolist() for p in model.parameters()],
        "history": [{k: row[k] for k in keep} for row in result.history],
    }


if __name__ == "__main__":
    outcome = run()
    if distributed.current().is_main:
        with open(sys.argv[1], "w") as out:
            json.dump(outcome, out)
