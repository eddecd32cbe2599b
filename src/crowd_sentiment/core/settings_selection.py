"""Choosing settings by people, not by the teacher: a declared development slice of the crowd.

A seeded slice of crowd pictures is held out of every head fitted for the choice; their
human *image* labels score each setting of a grid declared up front, and the best score
names the default. The labels choose among settings only: no head is ever trained on them,
and no benchmark label takes part in the choice (benchmark figures are only reported).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from crowd_sentiment.core.metrics import binary_roc_auc, classification_scores, reliability
from crowd_sentiment.core.polar import BINARY_CLASSES, binary_prediction, binary_probability, polar_score
from crowd_sentiment.core.settings import Settings

log = logging.getLogger(__name__)


class SelectionSettings(Settings):
    """The development slice and the grid of distillation settings it chooses among.

    ``labels``: CSV with ``guid`` and ``image_label`` (negative/neutral/positive);
    ``crowd``: CSV of the crowd's ``guid`` (tweet ids). ``grid``: name → overrides of the
    ``distillation`` parameters (nested, e.g. ``{training: {l2: 3}}``). ``criterion``: the
    development-slice score that chooses (``auc`` = ROC-AUC of ``p_pos - p_neg`` on its
    polar pictures; ties go to accuracy). ``decisions``: name → overrides of
    ``distillation.training`` (decision, positive_share) tried on the chosen setting; the
    best development-slice ``decision_criterion`` wins (a second, declared stage; ties go to
    ``criterion``); a decision ``argmax`` is scored for reference but never chosen, because the
    binary decision point has to come from the crowd, not from 0. ``macro_f1`` weighs both
    classes: with a weak ranking, accuracy rewards calling nearly everything the slice's
    majority class, which carries its base rate into every benchmark.

    ``splits``: re-drawn train/validation splits of the manifest beside its own (``validation_share``
    of its near-duplicate groups to validation, seeds 1…); a setting's slice figures are the means
    over its fits on all of them, so that one split's luck does not choose (one split moves the slice
    AUC by about ±0.01, as much as most settings differ). A setting fitted on every row
    (``training.fit_validation``) does not depend on the split and is fitted once.
    """

    labels: str
    crowd: str
    size: int = Field(500, ge=1)  # crowd pictures in the development slice
    seed: int = 7
    criterion: str = "auc"
    grid: dict[str, dict[str, Any]]
    decisions: dict[str, dict[str, Any]] = {}
    decision_criterion: Literal["macro_f1", "accuracy"] = "macro_f1"
    splits: int = Field(5, ge=0)  # re-drawn train/validation splits beside the manifest's own
    validation_share: float = Field(0.2, gt=0, lt=1)  # of the near-duplicate groups, in a re-drawn split


def redrawn_split(manifest: pd.DataFrame, seed: int, share: float) -> pd.DataFrame:
    """``manifest`` with ``share`` of its ``split_group`` values (seeded draw) as validation, the rest as train."""
    groups = manifest["split_group"].unique()
    chosen = np.random.default_rng(seed).choice(groups, size=round(share * len(groups)), replace=False)
    return manifest.assign(split=np.where(manifest["split_group"].isin(chosen), "validation", "train"))


def manifest_splits(manifest: pd.DataFrame, splits: int, share: float) -> list[tuple[str, pd.DataFrame]]:
    """The manifest's own split, then ``splits`` re-drawn ones (seeds 1…``splits``), each named."""
    return [("manifest split", manifest)] + [
        (f"re-drawn split {seed}", redrawn_split(manifest, seed, share)) for seed in range(1, splits + 1)
    ]


def _drawn(crowd_pictures: pd.DataFrame, labels: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """The ``size`` seeded crowd pictures of the slice, neutral ones included (``image_label`` column)."""
    labelled = crowd_pictures.merge(labels[["guid", "image_label"]], left_on="tweet_id", right_on="guid")
    labelled = labelled.drop_duplicates("image_id").sort_values("image_id")
    if len(labelled) < size:
        raise ValueError(
            f"the development slice wants {size} labelled crowd pictures, the crowd has {len(labelled)}"
        )
    return labelled.sample(n=size, random_state=seed)


def draw_dev_slice(crowd_pictures: pd.DataFrame, labels: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """A seeded slice of ``size`` distinct crowd pictures with their human image label.

    ``crowd_pictures``: ``image_id``, ``path``, ``tweet_id`` (= MVSA guid); ``labels``:
    ``guid``, ``image_label``. Returns ``image_id``, ``path``, ``gold`` (0 negative / 1
    positive, neutral pictures dropped after the draw). Raises ``ValueError`` when the
    crowd has fewer labelled pictures than ``size``.
    """
    chosen = _drawn(crowd_pictures, labels, size, seed)
    polar = chosen[chosen["image_label"].isin(["negative", "positive"])]
    return polar.assign(gold=(polar["image_label"] == "positive").astype(int))[["image_id", "path", "gold"]]


def crowd_of(tweet_images: pd.DataFrame, selection: SelectionSettings) -> pd.DataFrame:
    """The pictures (``image_id, path, tweet_id``) of ``tweet_images`` whose tweet is in ``selection.crowd``."""
    crowd = tweet_images.assign(tweet_id=tweet_images["tweet_id"].astype(int))
    return crowd[crowd["tweet_id"].isin(pd.read_csv(selection.crowd)["guid"])]


def dev_slice_held_out(
    tweet_images: pd.DataFrame, fingerprints: pd.DataFrame, selection: SelectionSettings
) -> list[str]:
    """Image ids kept out of training: every picture drawn for the slice (neutral too) and its near-duplicate cluster.

    ``fingerprints``: ``image_id, cluster_id`` of the crowd pictures (filtering). A partial
    crowd (e.g. ``crowd_limit``) with fewer labelled pictures than ``selection.size`` cannot hold
    the slice, which is drawn from the whole crowd: nothing is held out, with a warning (such a
    run chooses no setting).
    """
    try:
        drawn = _drawn(crowd_of(tweet_images, selection), pd.read_csv(selection.labels), selection.size, selection.seed)
    except ValueError as error:
        log.warning("development slice not held out: %s (a partial crowd; make select-settings needs the whole one)", error)
        return []
    clusters = fingerprints.loc[fingerprints["image_id"].isin(drawn["image_id"]), "cluster_id"]
    members = fingerprints.loc[fingerprints["cluster_id"].isin(clusters), "image_id"]
    return sorted(set(drawn["image_id"]) | set(members))


def binary_scores(gold: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Accuracy of the binary call, ROC-AUC of ``p_pos - p_neg``, ECE and positive share, for ``(N, 3)`` probabilities."""
    gold = np.asarray(gold)
    predicted = binary_prediction(probs)
    return {
        "accuracy": float(np.mean(predicted == gold)),
        "macro_f1": classification_scores(gold, predicted, BINARY_CLASSES)["macro_f1"],
        "auc": binary_roc_auc(gold, polar_score(probs)),
        "ece": reliability(gold, binary_probability(probs))[0],
        "positive_share": float(predicted.mean()),
    }


def _cell(key: str, value: Any) -> str:
    if key in ("setting", "dev_auc_gap"):
        return str(value)
    if pd.isna(value):  # a column of an older table
        return "–"
    return f"{int(value)}" if key == "fits" else f"{value:.3f}"


def selection_table_markdown(table: pd.DataFrame) -> str:
    """The selection table: signal columns, then MVSA figures (reported only); the chosen row in bold."""
    columns = [("setting", "setting"), ("teacher_val_polar_auc", "teacher val AUC (old signal)"),
               ("proxy_confident_val_auc", "confident-teacher val AUC (label-free proxy)"),
               ("dev_auc", "dev AUC (signal)"), ("dev_auc_std", "dev AUC sd over fits"), ("fits", "fits"),
               ("dev_auc_gap", "dev AUC − first row, 95 % CI"),
               ("dev_accuracy", "dev acc."), ("dev_macro_f1", "dev macro-F1"), ("mvsa_accuracy", "MVSA acc."),
               ("mvsa_macro_f1", "MVSA macro-F1"), ("mvsa_auc", "MVSA AUC"), ("mvsa_ece", "MVSA ECE"),
               ("mvsa_positive_share", "MVSA predicted positive")]  # fmt: skip
    lines = ["| " + " | ".join(title for _, title in columns) + " |", "|" + "---|" * len(columns)]
    for _, row in table.iterrows():
        row["dev_auc_gap"] = f"[{row['dev_auc_gap_low']:+.3f}, {row['dev_auc_gap_high']:+.3f}]"
        cells = [_cell(key, row.get(key, np.nan)) for key, _ in columns]
        if row["chosen"]:
            cells = [f"**{cell}**" for cell in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
