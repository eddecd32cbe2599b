"""What every benchmark loader shares: the frame's columns, root checks, building and deduplicating rows."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from crowd_sentiment.core.files import require_path

log = logging.getLogger(__name__)

BENCHMARK_COLUMNS = ["benchmark", "subset", "image", "path", "label"]


def root_and_images(root: str | Path, name: str) -> tuple[Path, Path]:
    """``(root, root/images)`` as absolute paths; both must exist."""
    root = require_path(Path(root).absolute(), f"benchmark {name!r} root")
    return root, require_path(root / "images", f"benchmark {name!r} images folder")


def benchmark_frame(rows: pd.DataFrame, name: str, subset: str, images: Path) -> pd.DataFrame:
    """Benchmark frame of ``rows`` (columns ``image``, ``label``); every ``images/<image>`` must exist.

    Returns:
        ``len(rows)`` rows with :data:`BENCHMARK_COLUMNS`, ``label`` int64.
    """
    paths = [str(require_path(images / image, f"benchmark {name!r} image")) for image in rows["image"]]
    frame = pd.DataFrame(
        {"benchmark": name, "subset": subset, "image": list(rows["image"]), "path": paths,
         "label": list(rows["label"])},
        columns=BENCHMARK_COLUMNS,
    )  # fmt: skip
    return frame.astype({"benchmark": str, "subset": str, "image": str, "path": str, "label": "int64"})


def dedupe(rows: pd.DataFrame, source: str, *, log_repeats: bool = True) -> pd.DataFrame:
    """``rows`` (``image``, ``label``), repeats dropped (first kept); an image with two labels raises."""
    labels_per_image = rows.groupby("image", sort=False)["label"].nunique()
    conflicting = labels_per_image.index[labels_per_image > 1].tolist()
    if conflicting:
        raise ValueError(f"{source}: image(s) listed with different labels: {conflicting[:10]}")
    unique = rows.drop_duplicates("image").reset_index(drop=True)
    if log_repeats and len(unique) < len(rows):
        log.warning("%s: %d repeated row(s) kept once", source, len(rows) - len(unique))
    return unique
