"""Datasets of the text teacher: its stored score partitions, the fitted learned teacher and its identity in MLflow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import torch
from kedro.io import AbstractDataset, AbstractVersionedDataset, DatasetError, Version

from crowd_sentiment.core.checkpoints import save_state
from crowd_sentiment.core.teacher_scoring import ScoreStore
from crowd_sentiment.datasets.described import DescribedPreview
from crowd_sentiment.datasets.feature_cache import FolderHandleDataset


class ScoreStoreDataset(FolderHandleDataset):
    """Gives the scoring node a :class:`ScoreStore` at ``path``; the node writes partitions as it goes."""

    handle = ScoreStore
    what = "the teacher score partitions folder"


class StoredTeacherDataset(DescribedPreview, AbstractVersionedDataset[dict, Callable[[], dict]]):
    """The learned teacher (``torch.save`` dict, versioned); loads as a loader called only when needed.

    Loading returns a function so that runs with another teacher never need the file; the
    function raises ``FileNotFoundError`` naming the command that fits the teacher.
    """

    def __init__(self, filepath: str, version: Version | None = None, metadata: dict[str, Any] | None = None):
        super().__init__(
            filepath=PurePosixPath(filepath), version=version, exists_function=lambda p: Path(p).is_file()
        )
        self.metadata = metadata

    def load(self) -> Callable[[], dict]:
        def read() -> dict:
            if not self._exists():
                raise FileNotFoundError(
                    f"no learned teacher at {self._filepath}: fit one with "
                    "`kedro run --pipelines teacher_training` (same --env), or use teacher_labeling.teacher=vader"
                )
            return torch.load(Path(self._get_load_path()), map_location="cpu", weights_only=True)

        return read

    def save(self, data: dict) -> None:
        save_state(self._get_save_path(), data)

    def _exists(self) -> bool:
        try:
            return Path(self._get_load_path()).is_file()
        except DatasetError:
            return False

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath), "version": self._version}


class MlflowParamsDataset(DescribedPreview, AbstractDataset[dict, dict]):
    """A flat ``{name: value}`` logged as MLflow params ``<prefix>.<name>`` of the active run (kept in memory too)."""

    def __init__(self, prefix: str, metadata: dict[str, Any] | None = None):
        self._prefix = prefix
        self._data: dict | None = None
        self.metadata = metadata

    def load(self) -> dict:
        if self._data is None:
            raise DatasetError(f"{self._prefix} params were not produced in this run")
        return self._data

    def save(self, data: dict) -> None:
        import mlflow

        self._data = dict(data)
        if mlflow.active_run() is not None:
            mlflow.log_params({f"{self._prefix}.{k}": str(v) for k, v in data.items()})

    def _exists(self) -> bool:
        return self._data is not None

    def _describe(self) -> dict[str, Any]:
        return {"prefix": self._prefix}
