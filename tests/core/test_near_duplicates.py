"""Multi-index Hamming search and vectorised union-find against brute force."""

import numpy as np
import pytest

from crowd_sentiment.core.near_duplicates import (
    all_pairs_within,
    cluster_labels,
    matches_within,
    pairs_within,
    union_find,
)


def _planted(seed, n=1500, copies=400, max_flips=7):
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    copied = hashes[rng.integers(0, n, copies)]
    flips = rng.random((copies, 64)) < rng.integers(0, max_flips, (copies, 1)) / 64
    masks = (flips.astype(np.uint64) << np.arange(64, dtype=np.uint64)).sum(axis=1, dtype=np.uint64)
    return np.concatenate([hashes, copied ^ masks, hashes[:30]])  # near copies and exact repeats


@pytest.mark.parametrize("max_hamming", [1, 4, 9])
def test_pairs_within_equal_all_pairs_on_distinct_values(max_hamming):
    hashes = _planted(max_hamming)
    i, j = pairs_within(hashes, max_hamming)
    bi, bj = all_pairs_within(hashes, max_hamming)
    distinct = hashes[bi] != hashes[bj]
    expected = {tuple(sorted(p)) for p in zip(hashes[bi][distinct].tolist(), hashes[bj][distinct].tolist())}
    assert {tuple(sorted(p)) for p in zip(hashes[i].tolist(), hashes[j].tolist())} == expected
    assert (i < j).all() and len(expected) > 50


def test_matches_within_equal_brute_force():
    refs = _planted(5, n=300, copies=50)
    queries = np.concatenate([refs[:40] ^ np.uint64(0b1011), np.arange(20, dtype=np.uint64)])
    q, r = matches_within(queries, refs, 4)
    expected = np.nonzero(np.bitwise_count(queries[:, None] ^ refs[None, :]) <= 4)
    assert set(zip(q.tolist(), r.tolist())) == set(zip(*(e.tolist() for e in expected)))
    assert matches_within(queries, [], 4)[0].size == 0


def test_union_find_labels_components_by_their_smallest_index():
    labels = union_find(7, np.array([5, 3, 6, 1]), np.array([3, 6, 4, 2]))
    assert labels.tolist() == [0, 1, 1, 3, 3, 3, 3]
    assert union_find(3, np.array([], int), np.array([], int)).tolist() == [0, 1, 2]


def test_cluster_labels_follow_chains_and_exact_repeats():
    a = 0x0123_4567_89AB_CDEF
    assert cluster_labels([a ^ 0b11, 0, a, a ^ 0b1, 2**64 - 1, a ^ 0b111, 0], 1).tolist() == [
        0,
        1,
        0,
        0,
        4,
        0,
        1,
    ]
