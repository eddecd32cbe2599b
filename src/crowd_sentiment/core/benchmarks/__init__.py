"""Human-labelled image benchmarks, loaded by layout name.

A loaded benchmark has one row per (subset, image) with :data:`BENCHMARK_COLUMNS`:
``image`` is relative to the layout's image folder (POSIX, unique within a subset),
``path`` absolute, ``label`` int64 (0 negative, 1 positive; 0/1/2 for
:data:`THREE_CLASS_LAYOUTS`). Rows keep the order of the label files. Each loader's
docstring gives its layout, classes, subsets and source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from crowd_sentiment.core.benchmarks._frames import BENCHMARK_COLUMNS
from crowd_sentiment.core.benchmarks.mvsa import load_mvsa_image, load_mvsa_image_3class, load_mvsa_joint
from crowd_sentiment.core.benchmarks.path_class import load_emotion_roi, load_fi, load_twitter_testing_2
from crowd_sentiment.core.benchmarks.twitter import load_twitter_agreement

__all__ = ["BENCHMARK_COLUMNS", "LOADERS", "THREE_CLASS_LAYOUTS", "Loader", "load_benchmark"]

Loader = Callable[[str | Path, str], pd.DataFrame]

LOADERS: dict[str, Loader] = {
    "twitter_agreement": load_twitter_agreement,
    "twitter_testing_2": load_twitter_testing_2,
    "fi": load_fi,
    "emotion_roi": load_emotion_roi,
    "mvsa_image": load_mvsa_image,
    "mvsa_joint": load_mvsa_joint,
    "mvsa_image_3class": load_mvsa_image_3class,
}
THREE_CLASS_LAYOUTS = frozenset({"mvsa_image_3class"})  # labels 0 negative, 1 neutral, 2 positive


def load_benchmark(layout: str, root: str | Path, name: str) -> pd.DataFrame:
    """The benchmark at ``root`` read by the ``layout`` loader of :data:`LOADERS`, named ``name``.

    Raises:
        ValueError: an unknown layout (listing the known ones) or bad label data.
        FileNotFoundError: a missing root, label file or image (naming the path).
    """
    try:
        loader = LOADERS[layout]
    except KeyError:
        raise ValueError(f"unknown benchmark layout {layout!r}; expected one of {sorted(LOADERS)}") from None
    return loader(root, name)
