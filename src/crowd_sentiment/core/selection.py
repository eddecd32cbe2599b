"""From teacher probabilities per tweet to a clean, leakage-free training manifest.

Steps (each a pure function on frames):

1. :func:`image_targets` — each image inherits its tweets' teacher probabilities; an
   image posted by several tweets (same content hash) gets their mean.
2. :func:`pool_near_duplicates` — optionally keep one image per near-duplicate cluster
   (the largest), with the mean probabilities of all tweets in the cluster.
3. :func:`confident_labels` — the argmax class is kept when its probability reaches a
   per-class threshold (paper: 0.70 negative, 0.90 neutral, 0.90 positive).
4. :func:`grouped_stratified_split` — a seeded train/validation split, stratified by
   label, in which a duplicate cluster never spans two splits.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS

PROBS = list(PROBABILITY_COLUMNS)


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
    """Hard labels and a keep-mask under per-class confidence thresholds.

    Args:
        probs: ``(N, 3)`` teacher probabilities (negative, neutral, positive).
        min_confidence: threshold per class name, e.g. ``{"negative": 0.7, ...}``.

    Returns:
        ``labels (N,)`` int argmax, ``keep (N,)`` bool — the argmax probability reaches
        its class's threshold.
    """
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
