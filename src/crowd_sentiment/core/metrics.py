"""Classification metrics on integer labels (wrappers that fix label sets and edge cases)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix as _confusion_matrix
from sklearn.metrics import f1_score, precision_recall_fscore_support, roc_auc_score


def classification_scores(
    gold: np.ndarray, predicted: np.ndarray, class_names: Sequence[str]
) -> dict[str, float]:
    """Accuracy, macro-F1 and per-class precision/recall/F1 over ``class_names`` (indices 0..K-1).

    Keys: ``accuracy``, ``macro_f1``, ``macro_recall``, ``<class>_precision``,
    ``<class>_recall``, ``<class>_f1``, ``n``. Empty input raises ``ValueError``.
    """
    gold, predicted = np.asarray(gold), np.asarray(predicted)
    if len(gold) == 0:
        raise ValueError("cannot score an empty set")
    labels = list(range(len(class_names)))
    precision, recall, f1, _ = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    scores = {
        "n": float(len(gold)),
        "accuracy": float(np.mean(gold == predicted)),
        "macro_f1": float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        "macro_recall": float(np.mean(recall)),
    }
    for name, p, r, f in zip(class_names, precision, recall, f1):
        scores.update({f"{name}_precision": float(p), f"{name}_recall": float(r), f"{name}_f1": float(f)})
    return scores


def binary_roc_auc(gold: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC of a score for the positive class (label 1); NaN when only one class is present."""
    gold = np.asarray(gold)
    if len(np.unique(gold)) < 2:
        return float("nan")
    return float(roc_auc_score(gold, score))


def confusion_matrix(gold: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts ``(K, K)``: rows gold, columns predicted."""
    return _confusion_matrix(gold, predicted, labels=list(range(num_classes)))


def majority_rate(gold: np.ndarray) -> float:
    """Accuracy of always predicting the most frequent gold label."""
    _, counts = np.unique(np.asarray(gold), return_counts=True)
    return float(counts.max() / counts.sum())
