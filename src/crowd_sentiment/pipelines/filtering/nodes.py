"""Nodes selecting confident, de-duplicated images and splitting them without leakage."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from crowd_sentiment.core.benchmarks import THREE_CLASS_LAYOUTS, load_benchmark
from crowd_sentiment.core.dedup import dhash_file, near_duplicate_clusters
from crowd_sentiment.core.images import ImageStore, content_id
from crowd_sentiment.core.selection import build_manifest
from crowd_sentiment.params import BenchmarkingParams, FilteringParams

log = logging.getLogger(__name__)


def fingerprint_images(
    tweet_images: pd.DataFrame, tweet_image_store: ImageStore, params: FilteringParams
) -> pd.DataFrame:
    """Per distinct image: 64-bit dHash (hex) and near-duplicate ``cluster_id`` (an image id)."""
    ids = sorted(tweet_images["image_id"].unique())
    hashes = [dhash_file(tweet_image_store.path(i)) for i in ids]
    labels = near_duplicate_clusters(hashes, params.max_hamming)
    clusters = np.asarray(ids, dtype=object)[labels]
    log.info("%d images in %d near-duplicate clusters (max_hamming=%d)", len(ids), len(set(labels)), params.max_hamming)
    return pd.DataFrame({"image_id": ids, "dhash": [f"{h:016x}" for h in hashes], "cluster_id": clusters})


def load_benchmark_images(params: BenchmarkingParams) -> pd.DataFrame:
    """Every configured benchmark picture, read once for both uses: the leakage guard here and benchmarking.

    Rows ``benchmark, subset, image, path, label, layout, root, n_classes, image_id, dhash``:
    ``n_classes`` 2 (labels 0 negative, 1 positive) or 3; ``image_id`` the content hash, as
    for crowd pictures; ``dhash`` the 64-bit difference hash (hex).
    """
    frames = [
        load_benchmark(b.layout, b.root, b.name).assign(
            layout=b.layout, root=b.root, n_classes=3 if b.layout in THREE_CLASS_LAYOUTS else 2
        )
        for b in params.benchmarks
    ]
    table = pd.concat(frames, ignore_index=True)
    paths = table["path"].unique()
    table["image_id"] = table["path"].map({p: content_id(Path(p).read_bytes()) for p in paths})
    table["dhash"] = table["path"].map({p: f"{dhash_file(p):016x}" for p in paths})
    log.info("benchmark images: %s", table.groupby(["benchmark", "subset"]).size().to_dict())
    return table


def build_distillation_manifest(
    tweet_images: pd.DataFrame,
    tweet_sentiment: pd.DataFrame,
    image_fingerprints: pd.DataFrame,
    benchmark_images: pd.DataFrame,
    params: FilteringParams,
) -> tuple[pd.DataFrame, dict]:
    """Training manifest (one row per kept image, with ``split``) and the filtering funnel counts."""
    held_out = [int(h, 16) for h in benchmark_images["dhash"].unique()]
    return build_manifest(tweet_images, tweet_sentiment, image_fingerprints, held_out, params)
