"""The MVSA crowd (read-only) in the shapes the ingestion pipeline reads from a crawl.

Both datasets read only the guids of the crowd split (``splits/crowd.csv``): the
held-out benchmark pictures and every human label stay out of training by construction.
``limit`` keeps the first N guids of the split (small, repeatable CI runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from crowd_sentiment.core.mvsa import CROWD_SPLIT, mvsa_stream_lines, read_guid_list
from crowd_sentiment.datasets.described import DescribedPreview


class _MvsaCrowd(DescribedPreview, AbstractDataset[None, dict]):
    def __init__(
        self, root: str, split: str = str(CROWD_SPLIT), limit: int | None = None, metadata: dict | None = None
    ):
        self._root = Path(root)
        self._split = split
        self._limit = limit
        self.metadata = metadata

    def _guids(self) -> list[str]:
        guids = read_guid_list(self._root / self._split)
        return guids[: self._limit] if self._limit else guids

    def save(self, data: None) -> None:
        raise DatasetError(f"{type(self).__name__} is read-only (it never writes into {self._root})")

    def _exists(self) -> bool:
        return (self._root / self._split).is_file()

    def _describe(self) -> dict[str, Any]:
        return {"root": str(self._root), "split": self._split, "limit": self._limit}


class MvsaCrowdDumpDataset(_MvsaCrowd):
    """``{"mvsa_crowd": loader}`` where the loader returns the crowd as v2 JSON lines."""

    def load(self) -> dict:
        return {"mvsa_crowd": lambda: "\n".join(mvsa_stream_lines(self._root, self._guids())) + "\n"}


class MvsaCrowdMediaDataset(_MvsaCrowd):
    """``{"<guid>.jpg": loader of bytes}`` for the crowd's pictures (missing files are left out)."""

    def load(self) -> dict:
        data = self._root / "data"
        files = {f"{g}.jpg": data / f"{g}.jpg" for g in self._guids()}
        return {name: path.read_bytes for name, path in files.items() if path.is_file()}
