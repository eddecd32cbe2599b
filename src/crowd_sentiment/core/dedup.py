"""Near-duplicate detection with a 64-bit difference hash (dHash).

dHash (Krawetz, 2013): shrink the greyscale picture to 9×8, compare each pixel with
its right neighbour → 64 bits. Re-encoded or resized copies of a picture differ in a
few bits; different pictures in about half. Two hashes are near-duplicates when their
Hamming distance is at most ``max_hamming``.

The search never compares all pairs: multi-index hashing in
:mod:`crowd_sentiment.core.near_duplicates`. Connected components of the near-duplicate
graph (union-find) are the duplicate clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from crowd_sentiment.core.near_duplicates import cluster_labels, matches_within


def dhash(image: Image.Image) -> int:
    """64-bit difference hash of a picture (unsigned int)."""
    grey = image.convert("L")
    pixels = np.asarray(grey.resize((9, 8), Image.Resampling.BILINEAR), dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).ravel()
    return int(np.packbits(bits).view(">u8")[0])


def dhash_file(path: str | Path) -> int:
    """:func:`dhash` of an image file; JPEGs are decoded in greyscale at reduced size (``draft``)."""
    with Image.open(path) as image:
        image.draft("L", (36, 32))  # DCT-domain downscale: 2-4x faster decode; no-op for other formats
        return dhash(image)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two hashes."""
    return (a ^ b).bit_count()


def near_duplicate_clusters(hashes: Sequence[int] | np.ndarray, max_hamming: int) -> np.ndarray:
    """Cluster label per hash, shape ``(N,)`` int64: the smallest index of its cluster.

    Two items share a cluster when a chain of pairs within ``max_hamming`` bits links
    them (multi-index hashing and union-find, :mod:`crowd_sentiment.core.near_duplicates`).
    ``max_hamming`` must be in [0, 63].
    """
    return cluster_labels(hashes, max_hamming)


def near_duplicates_of(
    queries: Sequence[int] | np.ndarray, references: Sequence[int] | np.ndarray, max_hamming: int
) -> np.ndarray:
    """Boolean ``(len(queries),)``: the query is within ``max_hamming`` bits of some reference.

    Used to keep held-out benchmark pictures (and their reposts or re-encodings) out of
    training; multi-index hashing, never all pairs.
    """
    found = np.zeros(len(queries), dtype=bool)
    found[matches_within(queries, references, max_hamming)[0]] = True
    return found
