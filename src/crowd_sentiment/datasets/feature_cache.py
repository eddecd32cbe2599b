"""The frozen-backbone feature cache as a Kedro dataset (loaded, never saved)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from crowd_sentiment.core.feature_cache import FeatureCache


class FeatureCacheDataset(AbstractDataset[None, FeatureCache]):
    """Gives nodes a :class:`FeatureCache` rooted at ``path``; the nodes fill it as they go."""

    def __init__(self, path: str, metadata: dict[str, Any] | None = None):
        self._path = Path(path)
        self.metadata = metadata

    def load(self) -> FeatureCache:
        return FeatureCache(self._path)

    def save(self, data: None) -> None:
        raise DatasetError("the feature cache is filled by the nodes that use it, not saved")

    def _exists(self) -> bool:
        return True

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._path)}
