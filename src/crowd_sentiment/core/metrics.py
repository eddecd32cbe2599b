"""Classification metrics on integer labels (wrappers that fix label sets and edge cases)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata
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


def resampled_roc_auc(gold: np.ndarray, score: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """ROC-AUC on each resample of one set (a bootstrap at once): ``gold`` 0/1 ``(N,)``, ``score`` ``(N,)``,
    ``picks`` row indices ``(R, M)`` → ``(R,)`` (Mann–Whitney from average ranks: ties count half; NaN where a
    resample holds one class)."""
    labels, ranks = np.asarray(gold)[picks], rankdata(np.asarray(score)[picks], axis=1)
    positives = labels.sum(1).astype(np.float64)
    negatives = labels.shape[1] - positives
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((ranks * labels).sum(1) - positives * (positives + 1) / 2) / (positives * negatives)


def confusion_matrix(gold: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts ``(K, K)``: rows gold, columns predicted."""
    return _confusion_matrix(gold, predicted, labels=list(range(num_classes)))


def majority_rate(gold: np.ndarray) -> float:
    """Accuracy of always predicting the most frequent gold label."""
    _, counts = np.unique(np.asarray(gold), return_counts=True)
    return float(counts.max() / counts.sum())


def reliability(gold: np.ndarray, probability: np.ndarray, bins: int = 10) -> tuple[float, np.ndarray]:
    """Expected calibration error and the reliability diagram of binary probabilities.

    ``gold`` 0/1 ``(N,)``, ``probability`` of label 1 in [0, 1] ``(N,)``. Returns the ECE
    (count-weighted mean |positive rate - mean probability| over equal-width bins) and rows
    ``(bins, 4)``: bin lower edge, count, mean probability, positive rate (NaN when empty).
    """
    gold, probability = np.asarray(gold, dtype=float), np.asarray(probability, dtype=float)
    index = np.minimum((probability * bins).astype(int), bins - 1)
    rows = np.full((bins, 4), np.nan)
    ece = 0.0
    for b in range(bins):
        chosen = index == b
        count = int(chosen.sum())
        rows[b, :2] = b / bins, count
        if count:
            rows[b, 2:] = probability[chosen].mean(), gold[chosen].mean()
            ece += count / len(gold) * abs(rows[b, 3] - rows[b, 2])
    return float(ece), rows
