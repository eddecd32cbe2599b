"""Learning-rate schedules as pure functions of the optimiser step."""

from __future__ import annotations

import math

import torch


def warmup_cosine(step: int, total: int, warmup: int = 0, floor: float = 0.0) -> float:
    """Factor of the base learning rate at optimiser step ``step`` (0-based) of ``total``.

    Linear warm-up ``(step + 1) / warmup`` for the first ``warmup`` steps, then cosine decay
    from 1 to ``floor`` over the remaining steps (Loshchilov & Hutter, 2017, no restarts).
    """
    if step < warmup:
        return (step + 1) / warmup
    span = max(total - warmup, 1)
    progress = min((step - warmup) / span, 1.0)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_cosine_scheduler(
    optimizer: torch.optim.Optimizer, total: int, warmup: int = 0
) -> torch.optim.lr_scheduler.LambdaLR:
    """A scheduler stepping :func:`warmup_cosine` once per optimiser step."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: warmup_cosine(step, total, warmup))
