"""The media folder as a Kedro dataset the downloader writes into."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from crowd_sentiment.core.download import MediaFolder
from crowd_sentiment.datasets.described import DescribedPreview


class MediaFolderDataset(DescribedPreview, AbstractDataset[None, MediaFolder]):
    """Loads a :class:`MediaFolder` (the folder is created when missing); the downloader writes through it."""

    def __init__(self, path: str, metadata: dict[str, Any] | None = None):
        self._path = Path(path)
        self.metadata = metadata

    def load(self) -> MediaFolder:
        self._path.mkdir(parents=True, exist_ok=True)
        return MediaFolder(self._path)

    def save(self, data: None) -> None:
        raise DatasetError(f"{type(self).__name__} is written file by file by the download node, not saved")

    def _exists(self) -> bool:
        return self._path.is_dir()

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._path)}
