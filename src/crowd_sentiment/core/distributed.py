"""``torch.distributed`` helpers: process group from ``torchrun``'s environment, rank-0 duties, sharded sampling.

One process per device, launched by ``torchrun`` (which sets ``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``); the model is wrapped in
``DistributedDataParallel``; only rank 0 writes checkpoints, outputs and MLflow records.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch.utils.data import Sampler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Process:
    """This process's place: ``rank`` of ``world`` processes, ``local_rank`` on its node."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1


def launched_by_torchrun() -> bool:
    """True when ``torchrun`` (or another launcher) set ``WORLD_SIZE`` > 1 for this process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def current() -> Process:
    """This process's rank and world: from the initialised process group, else a single process."""
    if dist.is_available() and dist.is_initialized():
        return Process(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))
    return Process()


def init_from_env(backend: str = "auto") -> Process:
    """Join the process group ``torchrun`` describes (idempotent); a single process when not launched so.

    ``backend``: ``auto`` = ``nccl`` with CUDA, else ``gloo``. Each process uses the GPU of its
    ``LOCAL_RANK``.
    """
    if not launched_by_torchrun():
        return current()
    if not dist.is_initialized():
        if backend == "auto":
            backend = "nccl" if torch.cuda.is_available() else "gloo"
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if backend == "nccl":
            torch.cuda.set_device(local_rank)
        dist.init_process_group(backend=backend)
        log.info("joined process group: rank %d of %d (%s)", dist.get_rank(), dist.get_world_size(), backend)
    return current()


def device_for(process: Process, device: torch.device) -> torch.device:
    """The CUDA device of this process's ``local_rank`` when ``device`` is CUDA; else ``device``."""
    if device.type == "cuda" and process.distributed:
        return torch.device("cuda", process.local_rank)
    return device


def all_reduce_sum(values: torch.Tensor) -> torch.Tensor:
    """Sum over processes (returns ``values`` unchanged in a single process)."""
    if current().distributed:
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def any_process(flag: bool, device: torch.device) -> bool:
    """True when ``flag`` is true in at least one process (all processes must call it)."""
    if not current().distributed:
        return flag
    return bool(all_reduce_sum(torch.tensor([float(flag)], device=device)).item() > 0)


def barrier() -> None:
    if current().distributed:
        dist.barrier()


class EpochSampler(Sampler[int]):
    """Indices of one epoch: a permutation seeded by ``(seed, epoch)``, this rank's share, from an offset.

    Rank ``r`` of ``world`` takes items ``r, r + world, …`` of the (padded or trimmed)
    permutation, so every rank gets the same number. ``set_epoch(e, skip)`` starts epoch
    ``e`` after the first ``skip`` of this rank's indices (an exact mid-epoch resume).
    """

    def __init__(self, size: int, *, seed: int, rank: int = 0, world: int = 1):
        self.size, self.seed, self.rank, self.world = size, seed, rank, world
        self.epoch, self.skip = 0, 0
        self.per_rank = -(-size // world)  # ceil: the last ranks repeat a few items

    def set_epoch(self, epoch: int, skip: int = 0) -> None:
        self.epoch, self.skip = epoch, skip

    def _order(self) -> list[int]:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        order = torch.randperm(self.size, generator=generator).tolist()
        padded = order + order[: self.per_rank * self.world - self.size]
        return padded[self.rank :: self.world]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order()[self.skip :])

    def __len__(self) -> int:
        return self.per_rank - self.skip
