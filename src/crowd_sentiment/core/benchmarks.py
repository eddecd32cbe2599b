"""Human-labelled image benchmarks: loaders by layout and the zero-shot binary protocol.

A loaded benchmark is a frame with one row per (subset, image): ``benchmark``,
``subset``, ``image`` (file name relative to the benchmark root), ``path`` (absolute),
``label`` (0 negative, 1 positive for binary benchmarks).

Layouts:

* ``twitter_agreement`` — Twitter I (You et al., AAAI 2015): ``images/`` and
  ``ground_truth/twitter_{five,four,three}_agrees.txt`` with lines ``<file> <0|1>``
  (1 = positive); subsets ``five_agree`` ⊆ ``four_agree`` ⊆ ``three_agree``.

Zero-shot binary protocol (paper): drop the neutral output and take the argmax of
(negative, positive); the ranking score is ``p_positive - p_negative``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crowd_sentiment.core.labels import NEGATIVE, POSITIVE

TWITTER_SUBSETS = {"five_agree": "five", "four_agree": "four", "three_agree": "three"}
BENCHMARK_COLUMNS = ["benchmark", "subset", "image", "path", "label"]


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    return path


def _read_label_lines(path: Path) -> list[tuple[str, int]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1] not in {"0", "1"}:
            raise ValueError(f"{path}:{number}: expected '<file> <0|1>', got {line!r}")
        rows.append((parts[0], int(parts[1])))
    return rows


def load_twitter_agreement(root: str | Path, name: str) -> pd.DataFrame:
    """Twitter I layout (module docstring); raises ``FileNotFoundError`` naming what is missing."""
    root = Path(root)
    images = _require(root / "images", f"benchmark {name!r} images folder")
    frames = []
    for subset, word in TWITTER_SUBSETS.items():
        truth = _require(
            root / "ground_truth" / f"twitter_{word}_agrees.txt", f"benchmark {name!r} ground truth"
        )
        rows = _read_label_lines(truth)
        frame = pd.DataFrame(rows, columns=["image", "label"])
        frame["path"] = [str(_require(images / f, f"benchmark {name!r} image")) for f in frame["image"]]
        frames.append(frame.assign(benchmark=name, subset=subset))
    return pd.concat(frames, ignore_index=True)[BENCHMARK_COLUMNS]


LOADERS = {"twitter_agreement": load_twitter_agreement}


def load_benchmark(layout: str, root: str | Path, name: str) -> pd.DataFrame:
    """Load a benchmark by layout name (see :data:`LOADERS`)."""
    try:
        loader = LOADERS[layout]
    except KeyError:
        raise ValueError(f"unknown benchmark layout {layout!r}; expected one of {sorted(LOADERS)}") from None
    return loader(root, name)


def binary_zero_shot(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binary prediction (0 negative, 1 positive) and score ``p_pos - p_neg`` from ``(N, 3)`` probabilities."""
    probs = np.asarray(probs)
    negative, positive = probs[:, NEGATIVE], probs[:, POSITIVE]
    return (positive > negative).astype(np.int64), positive - negative
