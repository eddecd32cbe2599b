"""Benchmark scores: zero-shot predictions per image, then metrics per benchmark subset and protocol."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.metrics import roc_curve

from crowd_sentiment.core.kfold import SUMMARY_METRICS, summarise_folds
from crowd_sentiment.core.labels import NEUTRAL, POSITIVE, PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.metrics import classification_scores, confusion_matrix, majority_rate, reliability
from crowd_sentiment.core.polar import (
    BINARY_CLASSES,
    binary_prediction,
    binary_probability,
    polar_roc_auc,
    polar_score,
    three_class_prediction,
)

log = logging.getLogger(__name__)
PREDICTION_COLUMNS = [
    "benchmark", "subset", "image", "n_classes", "gold", "prediction", "score", *PROBABILITY_COLUMNS, "path",
]  # fmt: skip
SUBSET = ["benchmark", "subset"]


def class_names(n_classes: int) -> tuple[str, ...]:
    """The class names of a benchmark's labels: binary (negative, positive) or the three sentiments."""
    return SENTIMENTS if n_classes == 3 else BINARY_CLASSES


def zero_shot_predictions(benchmark_images: pd.DataFrame, paths: list[str], probs: np.ndarray) -> pd.DataFrame:
    """Per benchmark row: gold, prediction (binary or three-class by ``n_classes``), polar score, probabilities.

    ``probs`` ``(P, 3)`` are the student's probabilities for the distinct ``paths``.
    """
    per_image = pd.DataFrame(probs, columns=list(PROBABILITY_COLUMNS)).assign(
        path=paths, binary=binary_prediction(probs), three=three_class_prediction(probs), score=polar_score(probs)
    )
    predictions = benchmark_images.merge(per_image, on="path", how="left").rename(columns={"label": "gold"})
    predictions["prediction"] = np.where(predictions["n_classes"] == 3, predictions["three"], predictions["binary"])
    return predictions[PREDICTION_COLUMNS]


def subset_metrics(predictions: pd.DataFrame, kfold_results: pd.DataFrame) -> pd.DataFrame:
    """One row per (benchmark, subset, protocol): ``zero_shot`` scores and ``kfold_<start>`` means and stds."""
    rows = []
    for (benchmark, subset), frame in predictions.groupby(SUBSET, sort=False):
        gold, predicted = frame["gold"].to_numpy(), frame["prediction"].to_numpy()
        n_classes = int(frame["n_classes"].iloc[0])
        scores = classification_scores(gold, predicted, class_names(n_classes))
        scores["roc_auc"] = polar_roc_auc(gold, frame["score"].to_numpy(), n_classes)
        scores["majority_rate"] = majority_rate(gold)
        if n_classes == 2 and set(PROBABILITY_COLUMNS) <= set(frame):  # the binary call's calibration
            probs = frame[list(PROBABILITY_COLUMNS)].to_numpy()
            scores["ece"] = reliability(gold, binary_probability(probs))[0]
        rows.append({"benchmark": benchmark, "subset": subset, "protocol": "zero_shot", **scores})
        log.info("%s/%s zero-shot: accuracy %.3f (majority %.3f), macro-F1 %.3f, AUC %.3f (n=%d)",
                 benchmark, subset, scores["accuracy"], scores["majority_rate"], scores["macro_f1"], scores["roc_auc"], len(frame))  # fmt: skip
    for (benchmark, subset, start), folds in kfold_results.groupby([*SUBSET, "start"], sort=False):
        summary = summarise_folds(folds)
        rows.append({
            "benchmark": benchmark, "subset": subset, "protocol": f"kfold_{start}",
            **{key: summary[f"{key}_mean"] for key in SUMMARY_METRICS},
            **{f"{key}_std": summary[f"{key}_std"] for key in SUMMARY_METRICS},
        })  # fmt: skip
    return pd.DataFrame(rows)


def confusion_matrices(predictions: pd.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, ...]]]:
    """Zero-shot count matrices ``(K, K)`` (rows gold) and class names, both by title ``"<benchmark> <subset>"``."""
    matrices, names = {}, {}
    for (benchmark, subset), frame in predictions.groupby(SUBSET, sort=False):
        classes = class_names(int(frame["n_classes"].iloc[0]))
        title = f"{benchmark} {subset}"
        matrices[title] = confusion_matrix(frame["gold"].to_numpy(), frame["prediction"].to_numpy(), len(classes))
        names[title] = classes
    return matrices, names


def roc_curves(predictions: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """Zero-shot ROC of the polar score per ``"<benchmark> <subset>"``: false and true positive rates, AUC.

    Positive against negative items (three-class subsets leave neutral out); subsets with one pole only are skipped.
    """
    curves = {}
    for (benchmark, subset), frame in predictions.groupby(SUBSET, sort=False):
        gold, score = frame["gold"].to_numpy(), frame["score"].to_numpy()
        n_classes = int(frame["n_classes"].iloc[0])
        polar = gold != NEUTRAL if n_classes == 3 else np.ones(len(gold), bool)
        positive = gold[polar] == (POSITIVE if n_classes == 3 else 1)
        if positive.all() or not positive.any():
            continue
        fpr, tpr, _ = roc_curve(positive, score[polar])
        curves[f"{benchmark} {subset}"] = (fpr, tpr, polar_roc_auc(gold, score, n_classes))
    return curves


def reliability_diagrams(predictions: pd.DataFrame, bins: int = 10) -> dict[str, tuple[float, np.ndarray]]:
    """ECE and reliability rows ``(bins, 4)`` (see ``metrics.reliability``) per binary ``"<benchmark> <subset>"``.

    The probability is the binary call's ``p_positive / (p_positive + p_negative)``.
    """
    diagrams = {}
    for (benchmark, subset), frame in predictions.groupby(SUBSET, sort=False):
        if int(frame["n_classes"].iloc[0]) == 2:
            probability = binary_probability(frame[list(PROBABILITY_COLUMNS)].to_numpy())
            diagrams[f"{benchmark} {subset}"] = reliability(frame["gold"].to_numpy(), probability, bins)
    return diagrams


def example_predictions(predictions: pd.DataFrame, count: int, seed: int = 0) -> pd.DataFrame:
    """Up to ``count`` distinct pictures, half predicted right and half wrong where there are enough of each.

    Adds ``correct`` (bool) and ``caption`` ("gold <name> · pred <name> · score <s>"); the first subset wins duplicates.
    """
    frame = predictions.drop_duplicates("path").copy()
    frame["correct"] = frame["gold"] == frame["prediction"]
    wrong = frame[~frame["correct"]].sample(frac=1.0, random_state=seed)
    right = frame[frame["correct"]].sample(frac=1.0, random_state=seed)
    n_wrong = min(len(wrong), max(count // 2, count - len(right)))
    chosen = pd.concat([right.head(count - n_wrong), wrong.head(n_wrong)], ignore_index=True)
    names = [class_names(int(n)) for n in chosen["n_classes"]]
    chosen["caption"] = [
        f"gold {cls[g]} · pred {cls[p]}\nscore {s:+.2f}"
        for cls, g, p, s in zip(names, chosen["gold"], chosen["prediction"], chosen["score"])
    ]
    return chosen
