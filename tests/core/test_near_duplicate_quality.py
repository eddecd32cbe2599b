"""Quality fixture: real MVSA pictures and their crawl copies, found by dHash within 4 bits.

Reads 40 pictures from ``${CROWD_SENTIMENT_SHARED_DATA:-../shared/data}/mvsa/data`` and fails
(never skips) when they are missing. Per-transform recall with the embedding search, and on
more pictures, is ``make bench-filtering``.
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from crowd_sentiment.core.copy_transforms import COPY_TRANSFORMS, shared_mvsa_pictures
from crowd_sentiment.core.dedup import dhash
from crowd_sentiment.core.near_duplicates import linked_pairs, matches_within

ROOT = Path(__file__).resolve().parents[2]
MAX_HAMMING = 4


@pytest.fixture(scope="module")
def pictures():
    return [Image.open(p).convert("RGB") for p in shared_mvsa_pictures(ROOT, 40)]


def test_missing_shared_data_fails_with_the_folder_and_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("CROWD_SENTIMENT_SHARED_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="CROWD_SENTIMENT_SHARED_DATA"):
        shared_mvsa_pictures(ROOT, 40)


def test_copies_are_found_and_distinct_pictures_are_not(pictures):
    originals = np.array([dhash(p) for p in pictures], dtype=np.uint64)
    recall = {}
    for name in ("exact", "reencode_q70", "resize_50"):
        copies = np.array([dhash(COPY_TRANSFORMS[name](p)) for p in pictures], dtype=np.uint64)
        queries, found = matches_within(copies, originals, MAX_HAMMING)
        recall[name] = np.mean([k in set(found[queries == k].tolist()) for k in range(len(pictures))])
    assert recall["exact"] == 1.0
    assert recall["reencode_q70"] >= 0.95 and recall["resize_50"] >= 0.95
    i, j = linked_pairs(originals, MAX_HAMMING)
    false_positive_rate = np.sum(i != j) / (len(pictures) * (len(pictures) - 1) / 2)
    assert false_positive_rate <= 0.001
