"""A CSV table that may not exist yet (e.g. written by a `make` target): loads as an empty frame then."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset


class OptionalCsvDataset(AbstractDataset[pd.DataFrame, pd.DataFrame]):
    """Loads ``filepath`` with ``pandas.read_csv``, or an empty ``DataFrame`` when the file is absent; read-only."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None):
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> pd.DataFrame:
        return pd.read_csv(self._filepath) if self._filepath.is_file() else pd.DataFrame()

    def save(self, data: pd.DataFrame) -> None:
        raise NotImplementedError(f"{self._filepath} is written by its own command, not by a pipeline")

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}
