"""Torch state files: a dict of tensors saved atomically and loaded with ``weights_only=True``; the checkpoint folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from kedro.io import AbstractDataset

from crowd_sentiment.core.checkpoints import CheckpointStore, save_state
from crowd_sentiment.datasets.described import DescribedPreview
from crowd_sentiment.datasets.feature_cache import FolderHandleDataset


class TorchStateDataset(DescribedPreview, AbstractDataset[dict, dict]):
    """Student weights, specs and checkpoints; the write is atomic, the load safe (no pickle code)."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None):
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> dict:
        if not self._filepath.is_file():
            raise FileNotFoundError(f"{self._filepath} does not exist")
        return torch.load(self._filepath, map_location="cpu", weights_only=True)

    def save(self, data: dict) -> None:
        save_state(self._filepath, data)

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}


class CheckpointStoreDataset(FolderHandleDataset):
    """Gives the training node a :class:`CheckpointStore` under ``path``; the training loop writes it."""

    handle = CheckpointStore
    what = "the training checkpoint folder"
