"""Nodes selecting confident, de-duplicated images and splitting them without leakage."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from crowd_sentiment.core.benchmarks import load_benchmark
from crowd_sentiment.core.dedup import dhash_file, near_duplicate_clusters, near_duplicates_of
from crowd_sentiment.core.images import ImageStore
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.selection import (
    confident_labels,
    grouped_stratified_split,
    image_targets,
    pool_near_duplicates,
    undersample_to_minority,
)
from crowd_sentiment.params import BenchmarkingParams, FilteringParams, parse

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
    tweet_images: pd.DataFrame, tweet_image_store: ImageStore, params: dict
) -> pd.DataFrame:
    """Per distinct image: 64-bit dHash (hex) and near-duplicate ``cluster_id`` (an image id)."""
    config = parse(FilteringParams, params)
    ids = sorted(tweet_images["image_id"].unique())
    hashes = [dhash_file(tweet_image_store.path(i)) for i in ids]
    labels = near_duplicate_clusters(hashes, config.max_hamming)
    clusters = np.asarray(ids, dtype=object)[labels]
    log.info(
        "%d images in %d near-duplicate clusters (max_hamming=%d)",
        len(ids),
        len(set(labels)),
        config.max_hamming,
    )
    return pd.DataFrame({"image_id": ids, "dhash": [f"{h:016x}" for h in hashes], "cluster_id": clusters})


def fingerprint_held_out_images(benchmarking_params: dict) -> pd.DataFrame:
    """dHash (hex) of every picture of the configured benchmarks: ``benchmark, path, dhash``.

    Crowd pictures near these are dropped from training, so a held-out benchmark picture
    never enters training as a repost or re-encoding.
    """
    config = parse(BenchmarkingParams, benchmarking_params)
    frames = [load_benchmark(b.layout, b.root, b.name) for b in config.benchmarks]
    images = pd.concat(frames, ignore_index=True).drop_duplicates("path")[["benchmark", "path"]]
    images["dhash"] = [f"{dhash_file(path):016x}" for path in images["path"]]
    log.info("fingerprinted %d held-out benchmark pictures", len(images))
    return images.reset_index(drop=True)


def build_distillation_manifest(
    tweet_images: pd.DataFrame,
    tweet_sentiment: pd.DataFrame,
    image_fingerprints: pd.DataFrame,
    held_out_fingerprints: pd.DataFrame,
    params: dict,
) -> tuple[pd.DataFrame, dict]:
    """Training manifest (one row per kept image, with ``split``) and the filtering funnel counts."""
    config = parse(FilteringParams, params)
    targets = image_targets(tweet_images, tweet_sentiment)
    funnel = {"image_occurrences": len(tweet_images), "distinct_images": len(targets)}
    hashes = image_fingerprints.set_index("image_id")["dhash"].map(lambda h: int(h, 16))
    held_out = near_duplicates_of(
        hashes.loc[targets["image_id"]].tolist(),
        [int(h, 16) for h in held_out_fingerprints["dhash"]],
        config.max_hamming,
    )
    targets = targets[~held_out].reset_index(drop=True)
    funnel["after_removing_benchmark_duplicates"] = len(targets)
    clusters = image_fingerprints.set_index("image_id")["cluster_id"]
    if config.drop_near_duplicates:
        targets = pool_near_duplicates(targets, clusters)
    else:
        targets = targets.assign(cluster_id=targets["image_id"].map(clusters))
    funnel["after_near_duplicates"] = len(targets)
    probs = targets[list(PROBABILITY_COLUMNS)].to_numpy()
    labels, keep = confident_labels(probs, config.min_confidence)
    manifest = targets.assign(label_index=labels, confidence=probs.max(1))[keep].reset_index(drop=True)
    funnel["above_threshold"] = len(manifest)
    if config.balance == "undersample" and len(manifest):
        manifest = manifest[
            undersample_to_minority(manifest["label_index"].to_numpy(), seed=config.seed)
        ].reset_index(drop=True)
    funnel["after_balancing"] = len(manifest)
    if manifest.empty:
        raise ValueError(
            f"no image passed filtering (min_confidence={config.min_confidence}); funnel {funnel}"
        )
    manifest["label"] = manifest["label_index"].map(dict(enumerate(SENTIMENTS)))
    manifest["split"] = grouped_stratified_split(
        manifest["label_index"].to_numpy(),
        manifest["cluster_id"].to_numpy(),
        validation_fraction=config.validation_fraction,
        seed=config.seed,
    )
    for split, frame in manifest.groupby("split"):
        funnel[f"{split}_by_label"] = (
            frame["label"].value_counts().reindex(SENTIMENTS, fill_value=0).to_dict()
        )
    log.info("filtering funnel: %s", funnel)
    return manifest[MANIFEST_COLUMNS], funnel
