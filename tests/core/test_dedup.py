"""Tests for dHash near-duplicate detection and band-bucket clustering."""

import io
import random

import numpy as np
import pytest
from PIL import Image

from crowd_sentiment.core.dedup import dhash, dhash_file, hamming, near_duplicate_clusters, near_duplicates_of


def _picture(seed, size=(160, 120)):
    """A smooth random picture: a coarse random grid upsampled bicubically."""
    coarse = np.random.default_rng(seed).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    return Image.fromarray(coarse).resize(size, Image.Resampling.BICUBIC)


def _reencode(image, quality):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def test_hamming():
    assert hamming(0, 0) == 0
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(0, 2**64 - 1) == 64


def test_dhash_is_a_64_bit_int_and_deterministic():
    value = dhash(_picture(0))
    assert isinstance(value, int) and 0 <= value < 2**64
    assert dhash(_picture(0)) == value
    assert dhash(Image.new("RGB", (50, 40), "grey")) == 0  # flat picture: no pixel brighter than its left


def test_dhash_is_close_for_copies_and_far_for_different_pictures():
    for seed in range(5):
        original = _picture(seed)
        h = dhash(original)
        assert hamming(h, dhash(_reencode(original, 40))) <= 4
        assert hamming(h, dhash(original.resize((150, 113), Image.Resampling.LANCZOS))) <= 4
        assert hamming(h, dhash(original.convert("L"))) <= 4
    distances = [hamming(dhash(_picture(a)), dhash(_picture(b))) for a in range(5) for b in range(a + 1, 5)]
    assert min(distances) >= 12
    assert 20 <= np.mean(distances) <= 44


def test_dhash_file_reads_large_jpegs_in_draft_mode_and_agrees(tmp_path):
    for seed in range(3):
        picture = _picture(seed, size=(1600, 1200))
        picture.save(tmp_path / f"{seed}.jpg", quality=90)
        picture.save(tmp_path / f"{seed}.png")
        from_jpeg, from_png = dhash_file(tmp_path / f"{seed}.jpg"), dhash_file(tmp_path / f"{seed}.png")
        assert hamming(from_jpeg, dhash(picture)) <= 4
        assert from_png == dhash(picture)


def test_clusters_follow_chains_and_use_the_smallest_index():
    a = 0x0123_4567_89AB_CDEF
    hashes = [a ^ 0b11, 0, a, a ^ 0b1, 2**64 - 1, a ^ 0b111]
    assert near_duplicate_clusters(hashes, 1).tolist() == [0, 1, 0, 0, 4, 0]  # a^0b111 → a^0b11 → a^1 → a
    assert near_duplicate_clusters(hashes, 0).tolist() == [0, 1, 2, 3, 4, 5]
    assert near_duplicate_clusters(hashes, 2).tolist() == [0, 1, 0, 0, 4, 0]
    assert near_duplicate_clusters([], 3).tolist() == []
    assert near_duplicate_clusters(np.array(hashes, dtype=np.uint64), 1).dtype == np.int64


def test_exact_duplicates_cluster_at_zero_distance():
    assert near_duplicate_clusters([5, 7, 5, 5], 0).tolist() == [0, 1, 0, 0]


@pytest.mark.parametrize("bad", [-1, 64, 100])
def test_max_hamming_out_of_range_raises(bad):
    with pytest.raises(ValueError, match="max_hamming"):
        near_duplicate_clusters([1, 2], bad)


def _brute_force(hashes, max_hamming):
    parent = list(range(len(hashes)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            if hamming(hashes[i], hashes[j]) <= max_hamming:
                ri, rj = find(i), find(j)
                parent[max(ri, rj)] = min(ri, rj)
    return [find(i) for i in range(len(hashes))]


def _flip(value, rng, n_bits):
    for bit in rng.sample(range(64), n_bits):
        value ^= 1 << bit
    return value


@pytest.mark.parametrize("max_hamming", [0, 1, 3, 6, 10, 20])
def test_agrees_with_brute_force_on_planted_duplicates(max_hamming):
    rng = random.Random(max_hamming)
    hashes = [rng.getrandbits(64) for _ in range(120)]
    for _ in range(80):  # near copies of earlier hashes, at distances around the threshold
        hashes.append(_flip(rng.choice(hashes), rng, rng.randint(0, max_hamming + 2)))
    rng.shuffle(hashes)
    expected = _brute_force(hashes, max_hamming)
    assert near_duplicate_clusters(hashes, max_hamming).tolist() == expected
    assert len(set(expected)) < len(hashes)  # the planted copies do merge


def test_near_duplicates_of_agrees_with_brute_force():
    rng = random.Random(3)
    references = [rng.getrandbits(64) for _ in range(50)]
    queries = [rng.getrandbits(64) for _ in range(50)]
    queries += [
        r ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64)) for r in references[:10]
    ]  # 1-2 bits off
    for max_hamming in (0, 2, 4):
        found = near_duplicates_of(queries, references, max_hamming)
        expected = [any(hamming(q, r) <= max_hamming for r in references) for q in queries]
        assert found.tolist() == expected
    assert near_duplicates_of(queries, references, 4)[-10:].all()
    assert not near_duplicates_of(queries, [], 4).any()
