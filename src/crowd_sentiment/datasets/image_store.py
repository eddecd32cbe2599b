"""The content-addressed store of validated images as a Kedro dataset."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset

from crowd_sentiment.core.files import remove_temp_files
from crowd_sentiment.core.images import ImageStore
from crowd_sentiment.datasets.described import DescribedPreview

log = logging.getLogger(__name__)


class ImageStoreDataset(DescribedPreview, AbstractDataset[Mapping[str, bytes], ImageStore]):
    """Saves ``{image_id: jpeg bytes}`` into an :class:`ImageStore`; loads the store.

    Saving is incremental and atomic per file: ids already stored are skipped, so an
    interrupted ingestion keeps every complete image and a rerun resumes; temp files
    left by a killed run are removed first.
    """

    def __init__(self, path: str, metadata: dict[str, Any] | None = None):
        self._path = Path(path)
        self.metadata = metadata

    def load(self) -> ImageStore:
        if not self._path.is_dir():
            raise FileNotFoundError(
                f"image store {self._path} does not exist; run the ingestion pipeline first"
            )
        return ImageStore(self._path)

    def save(self, data: Mapping[str, bytes]) -> None:
        store = ImageStore(self._path)
        self._path.mkdir(parents=True, exist_ok=True)
        removed = remove_temp_files(self._path)
        if removed:
            log.info("removed %d temp files left in %s by an interrupted run", removed, self._path)
        for image_id, jpeg in data.items():
            store.put(image_id, jpeg)

    def _exists(self) -> bool:
        return self._path.is_dir()

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._path)}
