"""The MVSA held-out split (``splits/benchmark.csv``) as an image benchmark."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crowd_sentiment.core.benchmarks._frames import benchmark_frame
from crowd_sentiment.core.files import require_path, require_unique
from crowd_sentiment.core.labels import NEUTRAL, POSITIVE
from crowd_sentiment.core.mvsa import BENCHMARK_SPLIT, read_label_csv, sentiment_indices

LABEL_COLUMNS: tuple[str, ...] = ("image_label", "text_label", "joint_label")
CLASS_SUFFIXES: dict[str, str] = {"binary": "binary", "three": "3class"}


def load_mvsa_benchmark(
    root: str | Path, name: str, *, label_column: str = "image_label", classes: str = "binary"
) -> pd.DataFrame:
    """MVSA's benchmark split against one label column, subset ``<label_column>_<binary|3class>``.

    Rows with an empty ``label_column`` are dropped; ``classes="binary"`` also drops the
    neutral ones (0 negative, 1 positive), ``"three"`` keeps them (0/1/2). ``image`` is
    ``<guid>.jpg`` in ``data/``; rows keep the CSV's order.

    Raises:
        ValueError: an unknown ``label_column``/``classes``, a missing column, an unknown
            label value or a guid listed twice among the labelled rows.
        FileNotFoundError: a missing ``splits/benchmark.csv``, ``data/`` or picture (naming the path).
    """
    if label_column not in LABEL_COLUMNS:
        raise ValueError(f"unknown MVSA label column {label_column!r}; expected one of {list(LABEL_COLUMNS)}")
    if classes not in CLASS_SUFFIXES:
        raise ValueError(f"unknown MVSA classes {classes!r}; expected one of {sorted(CLASS_SUFFIXES)}")
    root = Path(root).absolute()
    csv_path = root / BENCHMARK_SPLIT
    rows = read_label_csv(csv_path, label_column, f"benchmark {name!r} split")
    data_dir = require_path(root / "data", f"benchmark {name!r} data folder")
    rows = rows[rows["name"] != ""]
    labels = sentiment_indices(rows["name"], csv_path, label_column)
    require_unique(rows["guid"], csv_path, "guid")
    rows = pd.DataFrame({"image": [f"{guid}.jpg" for guid in rows["guid"]], "label": labels})
    if classes == "binary":
        rows = rows[rows["label"] != NEUTRAL].assign(label=lambda r: (r["label"] == POSITIVE).astype("int64"))
    return benchmark_frame(rows, name, f"{label_column}_{CLASS_SUFFIXES[classes]}", data_dir)


def load_mvsa_image(root: str | Path, name: str) -> pd.DataFrame:
    """MVSA benchmark split (Niu et al., MMM 2016), binary against ``image_label``.

    Layout: ``splits/benchmark.csv`` (``guid,image_label,text_label,joint_label``) and
    ``data/<guid>.jpg``. One subset ``image_label_binary``; neutral and unlabelled pairs dropped.
    """
    return load_mvsa_benchmark(root, name, label_column="image_label", classes="binary")


def load_mvsa_joint(root: str | Path, name: str) -> pd.DataFrame:
    """MVSA benchmark split, binary against ``joint_label`` (subset ``joint_label_binary``).

    ``joint_label`` is empty for some pairs; those are dropped like neutral ones.
    """
    return load_mvsa_benchmark(root, name, label_column="joint_label", classes="binary")


def load_mvsa_image_3class(root: str | Path, name: str) -> pd.DataFrame:
    """MVSA benchmark split, three classes against ``image_label`` (subset ``image_label_3class``).

    Labels 0 negative, 1 neutral, 2 positive; registered in ``THREE_CLASS_LAYOUTS``.
    """
    return load_mvsa_benchmark(root, name, label_column="image_label", classes="three")
