"""Twitter I: tweet images with the agreement of five annotators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crowd_sentiment.core.benchmarks._frames import benchmark_frame, root_and_images
from crowd_sentiment.core.files import require_path

TWITTER_SUBSETS = {"five_agree": "five", "four_agree": "four", "three_agree": "three"}


def _read_label_lines(path: Path) -> list[tuple[str, int]]:
    """``(file, label)`` per non-blank ``<file> <0|1>`` line; anything else raises naming file and line."""
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
    """Twitter I (You et al., AAAI 2015; 1,269 tweet images, 5 annotators each).

    Layout: ``images/`` and ``ground_truth/twitter_{five,four,three}_agrees.txt``, lines
    ``<file> <0|1>`` (1 positive). Subsets ``five_agree`` ⊆ ``four_agree`` ⊆ ``three_agree``.
    """
    root, images = root_and_images(root, name)
    frames = []
    for subset, word in TWITTER_SUBSETS.items():
        truth = require_path(
            root / "ground_truth" / f"twitter_{word}_agrees.txt", f"benchmark {name!r} ground truth"
        )
        rows = pd.DataFrame(_read_label_lines(truth), columns=["image", "label"])
        frames.append(benchmark_frame(rows, name, subset, images))
    return pd.concat(frames, ignore_index=True)
