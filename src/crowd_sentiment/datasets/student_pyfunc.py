"""A trained student logged to the active MLflow run as a portable pyfunc model (:mod:`crowd_sentiment.mlflow_model`)."""

from __future__ import annotations

import logging
from typing import Any

import mlflow
from kedro.io import AbstractDataset, DatasetError

from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.mlflow_model import log_student_pyfunc

log = logging.getLogger(__name__)


class StudentPyfuncDataset(AbstractDataset[StoredStudent, None]):
    """Save: log the student as the pyfunc model ``name`` of the active run (nothing without a run). Write-only."""

    def __init__(self, name: str = "student", metadata: dict[str, Any] | None = None):
        self._name = name
        self.metadata = metadata

    def load(self) -> None:
        raise DatasetError(
            f"the pyfunc model {self._name!r} is write-only here: load it with mlflow.pyfunc.load_model('runs:/<run id>/{self._name}')"
        )

    def save(self, data: StoredStudent) -> None:
        if mlflow.active_run() is None:
            log.info("no active MLflow run: the pyfunc model %r is not logged", self._name)
            return
        info = log_student_pyfunc(data, self._name)
        log.info("logged the pyfunc model %r: %s", self._name, info.model_uri)

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name}
