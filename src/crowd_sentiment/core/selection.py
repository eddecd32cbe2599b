"""From teacher probabilities per tweet to a confident, de-duplicated, leakage-free training manifest and its funnel."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from crowd_sentiment.core.dedup import near_duplicates_of
from crowd_sentiment.core.embedding_search import EmbeddingSearchSettings
from crowd_sentiment.core.funnel import FunnelCounter
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS, Sentiment
from crowd_sentiment.core.near_duplicates import union_find
from crowd_sentiment.core.settings import Settings

log = logging.getLogger(__name__)
PROBS = list(PROBABILITY_COLUMNS)
MANIFEST_COLUMNS = [
    "image_id", "path", *PROBABILITY_COLUMNS, "label", "label_index", "confidence", "n_tweets", "cluster_id",
    "split_group", "split", "guarded_against",
]  # fmt: skip
# ``DataFrame.attrs`` key (kept in the parquet file) of the settings that produced a table:
# ``{"ingestion": {...}}`` on tweet_images, ``{"teacher_labeling": {...}, "teacher": {...}}`` on
# tweet_sentiment, both plus ``{"filtering": {...}, "funnel": {...}}`` on the manifest.
PROVENANCE = "provenance"
# Named per-class thresholds on the teacher's argmax probability, per teacher. ``paper`` and
# ``paper_flat``: the paper's two presets for its teacher (cardiffnlp/twitter-roberta-base-
# sentiment-latest); ``vader`` and ``learned``: chosen for those teachers on TweetEval's
# validation tweets (parameters_teacher_labeling.yml); ``argmax``: every argmax kept (soft
# targets carry the confidence).
CONFIDENCE_PRESETS: dict[str, dict[str, float]] = {
    "paper": {"negative": 0.70, "neutral": 0.90, "positive": 0.90},
    "paper_flat": {"negative": 0.70, "neutral": 0.70, "positive": 0.70},
    "vader": {"negative": 0.70, "neutral": 0.90, "positive": 0.90},
    "learned": {"negative": 0.54, "neutral": 0.34, "positive": 0.34},
    "argmax": {"negative": 0.0, "neutral": 0.0, "positive": 0.0},
}


class FilteringSettings(Settings):
    """Which images train the student, and how they are split.

    ``min_confidence``: a preset name of :data:`CONFIDENCE_PRESETS` or a threshold per class.
    ``validation_fraction`` and ``test_fraction``: of split groups (clusters joined by shared
    tweets), per label. ``embedding``: the optional cosine search on cached backbone features.
    """

    min_confidence: Literal["paper", "paper_flat", "vader", "learned", "argmax"] | dict[Sentiment, float] = (
        "paper"
    )
    max_hamming: int = Field(4, ge=0, le=32)  # dHash bits within which two pictures are near-duplicates
    drop_near_duplicates: bool = True  # keep one picture per near-duplicate cluster
    balance: Literal["none", "undersample"] = "none"
    validation_fraction: float = Field(0.2, gt=0, lt=1)
    test_fraction: float = Field(0.0, ge=0, lt=1)
    seed: int = 42
    embedding: EmbeddingSearchSettings = EmbeddingSearchSettings()

    @model_validator(mode="after")
    def _all_classes(self) -> FilteringSettings:
        if isinstance(self.min_confidence, dict):
            missing = set(SENTIMENTS) - set(self.min_confidence)
            if missing:
                raise ValueError(f"min_confidence needs a threshold for {sorted(missing)} (or a preset name)")
            bad = {k: v for k, v in self.min_confidence.items() if not 0 <= v <= 1}
            if bad:
                raise ValueError(f"min_confidence values must be in [0, 1], got {bad}")
        if self.validation_fraction + self.test_fraction >= 1:
            raise ValueError(
                f"validation_fraction + test_fraction must be below 1 to leave a train split, got "
                f"{self.validation_fraction} + {self.test_fraction}"
            )
        return self

    @property
    def thresholds(self) -> dict[str, float]:
        """The per-class thresholds, the preset resolved."""
        if isinstance(self.min_confidence, str):
            return dict(CONFIDENCE_PRESETS[self.min_confidence])
        return dict(self.min_confidence)


def image_targets(tweet_images: pd.DataFrame, tweet_sentiment: pd.DataFrame) -> pd.DataFrame:
    """One row per ``image_id`` with mean teacher probabilities over the tweets that posted it.

    Args:
        tweet_images: ``image_id, tweet_id, path, width, height`` (one row per occurrence).
        tweet_sentiment: ``tweet_id, p_negative, p_neutral, p_positive`` (NaN rows: no label).

    Returns:
        ``image_id, path, width, height, n_tweets, p_negative, p_neutral, p_positive``.
    """
    labelled = tweet_sentiment.dropna(
        subset=PROBS
    )  # a teacher may abstain (NaN), e.g. on a language it lacks
    joined = tweet_images.merge(labelled[["tweet_id", *PROBS]], on="tweet_id", how="inner")
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
    labels: np.ndarray,
    groups: np.ndarray,
    *,
    validation_fraction: float,
    seed: int,
    test_fraction: float = 0.0,
) -> np.ndarray:
    """``"train"``/``"validation"``/``"test"`` per item; a group never spans two splits.

    Groups are stratified by their most frequent label: within each label, a seeded
    permutation of its groups sends ``round(validation_fraction · n_groups)`` of them to
    validation (at least one when the label has two or more groups), the next
    ``round(test_fraction · n_groups)`` to test, and always leaves one to train.
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction}")
    if not 0 <= test_fraction < 1 - validation_fraction:
        raise ValueError(f"test_fraction must be in [0, 1 - validation_fraction), got {test_fraction}")
    frame = pd.DataFrame({"label": labels, "group": groups})
    group_label = frame.groupby("group")["label"].agg(lambda s: s.value_counts().idxmax())
    rng = np.random.default_rng(seed)
    validation_groups: set = set()
    test_groups: set = set()
    for label in sorted(group_label.unique()):
        members = np.sort(group_label.index[group_label == label].to_numpy())
        n_val = int(round(validation_fraction * len(members)))
        if len(members) >= 2:
            n_val = min(max(n_val, 1), len(members) - 1)
        n_test = min(int(round(test_fraction * len(members))), max(len(members) - n_val - 1, 0))
        order = rng.permutation(members)
        validation_groups.update(order[:n_val].tolist())
        test_groups.update(order[n_val : n_val + n_test].tolist())
    split = np.where(frame["group"].isin(validation_groups), "validation", "train")
    return np.where(frame["group"].isin(test_groups), "test", split)


def split_groups(cluster_ids: Sequence, tweet_images: pd.DataFrame, clusters: pd.Series) -> np.ndarray:
    """Group per manifest row ``(N,)``: rows linked by a shared cluster or a shared tweet share a group.

    Args:
        cluster_ids: ``cluster_id`` per row.
        tweet_images: ``image_id, tweet_id`` (every occurrence).
        clusters: ``cluster_id`` per ``image_id`` of every crowd picture.

    Returns:
        The smallest ``cluster_id`` of each row's group (union-find over clusters and tweets).
    """
    row_of_cluster = (
        pd.Series(np.arange(len(cluster_ids)), index=pd.Index(cluster_ids)).groupby(level=0).min()
    )
    occurrences = tweet_images[["image_id", "tweet_id"]].assign(
        cluster=tweet_images["image_id"].map(clusters)
    )
    occurrences = occurrences[occurrences["cluster"].isin(row_of_cluster.index)]
    rows = pd.concat(
        [
            pd.DataFrame({"key": "c" + pd.Series(cluster_ids, dtype=str), "row": np.arange(len(cluster_ids))}),
            pd.DataFrame({"key": "t" + occurrences["tweet_id"].astype(str).to_numpy(),
                          "row": row_of_cluster.loc[occurrences["cluster"]].to_numpy()}),
        ]
    )  # fmt: skip
    first = rows.groupby("key")["row"].transform("min").to_numpy()
    roots = union_find(len(cluster_ids), first, rows["row"].to_numpy())
    order = np.argsort(np.asarray(cluster_ids, dtype=str), kind="stable")
    smallest = pd.Series(np.asarray(cluster_ids, dtype=object)[order]).groupby(roots[order]).first()
    return smallest.loc[roots].to_numpy()


def undersample_to_minority(labels: np.ndarray, *, seed: int) -> np.ndarray:
    """Boolean mask keeping, per class present, as many items as the rarest class has (seeded)."""
    rng = np.random.default_rng(seed)
    present, counts = np.unique(labels, return_counts=True)
    keep = np.zeros(len(labels), dtype=bool)
    for label in present:
        idx = np.flatnonzero(labels == label)
        keep[rng.choice(idx, size=counts.min(), replace=False)] = True
    return keep


def _argmax_or_unlabelled(frame: pd.DataFrame) -> np.ndarray:
    """Teacher argmax per row, -1 where the row has no probabilities."""
    probs = frame[PROBS].to_numpy(float)
    labelled = ~np.isnan(probs).any(axis=1)
    return np.where(labelled, np.nan_to_num(probs, nan=0.0).argmax(axis=1), -1)


def build_manifest(
    tweet_images: pd.DataFrame,
    tweet_sentiment: pd.DataFrame,
    fingerprints: pd.DataFrame,
    held_out_hashes: Sequence[int],
    settings: FilteringSettings,
    *,
    guarded_against: Sequence[str] = (),
    held_out_ids: Collection[str] = (),
) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """The training manifest (:data:`MANIFEST_COLUMNS`, one row per kept image), the funnel
    summary (JSON-ready) and the funnel table per class (``core.funnel.FUNNEL_COLUMNS``).

    Steps: tweets are labelled and thresholded (counted only: the thresholds select pictures,
    on pooled probabilities); the pictures of labelled tweets inherit their tweets' mean
    probabilities; pictures within ``max_hamming`` bits of a held-out (benchmark) hash,
    or listed in ``held_out_ids`` (embedding matches), are dropped; near-duplicate clusters
    are pooled (``fingerprints``: ``image_id, dhash, cluster_id``); confident labels are kept,
    optionally balanced; a seeded split keeps each cluster and each tweet on one side.
    ``guarded_against``: the benchmark names whose pictures were held out (recorded).
    """
    thresholds = settings.thresholds
    counter = FunnelCounter()
    tweets = pd.DataFrame({"tweet_id": tweet_images["tweet_id"].unique()}).merge(
        tweet_sentiment[["tweet_id", *PROBS]], on="tweet_id", how="left"
    )
    tweet_labels = _argmax_or_unlabelled(tweets)
    counter.add("ingested", "tweets", tweet_labels)
    labelled = tweet_labels >= 0
    counter.add("labelled", "tweets", tweet_labels[labelled])
    _, tweet_keep = confident_labels(tweets.loc[labelled, PROBS].to_numpy(float), thresholds)
    counter.add("confident", "tweets", tweet_labels[labelled][tweet_keep])

    targets = image_targets(tweet_images, tweet_sentiment)  # the pictures of labelled tweets
    counter.add("distinct", "pictures", _argmax_or_unlabelled(targets))
    by_image = fingerprints.set_index("image_id")
    hashes = by_image["dhash"].map(lambda h: int(h, 16))
    held_out = near_duplicates_of(
        hashes.loc[targets["image_id"]].tolist(), held_out_hashes, settings.max_hamming
    )
    held_out_by_embedding = targets["image_id"].isin(set(held_out_ids)).to_numpy() & ~held_out
    targets = targets[~(held_out | held_out_by_embedding)].reset_index(drop=True)
    counter.add("benchmark_guard", "pictures", _argmax_or_unlabelled(targets))
    if settings.drop_near_duplicates:
        targets = pool_near_duplicates(targets, by_image["cluster_id"])
    else:
        targets = targets.assign(cluster_id=targets["image_id"].map(by_image["cluster_id"]))
    counter.add("near_duplicates", "pictures", _argmax_or_unlabelled(targets))
    probs = targets[PROBS].to_numpy()
    labels, keep = confident_labels(probs, thresholds)
    manifest = targets.assign(label_index=labels, confidence=probs.max(1))[keep].reset_index(drop=True)
    counter.add("confident", "pictures", manifest["label_index"].to_numpy())
    if settings.balance == "undersample" and len(manifest):
        chosen = undersample_to_minority(manifest["label_index"].to_numpy(), seed=settings.seed)
        manifest = manifest[chosen].reset_index(drop=True)
    counter.add("balanced", "pictures", manifest["label_index"].to_numpy())
    summary = {
        "guarded_against": sorted(set(guarded_against)),
        "benchmark_duplicates": {
            "by_hash": int(held_out.sum()),
            "by_embedding": int(held_out_by_embedding.sum()),
        },
        "thresholds": thresholds,
    }
    if manifest.empty:
        raise ValueError(
            f"no image passed filtering (min_confidence={settings.min_confidence}); funnel {counter.table().to_dict('records')}"
        )
    manifest["label"] = manifest["label_index"].map(dict(enumerate(SENTIMENTS)))
    manifest["split_group"] = split_groups(
        manifest["cluster_id"].tolist(), tweet_images, by_image["cluster_id"]
    )
    manifest["split"] = grouped_stratified_split(
        manifest["label_index"].to_numpy(), manifest["split_group"].to_numpy(),
        validation_fraction=settings.validation_fraction, test_fraction=settings.test_fraction, seed=settings.seed,
    )  # fmt: skip
    manifest["guarded_against"] = ",".join(summary["guarded_against"])
    for split in ("train", "validation", "test"):
        if split != "test" or settings.test_fraction > 0:
            counter.add(split, "pictures", manifest.loc[manifest["split"] == split, "label_index"].to_numpy())
    table = counter.table()
    summary["steps"] = table.to_dict("records")
    log.info("filtering funnel:\n%s", table.to_string(index=False))
    return manifest[MANIFEST_COLUMNS], summary, table


def with_provenance(frame: pd.DataFrame, **parts: dict) -> pd.DataFrame:
    """``frame`` with ``parts`` (JSON-ready dicts) added to its recorded provenance (``frame.attrs``, in place)."""
    frame.attrs[PROVENANCE] = {**frame.attrs.get(PROVENANCE, {}), **parts}
    return frame


def provenance(frame: pd.DataFrame) -> dict:
    """The settings recorded on ``frame`` by :func:`with_provenance` (``{}`` for a table written before they were)."""
    return dict(frame.attrs.get(PROVENANCE, {}))
