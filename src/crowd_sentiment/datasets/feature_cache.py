"""Folders that nodes fill as they go (the frozen-backbone feature cache), as Kedro datasets (loaded, never saved)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from kedro.io import AbstractDataset, DatasetError

from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.datasets.described import DescribedPreview


class FolderHandleDataset(DescribedPreview, AbstractDataset[None, Any]):
    """Gives nodes ``handle(path)``, an object that writes into the folder ``path`` itself."""

    handle: ClassVar[type]
    what: ClassVar[str] = "this folder"

    def __init__(self, path: str, metadata: dict[str, Any] | None = None):
        self._path = Path(path)
        self.metadata = metadata

    def load(self) -> Any:
        return self.handle(self._path)

    def save(self, data: None) -> None:
        raise DatasetError(f"{self.what} is filled by the nodes that use it, not saved")

    def _exists(self) -> bool:
        return True

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._path)}


class FeatureCacheDataset(FolderHandleDataset):
    """Gives nodes a :class:`FeatureCache` rooted at ``path``; the nodes fill it as they go."""

    handle = FeatureCache
    what = "the feature cache"
