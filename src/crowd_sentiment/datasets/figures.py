"""A stage's figures as one dataset: one PNG per figure in a reporting folder, each an MLflow artifact of the active run."""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path
from typing import Any

import mlflow
from kedro.io import AbstractDataset, DatasetError
from kedro_datasets._typing import ImagePreview
from matplotlib.figure import Figure
from PIL import Image

from crowd_sentiment.core.files import atomic_write_bytes

log = logging.getLogger(__name__)

THUMB_WIDTH = 400  # px of each figure in the kedro-viz preview
PREVIEW_COLUMNS = 2


class FigureSetDataset(AbstractDataset[dict[str, Figure], dict[str, Path]]):
    """Save ``{name: Figure}`` as ``<folder>/<name>.png`` (atomic writes, ``dpi``), each also logged to the active
    MLflow run under ``artifact_path`` (the run's root when ``None``); load ``{name: path}``.

    ``figures`` maps every expected name to a one-line description; a save with other names fails.
    One dataset per stage keeps kedro-viz's collapsed graph narrow (a namespace's unconsumed outputs
    are drawn outside its box); its preview shows the figures in a grid.
    """

    def __init__(
        self,
        folder: str,
        figures: dict[str, str],
        dpi: int = 120,
        artifact_path: str | None = None,
        metadata: dict[str, Any] | None = None,
    ):
        if not figures:
            raise DatasetError(f"FigureSetDataset at {folder}: list at least one figure under `figures`")
        self._folder = Path(folder)
        self._figures = dict(figures)
        self._dpi = dpi
        self._artifact_path = artifact_path
        self.metadata = metadata

    def _paths(self) -> dict[str, Path]:
        return {name: self._folder / f"{name}.png" for name in self._figures}

    def save(self, data: dict[str, Figure]) -> None:
        if set(data) != set(self._figures):
            raise DatasetError(
                f"figures {sorted(data)} do not match the catalog's {sorted(self._figures)} for {self._folder}"
            )
        import matplotlib.pyplot as plt

        for name, path in self._paths().items():
            buffer = io.BytesIO()
            data[name].savefig(buffer, format="png", dpi=self._dpi)
            plt.close(data[name])
            atomic_write_bytes(path, buffer.getvalue())
            if mlflow.active_run() is not None:
                mlflow.log_artifact(str(path), self._artifact_path)

    def load(self) -> dict[str, Path]:
        paths = self._paths()
        missing = [str(path) for path in paths.values() if not path.is_file()]
        if missing:
            raise DatasetError(f"figures not written yet: {missing}; run the pipeline that draws them")
        return paths

    def _exists(self) -> bool:
        return all(path.is_file() for path in self._paths().values())

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._folder), "figures": list(self._figures), "dpi": self._dpi}

    def preview(self) -> ImagePreview:
        """The written figures in a grid of ``PREVIEW_COLUMNS`` columns, each ``THUMB_WIDTH`` px wide (base64 PNG for kedro-viz)."""
        thumbs = []
        for path in self._paths().values():
            if path.is_file():
                with Image.open(path) as image:
                    height = max(1, round(image.height * THUMB_WIDTH / image.width))
                    thumbs.append(image.convert("RGB").resize((THUMB_WIDTH, height)))
        if not thumbs:
            raise DatasetError(f"no figure written yet in {self._folder}")
        rows = [thumbs[i : i + PREVIEW_COLUMNS] for i in range(0, len(thumbs), PREVIEW_COLUMNS)]
        heights = [max(t.height for t in row) for row in rows]
        sheet = Image.new("RGB", (THUMB_WIDTH * len(rows[0]), sum(heights)), "white")
        for r, row in enumerate(rows):
            for c, thumb in enumerate(row):
                sheet.paste(thumb, (c * THUMB_WIDTH, sum(heights[:r])))
        buffer = io.BytesIO()
        sheet.save(buffer, format="PNG", optimize=True)
        return ImagePreview(base64.b64encode(buffer.getvalue()).decode("ascii"))
