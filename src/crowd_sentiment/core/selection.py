"""From teacher probabilities per tweet to a confident, de-duplicated, leakage-free training manifest."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from crowd_sentiment.core.dedup import near_duplicates_of
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS, Sentiment
from crowd_sentiment.core.settings import Settings

log = logging.getLogger(__name__)
PROBS = list(PROBABILITY_COLUMNS)
MANIFEST_COLUMNS = [
    "image_id", "path", *PROBABILITY_COLUMNS, "label", "label_index", "confidence", "n_tweets", "cluster_id", "split",
]  # fmt: skip


class FilteringSettings(Settings):
    """Which images train the student. ``min_confidence``: per-class threshold on the teacher's argmax
    (the paper's preset: 0.70 negative, 0.90 neutral and positive)."""

    min_confidence: dict[Sentiment, float] = {"negative": 0.70, "neutral": 0.90, "positive": 0.90}
    max_hamming: int = Field(4, ge=0, le=32)  # dHash bits within which two pictures are near-duplicates
    drop_near_duplicates: bool = True  # keep one picture per near-duplicate cluster
    balance: Literal["none", "undersample"] = "none"
    validation_fraction: float = Field(0.2, gt=0, lt=1)  # of duplicate clusters, per label
    seed: int = 42

    @model_validator(mode="after")
    def _all_classes(self) -> FilteringSettings:
        missing = set(SENTIMENTS) - set(self.min_confidence)
        if missing:
            raise ValueError(f"min_confidence needs a threshold for {sorted(missing)}")
        bad = {k: v for k, v in self.min_confidence.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"min_confidence values must be in [0, 1], got {bad}")
        return self


def image_targets(tweet_images: pd.DataFrame, tweet_sentiment: pd.DataFrame) -> pd.DataFrame:
    """One row per ``image_id`` with mean teacher probabilities over the tweets that posted it.

    Args:
        tweet_images: ``image_id, tweet_id, path, width, height`` (one row per occurrence).
        tweet_sentiment: ``tweet_id, p_negative, p_neutral, p_positive``.

    Returns:
        ``image_id, path, width, height, n_tweets, p_negative, p_neutral, p_positive``.
    """
    joined = tweet_images.merge(tweet_sentiment[["tweet_id", *PROBS]], on="tweet_id", how="inner")
    grouped = joined.groupby("image_id", sort=True)
    targets = grouped.agg(
        path=("path", "first"),
        width=("width", "first"),
        height=("height", "first"),
        n_tweets=("tweet_id", "nunique"),
    )
    targets[PROBS] = grouped[PROBS].mean()
    return targets.reset_index()


def pool_near_duplicates(targets: pd.DataFrame, cluster_ids: pd.Series) -> pd.DataFrame:
    """Keep the largest image of each near-duplicate cluster, with the cluster's pooled targets.

    Args:
        targets: output of :func:`image_targets`.
        cluster_ids: ``cluster_id`` per ``image_id`` (index: image_id).

    Returns:
        ``targets`` restricted to one row per cluster; probabilities are the mean over the
        cluster's images weighted by their tweet counts; ``n_tweets`` is the cluster sum.
    """
    frame = targets.assign(cluster_id=targets["image_id"].map(cluster_ids))
    if frame["cluster_id"].isna().any():
        missing = frame.loc[frame["cluster_id"].isna(), "image_id"].head(3).tolist()
        raise ValueError(f"images without a fingerprint cluster, e.g. {missing}")
    weighted = frame[PROBS].mul(frame["n_tweets"], axis=0).groupby(frame["cluster_id"]).sum()
    counts = frame.groupby("cluster_id")["n_tweets"].sum()
    best = (
        frame.assign(_area=frame["width"] * frame["height"])
        .sort_values(["cluster_id", "_area", "image_id"], ascending=[True, False, True])
        .drop_duplicates("cluster_id")
        .drop(columns="_area")
        .set_index("cluster_id")
    )
    best[PROBS] = weighted.div(counts, axis=0).loc[best.index]
    best["n_tweets"] = counts.loc[best.index]
    return best.reset_index()


def confident_labels(probs: np.ndarray, min_confidence: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Argmax labels ``(N,)`` of probabilities ``(N, 3)`` and a mask ``(N,)``: the argmax reaches its class's threshold."""
    thresholds = np.array([min_confidence[name] for name in SENTIMENTS])
    labels = probs.argmax(axis=1)
    keep = probs[np.arange(len(probs)), labels] >= thresholds[labels]
    return labels, keep


def grouped_stratified_split(
    labels: np.ndarray, groups: np.ndarray, *, validation_fraction: float, seed: int
) -> np.ndarray:
    """``"train"``/``"validation"`` per item; a group never spans both splits.

    Groups are stratified by their most frequent label: within each label, a seeded
    permutation of its groups sends ``round(validation_fraction · n_groups)`` of them to
    validation (at least one when the label has two or more groups).
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction}")
    frame = pd.DataFrame({"label": labels, "group": groups})
    group_label = frame.groupby("group")["label"].agg(lambda s: s.value_counts().idxmax())
    rng = np.random.default_rng(seed)
    validation_groups: set = set()
    for label in sorted(group_label.unique()):
        members = np.sort(group_label.index[group_label == label].to_numpy())
        n_val = int(round(validation_fraction * len(members)))
        if len(members) >= 2:
            n_val = min(max(n_val, 1), len(members) - 1)
        validation_groups.update(rng.permutation(members)[:n_val].tolist())
    return np.where(frame["group"].isin(validation_groups), "validation", "train")


def undersample_to_minority(labels: np.ndarray, *, seed: int) -> np.ndarray:
    """Boolean mask keeping, per class present, as many items as the rarest class has (seeded)."""
    rng = np.random.default_rng(seed)
    present, counts = np.unique(labels, return_counts=True)
    keep = np.zeros(len(labels), dtype=bool)
    for label in present:
        idx = np.flatnonzero(labels == label)
        keep[rng.choice(idx, size=counts.min(), replace=False)] = True
    return keep


def build_manifest(
    tweet_images: pd.DataFrame,
    tweet_sentiment: pd.DataFrame,
    fingerprints: pd.DataFrame,
    held_out_hashes: Sequence[int],
    settings: FilteringSettings,
) -> tuple[pd.DataFrame, dict]:
    """The training manifest (:data:`MANIFEST_COLUMNS`, one row per kept image) and the funnel counts.

    Steps: images inherit their tweets' mean probabilities; pictures within ``max_hamming``
    bits of a held-out (benchmark) hash are dropped; near-duplicate clusters are pooled
    (``fingerprints``: ``image_id, dhash, cluster_id``); confident labels are kept,
    optionally balanced; a seeded split keeps each cluster on one side.
    """
    targets = image_targets(tweet_images, tweet_sentiment)
    funnel = {"image_occurrences": len(tweet_images), "distinct_images": len(targets)}
    by_image = fingerprints.set_index("image_id")
    hashes = by_image["dhash"].map(lambda h: int(h, 16))
    held_out = near_duplicates_of(hashes.loc[targets["image_id"]].tolist(), held_out_hashes, settings.max_hamming)
    targets = targets[~held_out].reset_index(drop=True)
    funnel["after_removing_benchmark_duplicates"] = len(targets)
    if settings.drop_near_duplicates:
        targets = pool_near_duplicates(targets, by_image["cluster_id"])
    else:
        targets = targets.assign(cluster_id=targets["image_id"].map(by_image["cluster_id"]))
    funnel["after_near_duplicates"] = len(targets)
    probs = targets[PROBS].to_numpy()
    labels, keep = confident_labels(probs, settings.min_confidence)
    manifest = targets.assign(label_index=labels, confidence=probs.max(1))[keep].reset_index(drop=True)
    funnel["above_threshold"] = len(manifest)
    if settings.balance == "undersample" and len(manifest):
        chosen = undersample_to_minority(manifest["label_index"].to_numpy(), seed=settings.seed)
        manifest = manifest[chosen].reset_index(drop=True)
    funnel["after_balancing"] = len(manifest)
    if manifest.empty:
        raise ValueError(f"no image passed filtering (min_confidence={settings.min_confidence}); funnel {funnel}")
    manifest["label"] = manifest["label_index"].map(dict(enumerate(SENTIMENTS)))
    manifest["split"] = grouped_stratified_split(
        manifest["label_index"].to_numpy(), manifest["cluster_id"].to_numpy(),
        validation_fraction=settings.validation_fraction, seed=settings.seed,
    )  # fmt: skip
    for split, frame in manifest.groupby("split"):
        funnel[f"{split}_by_label"] = frame["label"].value_counts().reindex(SENTIMENTS, fill_value=0).to_dict()
    log.info("filtering funnel: %s", funnel)
    return manifest[MANIFEST_COLUMNS], funnel
