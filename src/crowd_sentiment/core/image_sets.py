"""Sets of images (content ids, files, targets) and the torch dataset that reads them."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image
from torch import Tensor
from torch.utils.data import Dataset


@dataclass(frozen=True)
class ImageSet:
    """``N`` images: content ids, file paths and targets ``(N, K)`` float32 (``K = 0`` when none)."""

    ids: tuple[str, ...]
    paths: tuple[Path, ...]
    targets: np.ndarray

    def __post_init__(self) -> None:
        if not len(self.ids) == len(self.paths) == len(self.targets):
            raise ValueError(
                f"an image set needs one id, path and target row per image; got {len(self.ids)} ids, "
                f"{len(self.paths)} paths and {len(self.targets)} target rows"
            )

    @classmethod
    def of(
        cls, ids: Sequence[str], paths: Sequence[str | Path], targets: np.ndarray | None = None
    ) -> ImageSet:
        """An image set from sequences; ``targets`` ``(N, K)``, or none."""
        array = np.zeros((len(ids), 0), np.float32) if targets is None else np.asarray(targets, np.float32)
        return cls(tuple(str(i) for i in ids), tuple(Path(p) for p in paths), array)

    @classmethod
    def from_frame(
        cls, frame: pd.DataFrame, *, root: str | Path | None = None, targets: Sequence[str] = ()
    ) -> ImageSet:
        """Rows with ``image_id`` and ``path`` (relative to ``root`` when given) and optional target columns."""
        paths = [Path(root) / p if root is not None else p for p in frame["path"]]
        values = frame[list(targets)].to_numpy("float32") if targets else None
        return cls.of(frame["image_id"].tolist(), paths, values)

    def __len__(self) -> int:
        return len(self.ids)


class ImageFiles(Dataset):
    """Item ``i`` of an :class:`ImageSet`: ``(transform(picture), target (K,))``.

    With ``seed`` set, item ``i`` of epoch ``e`` is transformed under its own torch RNG
    seeded from ``(seed, e, i)``: random augmentation then depends on neither the worker,
    the rank nor where a resumed run restarted (:meth:`set_epoch` picks ``e``).
    """

    def __init__(self, images: ImageSet, transform: Callable[[Image.Image], Tensor], *, seed: int | None = None):
        self.images = images
        self.transform = transform
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        with Image.open(self.images.paths[index]) as image:
            rgb = image.convert("RGB")
            if self.seed is None:
                tensor = self.transform(rgb)
            else:
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed((self.seed * 1_000_003 + self.epoch) * 10_000_019 + index)
                    tensor = self.transform(rgb)
        return tensor, torch.tensor(self.images.targets[index])


def background(batches: Iterable, depth: int = 2) -> Iterator:
    """Iterate ``batches`` in a background thread, ``depth`` items ahead (decoding overlaps compute).

    PIL releases the GIL while it decodes and resizes, so one thread keeps a CPU model fed.
    An exception in the thread is raised in the caller.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    done = object()

    def produce() -> None:
        try:
            for item in batches:
                items.put(item)
        except BaseException as error:  # re-raised in the consumer
            items.put(error)
        items.put(done)

    threading.Thread(target=produce, daemon=True, name="batch-prefetch").start()
    while (item := items.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
