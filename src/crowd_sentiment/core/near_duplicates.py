"""Hamming-radius search over many 64-bit hashes by multi-index hashing, and union-find clusters.

Multi-index hashing (Norouzi, Punjani and Fleet, CVPR 2012): cut the 64 bits into ``m``
substrings. Two hashes within ``r`` bits differ in at most ``r // m`` bits on at least one
substring (pigeonhole), so each hash probes, per substring, the table entries within
``r // m`` bits of its own substring, and only those candidates are compared on all 64
bits. ``m`` is chosen to minimise probes plus expected candidates; for a million hashes at
``r = 4`` that is three substrings of 21-22 bits probed at distance 0 and 1 (23 probes
each). Exact duplicates are collapsed first, so a meme posted a thousand times costs one
hash. Nothing here compares all pairs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations
from math import comb

import numpy as np

HASH_BITS = 64
_DIRECT_TABLE_BITS = 24  # substrings up to this many bits are looked up in a dense table
_CHUNK_CANDIDATES = 4_000_000  # candidate pairs expanded at once (bounds memory)


def as_hashes(values: Sequence[int] | np.ndarray) -> np.ndarray:
    """``(N,)`` uint64 from Python ints or an integer array (values must fit in 64 bits)."""
    if isinstance(values, np.ndarray) and values.dtype == np.uint64:
        return values
    return np.fromiter((int(v) for v in values), dtype=np.uint64, count=len(values))


def check_radius(max_hamming: int) -> None:
    """Raise when ``max_hamming`` is outside [0, 63]."""
    if not 0 <= max_hamming < HASH_BITS:
        raise ValueError(f"max_hamming must be in [0, {HASH_BITS - 1}], got {max_hamming}")


def _plan(n_refs: int, n_queries: int, max_hamming: int) -> list[tuple[int, int, int]]:
    """Substrings ``(low bit, length, probe radius)`` minimising probes + expected candidates."""
    best: tuple[float, list[tuple[int, int, int]]] | None = None
    for m in range(1, min(max_hamming + 1, 16) + 1):
        edges = np.linspace(0, HASH_BITS, m + 1).astype(int).tolist()
        radius = max_hamming // m
        plan = [(lo, hi - lo, radius) for lo, hi in zip(edges[:-1], edges[1:])]
        probes = sum(sum(comb(length, k) for k in range(radius + 1)) for _, length, _ in plan)
        candidates = sum(
            sum(comb(length, k) for k in range(radius + 1)) * n_refs / 2.0**length for _, length, _ in plan
        )
        cost = n_queries * (probes + candidates)
        if best is None or cost < best[0]:
            best = (cost, plan)
    assert best is not None
    return best[1]


def _probe_masks(length: int, radius: int) -> np.ndarray:
    """Every ``length``-bit mask with at most ``radius`` bits set, as uint64."""
    masks = [sum(1 << b for b in bits) for k in range(radius + 1) for bits in combinations(range(length), k)]
    return np.array(masks, dtype=np.uint64)


def _substring(hashes: np.ndarray, low: int, length: int) -> np.ndarray:
    return (hashes >> np.uint64(low)) & np.uint64((1 << length) - 1)


class _Table:
    """Reference positions grouped by substring value: dense offsets for short substrings, else sorted keys."""

    def __init__(self, keys: np.ndarray, length: int):
        self.order = np.argsort(keys, kind="stable")
        self.dense = length <= _DIRECT_TABLE_BITS
        if self.dense:
            counts = np.bincount(keys.astype(np.int64), minlength=1 << length)
            self.starts = np.concatenate([[0], np.cumsum(counts)])
        else:
            self.sorted_keys = keys[self.order]

    def ranges(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and count of each query key's run in ``order``."""
        if self.dense:
            index = queries.astype(np.int64)
            return self.starts[index], self.starts[index + 1] - self.starts[index]
        left = np.searchsorted(self.sorted_keys, queries, side="left")
        return left, np.searchsorted(self.sorted_keys, queries, side="right") - left


def _expand(
    starts: np.ndarray, counts: np.ndarray, order: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(query index, reference index) for every slot of every run, a bounded chunk at a time."""
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:
        return
    totals = np.cumsum(counts[nonzero])
    begin = 0
    while begin < nonzero.size:
        base = totals[begin - 1] if begin else 0
        end = max(int(np.searchsorted(totals, base + _CHUNK_CANDIDATES, side="right")), begin + 1)
        rows = nonzero[begin:end]
        sizes = counts[rows]
        query = np.repeat(rows, sizes)
        offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        yield query, order[np.repeat(starts[rows], sizes) + offsets]
        begin = end


def _search(
    queries: np.ndarray, references: np.ndarray, max_hamming: int, *, self_join: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Every (query index, reference index) within ``max_hamming`` bits; ``self_join`` keeps query < reference."""
    found_q: list[np.ndarray] = []
    found_r: list[np.ndarray] = []
    for low, length, radius in _plan(len(references), len(queries), max_hamming):
        table = _Table(_substring(references, low, length), length)
        keys = _substring(queries, low, length)
        for mask in _probe_masks(length, radius):
            starts, counts = table.ranges(keys ^ mask)
            for q, r in _expand(starts, counts, table.order):
                if self_join:
                    keep = q < r
                    q, r = q[keep], r[keep]
                close = np.bitwise_count(queries[q] ^ references[r]) <= max_hamming
                found_q.append(q[close])
                found_r.append(r[close])
    if not found_q:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pairs = np.unique(np.stack([np.concatenate(found_q), np.concatenate(found_r)]), axis=1)
    return pairs[0].astype(np.int64), pairs[1].astype(np.int64)


def pairs_within(hashes: Sequence[int] | np.ndarray, max_hamming: int) -> tuple[np.ndarray, np.ndarray]:
    """Position pairs ``(i, j)``, ``i < j``, of different hash values within ``max_hamming`` bits.

    Each value is represented by its first position; exact repeats are linked by
    :func:`linked_pairs`.
    """
    check_radius(max_hamming)
    values = as_hashes(hashes)
    distinct, first = np.unique(values, return_index=True)
    i, j = (
        _search(distinct, distinct, max_hamming, self_join=True) if max_hamming else (np.zeros(0, int),) * 2
    )
    a, b = first[i], first[j]
    return np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)


def union_find(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected-component label per item ``(n,)`` int64: the smallest index of its component.

    Vectorised union-find: each round hooks the larger root of every edge under the
    smaller one (``minimum.at``), then compresses paths by pointer jumping.
    """
    parent = np.arange(n, dtype=np.int64)
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    while True:
        while True:  # full path compression
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        root_i, root_j = parent[i], parent[j]
        differ = root_i != root_j
        if not differ.any():
            return parent
        low, high = np.minimum(root_i, root_j)[differ], np.maximum(root_i, root_j)[differ]
        np.minimum.at(parent, high, low)
        i, j = i[differ], j[differ]


def linked_pairs(hashes: Sequence[int] | np.ndarray, max_hamming: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges ``(i, j)`` whose connected components are the clusters: :func:`pairs_within` plus
    every exact repeat linked to the first position of its value."""
    values = as_hashes(hashes)
    _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    i, j = pairs_within(values, max_hamming)
    return np.concatenate([i, first[inverse]]), np.concatenate([j, np.arange(len(values))])


def cluster_labels(hashes: Sequence[int] | np.ndarray, max_hamming: int) -> np.ndarray:
    """Cluster label per hash ``(N,)`` int64: the smallest index of its cluster.

    Two hashes share a cluster when a chain of pairs within ``max_hamming`` bits links them.
    """
    return union_find(len(hashes), *linked_pairs(hashes, max_hamming))


def matches_within(
    queries: Sequence[int] | np.ndarray, references: Sequence[int] | np.ndarray, max_hamming: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every (query index, reference index) pair within ``max_hamming`` bits."""
    check_radius(max_hamming)
    q_values, r_values = as_hashes(queries), as_hashes(references)
    if len(q_values) == 0 or len(r_values) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    r_distinct, r_inverse = np.unique(r_values, return_inverse=True)
    q, r = _search(q_values, r_distinct, max_hamming, self_join=False)
    # expand each distinct reference value back to every reference position holding it
    order = np.argsort(r_inverse, kind="stable")
    starts = np.searchsorted(r_inverse[order], np.arange(len(r_distinct)))
    counts = np.bincount(r_inverse, minlength=len(r_distinct))
    pieces = list(_expand(starts[r], counts[r], order))
    if not pieces:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    slot = np.concatenate([p[0] for p in pieces])
    return q[slot], np.concatenate([p[1] for p in pieces]).astype(np.int64)


def all_pairs_within(
    hashes: np.ndarray, max_hamming: int, *, block: int = 2048
) -> tuple[np.ndarray, np.ndarray]:
    """The all-pairs baseline: ``(i, j)``, ``i < j``, by comparing every pair (O(N²); for measurement only)."""
    values = as_hashes(hashes)
    found_i, found_j = [], []
    for start in range(0, len(values), block):
        rows = values[start : start + block]
        close = np.bitwise_count(rows[:, None] ^ values[None, start:]) <= max_hamming
        a, b = np.nonzero(close)
        keep = b > a
        found_i.append(a[keep] + start)
        found_j.append(b[keep] + start)
    if not found_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(found_i).astype(np.int64), np.concatenate(found_j).astype(np.int64)
