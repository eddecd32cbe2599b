"""A stage's figures as one dataset: named PNGs, a refused mismatch, a preview grid."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from kedro.io import DatasetError  # noqa: E402
from PIL import Image  # noqa: E402

from crowd_sentiment.datasets import FigureSetDataset  # noqa: E402


def _figure(width: float) -> plt.Figure:
    figure = plt.figure(figsize=(width, 1))
    figure.add_subplot().plot([0, 1], [1, 0])
    return figure


def test_figures_are_saved_by_name_and_previewed_in_a_grid(tmp_path):
    names = {"roc": "ROC", "bars": "bars", "grid": "pictures"}
    dataset = FigureSetDataset(str(tmp_path / "reports"), names, dpi=50)
    assert not dataset.exists()
    dataset.save({"bars": _figure(4), "roc": _figure(2), "grid": _figure(2)})
    paths = dataset.load()
    assert sorted(p.name for p in paths.values()) == ["bars.png", "grid.png", "roc.png"]
    assert Image.open(paths["roc"]).size == (100, 50)  # 2 x 1 inches at 50 dpi
    assert not list((tmp_path / "reports").glob(".*.tmp"))  # atomic writes leave no temp file
    preview = Image.open(io.BytesIO(base64.b64decode(dataset.preview())))
    assert preview.size == (2 * 400, 200 + 200)  # two columns; rows as tall as their 2 x 1 inch figure at 400 px


def test_other_names_are_refused_and_a_missing_set_names_what_to_run(tmp_path):
    dataset = FigureSetDataset(str(tmp_path), {"roc": "ROC"})
    with pytest.raises(DatasetError, match=r"\['roc', 'typo'\] do not match the catalog's \['roc'\]"):
        dataset.save({"roc": _figure(2), "typo": _figure(2)})
    with pytest.raises(DatasetError, match="run the pipeline that draws them"):
        dataset.load()
