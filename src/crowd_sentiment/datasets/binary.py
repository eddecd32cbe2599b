"""Raw bytes of one local file (e.g. a media file inside a ``PartitionedDataset``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset

from crowd_sentiment.core.files import atomic_write_bytes


class BinaryFileDataset(AbstractDataset[bytes | str, bytes]):
    """Loads a file's bytes; saves bytes (or text, as UTF-8) atomically (temp file + rename)."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None):
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> bytes:
        return self._filepath.read_bytes()

    def save(self, data: bytes | str) -> None:
        atomic_write_bytes(self._filepath, data.encode("utf-8") if isinstance(data, str) else bytes(data))

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}
