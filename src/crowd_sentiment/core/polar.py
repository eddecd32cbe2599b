"""The polar rules shared by every evaluation: binary classes, score, predictions, ROC-AUC.

Binary benchmarks drop the neutral output (Serra et al., 2023): the prediction is the
argmax of (negative, positive) and the ranking score is ``p_positive - p_negative``.
"""

from __future__ import annotations

import numpy as np

from crowd_sentiment.core.labels import NEGATIVE, NEUTRAL, POSITIVE
from crowd_sentiment.core.metrics import binary_roc_auc

BINARY_CLASSES: tuple[str, str] = ("negative", "positive")  # binary labels: 0 negative, 1 positive
BINARY_TO_SENTIMENT = np.array([NEGATIVE, POSITIVE])  # binary label -> index in SENTIMENTS


def polar_score(probs: np.ndarray) -> np.ndarray:
    """``p_positive - p_negative`` per row of probabilities ``(N, 3)``; in [-1, 1]."""
    probs = np.asarray(probs)
    return probs[:, POSITIVE] - probs[:, NEGATIVE]


def binary_probability(probs: np.ndarray) -> np.ndarray:
    """``p_positive / (p_positive + p_negative)`` per row of ``(N, 3)``: the binary call's probability, in [0, 1]."""
    probs = np.asarray(probs)
    return probs[:, POSITIVE] / np.clip(probs[:, POSITIVE] + probs[:, NEGATIVE], 1e-12, None)


def binary_prediction(probs: np.ndarray) -> np.ndarray:
    """0 negative / 1 positive per row of ``(N, 3)``: neutral dropped, ties go to negative."""
    probs = np.asarray(probs)
    return (probs[:, POSITIVE] > probs[:, NEGATIVE]).astype(np.int64)


def three_class_prediction(probs: np.ndarray) -> np.ndarray:
    """Argmax over (negative, neutral, positive) per row of ``(N, 3)``."""
    return np.asarray(probs).argmax(axis=1).astype(np.int64)


def polar_roc_auc(gold: np.ndarray, score: np.ndarray, n_classes: int) -> float:
    """ROC-AUC of the polar ``score`` for positive against negative items.

    ``gold`` is binary (0/1, ``n_classes = 2``) or three-class (0/1/2, ``n_classes = 3``,
    neutral items left out). NaN when one pole is absent.
    """
    gold, score = np.asarray(gold), np.asarray(score)
    if n_classes == 2:
        return binary_roc_auc(gold, score)
    if n_classes != 3:
        raise ValueError(f"n_classes must be 2 or 3, got {n_classes}")
    polar = gold != NEUTRAL
    return binary_roc_auc(gold[polar] == POSITIVE, score[polar])
