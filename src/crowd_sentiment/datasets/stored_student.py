"""A trained student (:class:`~crowd_sentiment.core.stored_student.StoredStudent`) as a Kedro dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset

from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.datasets.described import DescribedPreview


class StoredStudentDataset(DescribedPreview, AbstractDataset[StoredStudent, StoredStudent]):
    """Saves atomically with ``torch.save``; loads with ``weights_only=True``."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None):
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> StoredStudent:
        return StoredStudent.load(self._filepath)

    def save(self, data: StoredStudent) -> None:
        data.save(self._filepath)

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}
