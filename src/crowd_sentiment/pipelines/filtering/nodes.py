"""Nodes selecting confident, de-duplicated images and splitting them without leakage."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from crowd_sentiment.core.benchmarks import THREE_CLASS_LAYOUTS, load_benchmark
from crowd_sentiment.core.dedup import dhash_file, near_duplicate_clusters, near_duplicates_of
from crowd_sentiment.core.images import ImageStore, content_id
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.selection import (
    confident_labels,
    grouped_stratified_split,
    image_targets,
    pool_near_duplicates,
    undersample_to_minority,
)
from crowd_sentiment.params import BenchmarkingParams, FilteringParams

log = logging.getLogger(__name__)

MANIFEST_COLUMNS = [
    "image_id",
    "path",
    *PROBABILITY_COLUMNS,
    "label",
    "label_index",
    "confidence",
    "n_tweets",
    "cluster_id",
    "split",
]


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
    targets = image_targets(tweet_images, tweet_sentiment)
    funnel = {"image_occurrences": len(tweet_images), "distinct_images": len(targets)}
    hashes = image_fingerprints.set_index("image_id")["dhash"].map(lambda h: int(h, 16))
    held_out = near_duplicates_of(
        hashes.loc[targets["image_id"]].tolist(),
        [int(h, 16) for h in benchmark_images["dhash"].unique()],
        params.max_hamming,
    )
    targets = targets[~held_out].reset_index(drop=True)
    funnel["after_removing_benchmark_duplicates"] = len(targets)
    clusters = image_fingerprints.set_index("image_id")["cluster_id"]
    if params.drop_near_duplicates:
        targets = pool_near_duplicates(targets, clusters)
    else:
        targets = targets.assign(cluster_id=targets["image_id"].map(clusters))
    funnel["after_near_duplicates"] = len(targets)
    probs = targets[list(PROBABILITY_COLUMNS)].to_numpy()
    labels, keep = confident_labels(probs, params.min_confidence)
    manifest = targets.assign(label_index=labels, confidence=probs.max(1))[keep].reset_index(drop=True)
    funnel["above_threshold"] = len(manifest)
    if params.balance == "undersample" and len(manifest):
        manifest = manifest[
            undersample_to_minority(manifest["label_index"].to_numpy(), seed=params.seed)
        ].reset_index(drop=True)
    funnel["after_balancing"] = len(manifest)
    if manifest.empty:
        raise ValueError(
            f"no image passed filtering (min_confidence={params.min_confidence}); funnel {funnel}"
        )
    manifest["label"] = manifest["label_index"].map(dict(enumerate(SENTIMENTS)))
    manifest["split"] = grouped_stratified_split(
        manifest["label_index"].to_numpy(),
        manifest["cluster_id"].to_numpy(),
        validation_fraction=params.validation_fraction,
        seed=params.seed,
    )
    for split, frame in manifest.groupby("split"):
        funnel[f"{split}_by_label"] = (
            frame["label"].value_counts().reindex(SENTIMENTS, fill_value=0).to_dict()
        )
    log.info("filtering funnel: %s", funnel)
    return manifest[MANIFEST_COLUMNS], funnel
