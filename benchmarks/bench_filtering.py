"""Filtering benchmarks: near-duplicate search at crawl scale, and recall per copy transform on real pictures.

    .venv/bin/python benchmarks/bench_filtering.py            # both (make bench-filtering)
    .venv/bin/python benchmarks/bench_filtering.py scale      # 1,000,000 hashes vs all pairs on 20,000
    .venv/bin/python benchmarks/bench_filtering.py quality    # MVSA pictures: dHash and embedding recall, false positives

Scale: 1,000,000 random 64-bit hashes, 20,000 of them given a planted copy 0-4 bits away
(and 2,000 exact repeats); multi-index search + union-find, timed, peak memory as the
process's maximum resident set and tracemalloc's peak of the search; recall of the planted
pairs. The all-pairs baseline is timed on 20,000 hashes and extrapolated by (N / 20,000)².

Quality: the first N MVSA pictures (``$CROWD_SENTIMENT_SHARED_DATA``, default
../shared/data), each copied by every transform of ``core.copy_transforms``; recall is the
share of (original, copy) pairs found, by dHash within ``max_hamming`` bits, by cosine of
the student's frozen backbone features at ``min_cosine``, and by either. False positives:
pairs of different originals found, over all such pairs; originals that are the same picture
(32×32 grey thumbnails within a mean absolute difference of 8/255, e.g. MVSA's own reposts)
are not counted as different.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from crowd_sentiment.core.near_duplicates import all_pairs_within, cluster_labels, linked_pairs, union_find

ROOT = Path(__file__).resolve().parents[1]


def _planted(n: int, n_pairs: int, n_repeats: int, max_hamming: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    sources = rng.choice(n, n_pairs + n_repeats, replace=False)
    targets = rng.choice(np.setdiff1d(np.arange(n), sources), n_pairs + n_repeats, replace=False)
    flips = np.zeros(n_pairs + n_repeats, np.uint64)
    for k in range(n_pairs):  # 0..max_hamming distinct bits
        for bit in rng.choice(64, rng.integers(0, max_hamming + 1), replace=False):
            flips[k] |= np.uint64(1) << np.uint64(bit)
    hashes[targets] = hashes[sources] ^ flips
    return hashes, sources, targets


def scale(n: int = 1_000_000, baseline_n: int = 20_000, max_hamming: int = 4) -> None:
    hashes, sources, targets = _planted(n, 20_000, 2_000, max_hamming)
    tracemalloc.start()
    start = time.perf_counter()
    labels = cluster_labels(hashes, max_hamming)
    wall = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    recall = float(np.mean(labels[sources] == labels[targets]))
    print(f"near-duplicate search, {n:,} hashes, radius {max_hamming}, multi-index hashing + union-find")
    print(f"  wall time            {wall:8.2f} s   (target <= 60 s)")
    print(
        f"  peak memory          {rss_peak / 2**30:8.2f} GiB process max RSS, {traced_peak / 2**30:.2f} GiB "
        f"traced in the search (target <= 4 GB)"
    )
    print(
        f"  planted pairs found  {recall:8.2%}   ({len(sources):,} pairs at 0-{max_hamming} bits; target 100 %)"
    )
    print(f"  clusters             {len(np.unique(labels)):,}")
    sub = hashes[:baseline_n]
    start = time.perf_counter()
    bi, bj = all_pairs_within(sub, max_hamming)
    brute = time.perf_counter() - start
    start = time.perf_counter()
    mi, mj = linked_pairs(sub, max_hamming)
    fast_small = time.perf_counter() - start
    same = np.array_equal(union_find(baseline_n, bi, bj), union_find(baseline_n, mi, mj))
    extrapolated = brute * (n / baseline_n) ** 2
    print(
        f"all pairs on {baseline_n:,} hashes: {brute:.2f} s ({len(bi):,} pairs; same clusters as the index: {same}; "
        f"index {fast_small:.3f} s)"
    )
    print(f"  extrapolated to {n:,}: {extrapolated:,.0f} s = {extrapolated / 3600:.1f} h")
    print(f"  ratio all-pairs (extrapolated) / multi-index: {extrapolated / wall:,.0f}x")


def _same_picture(images) -> np.ndarray:
    """``(N, N)`` bool: grey 32×32 thumbnails within a mean absolute difference of 8/255."""
    thumbs = np.stack([np.asarray(im.convert("L").resize((32, 32)), np.float32).ravel() for im in images])
    diff = np.abs(thumbs[:, None, :] - thumbs[None, :, :]).mean(axis=2)
    return diff <= 8


def quality(n: int, max_hamming: int, min_cosine: float, cache_dir: str | None) -> None:
    from PIL import Image

    from crowd_sentiment.core.copy_transforms import COPY_TRANSFORMS, shared_mvsa_pictures
    from crowd_sentiment.core.dedup import dhash
    from crowd_sentiment.core.embedding_search import backbone_features, normalised
    from crowd_sentiment.core.feature_cache import FeatureCache
    from crowd_sentiment.core.image_sets import ImageSet
    from crowd_sentiment.core.images import content_id
    from crowd_sentiment.core.students import StudentSpec

    originals = [Image.open(p).convert("RGB") for p in shared_mvsa_pictures(ROOT, n)]
    spec = StudentSpec()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        names, paths = [], []
        for variant in ("original", *COPY_TRANSFORMS):
            for k, image in enumerate(originals):
                copy = image if variant == "original" else COPY_TRANSFORMS[variant](image)
                path = Path(tmp) / f"{variant}_{k}.png"
                copy.save(path)
                names.append(variant)
                paths.append(path)
        hashes = np.array([dhash(Image.open(p)) for p in paths], dtype=np.uint64)
        ids = [content_id(p.read_bytes()) for p in paths]
        cache = FeatureCache(cache_dir) if cache_dir else None
        features = normalised(backbone_features(spec, ImageSet.of(ids, paths), cache, batch_size=64))
        print(
            f"{n} MVSA pictures × {len(COPY_TRANSFORMS)} copies: hashes and {spec.arch} features in "
            f"{time.perf_counter() - start:.0f} s"
        )
    variants = np.array(names)
    h0, f0 = hashes[variants == "original"], features[variants == "original"]
    print(
        f"{'transform':14s} {'dHash<=' + str(max_hamming):>10s} {'cos>=' + str(min_cosine):>10s} {'either':>8s}"
        f"   median bits   median cosine"
    )
    for variant in COPY_TRANSFORMS:
        h, f = hashes[variants == variant], features[variants == variant]
        bits = np.bitwise_count(h ^ h0)
        cos = (f * f0).sum(axis=1)
        by_hash, by_cos = bits <= max_hamming, cos >= min_cosine
        print(
            f"{variant:14s} {by_hash.mean():10.1%} {by_cos.mean():10.1%} {(by_hash | by_cos).mean():8.1%}"
            f"   {np.median(bits):11.0f}   {np.median(cos):13.3f}"
        )
    print(
        "cosine threshold sweep: recall per transform (cosine alone), false positives on different pictures"
    )
    same = _same_picture(originals)
    different = np.triu(np.ones((n, n), bool), 1) & ~same
    sims = f0 @ f0.T
    for threshold in (0.85, 0.88, 0.90, 0.93, 0.95):
        recalls = "  ".join(
            f"{v} {((features[variants == v] * f0).sum(axis=1) >= threshold).mean():.0%}"
            for v in COPY_TRANSFORMS
        )
        print(
            f"  >= {threshold:.2f}: {recalls}  | false positives {int((sims[different] >= threshold).sum())}"
        )
    upper = np.triu(np.ones((n, n), bool), 1)
    hash_fp = (np.bitwise_count(h0[:, None] ^ h0[None, :]) <= max_hamming) & different
    cos_fp = (sims >= min_cosine) & different
    pairs = int(different.sum())
    print(
        f"false positives among {pairs:,} pairs of different pictures ({int((same & upper).sum())} pairs of "
        f"originals are the same picture and not counted):"
    )
    print(
        f"  dHash {hash_fp.sum()} ({hash_fp.sum() / pairs:.3%}), cosine {cos_fp.sum()} ({cos_fp.sum() / pairs:.3%}), "
        f"either {(hash_fp | cos_fp).sum()} ({(hash_fp | cos_fp).sum() / pairs:.3%}); target <= 0.1 %"
    )
    print(
        f"  highest cosine between different pictures: {np.sort(sims[different])[-5:][::-1].round(3).tolist()}"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", choices=["scale", "quality", "all"], default="all")
    parser.add_argument("--n", type=int, default=1_000_000, help="hashes in the scale benchmark")
    parser.add_argument("--pictures", type=int, default=120, help="MVSA pictures in the quality benchmark")
    parser.add_argument("--max-hamming", type=int, default=4)
    parser.add_argument("--min-cosine", type=float, default=0.90)
    parser.add_argument(
        "--feature-cache", default=None, help="a folder to keep backbone features between runs"
    )
    args = parser.parse_args(argv)
    if args.part in ("scale", "all"):
        scale(args.n, max_hamming=args.max_hamming)
    if args.part in ("quality", "all"):
        quality(args.pictures, args.max_hamming, args.min_cosine, args.feature_cache)


if __name__ == "__main__":
    main(sys.argv[1:])
