"""Choosing settings by people, not by the teacher: a declared development slice of the crowd.

A seeded slice of crowd pictures is held out of every head fitted for the choice; their
human *image* labels score each setting of a grid declared up front, and the best score
names the default. The labels choose among settings only: no head is ever trained on them,
and no benchmark label takes part in the choice (benchmark figures are only reported).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from crowd_sentiment.core.metrics import binary_roc_auc, classification_scores, reliability
from crowd_sentiment.core.polar import BINARY_CLASSES, binary_prediction, binary_probability, polar_score
from crowd_sentiment.core.settings import Settings


class SelectionSettings(Settings):
    """The development slice and the grid of distillation settings it chooses among.

    ``labels``: CSV with ``guid`` and ``image_label`` (negative/neutral/positive);
    ``crowd``: CSV of the crowd's ``guid`` (tweet ids). ``grid``: name → overrides of the
    ``distillation`` parameters (nested, e.g. ``{training: {l2: 3}}``). ``criterion``: the
    development-slice score that chooses (``auc`` = ROC-AUC of ``p_pos - p_neg`` on its
    polar pictures; ties go to accuracy).
    """

    labels: str
    crowd: str
    size: int = Field(500, ge=1)  # crowd pictures in the development slice
    seed: int = 7
    criterion: str = "auc"
    grid: dict[str, dict[str, Any]]


def draw_dev_slice(crowd_pictures: pd.DataFrame, labels: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """A seeded slice of ``size`` distinct crowd pictures with their human image label.

    ``crowd_pictures``: ``image_id``, ``path``, ``tweet_id`` (= MVSA guid); ``labels``:
    ``guid``, ``image_label``. Returns ``image_id``, ``path``, ``gold`` (0 negative / 1
    positive, neutral pictures dropped after the draw). Raises ``ValueError`` when the
    crowd has fewer labelled pictures than ``size``.
    """
    labelled = crowd_pictures.merge(labels[["guid", "image_label"]], left_on="tweet_id", right_on="guid")
    labelled = labelled.drop_duplicates("image_id").sort_values("image_id")
    if len(labelled) < size:
        raise ValueError(
            f"the development slice wants {size} labelled crowd pictures, the crowd has {len(labelled)}"
        )
    chosen = labelled.sample(n=size, random_state=seed)
    polar = chosen[chosen["image_label"].isin(["negative", "positive"])]
    return polar.assign(gold=(polar["image_label"] == "positive").astype(int))[["image_id", "path", "gold"]]


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
