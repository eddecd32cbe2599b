"""Tests for classification metrics against hand-computed values."""

import math

import numpy as np
import pytest

from crowd_sentiment.core.metrics import (
    binary_roc_auc,
    classification_scores,
    confusion_matrix,
    majority_rate,
    resampled_roc_auc,
)

NAMES = ("negative", "neutral", "positive")


def test_classification_scores_with_a_class_never_predicted():
    gold = np.array([0, 0, 1, 1, 2, 2])
    predicted = np.array([0, 2, 2, 2, 2, 0])  # "neutral" is never predicted
    scores = classification_scores(gold, predicted, NAMES)
    expected = {
        "n": 6.0,
        "accuracy": 2 / 6,
        "negative_precision": 1 / 2,
        "negative_recall": 1 / 2,
        "negative_f1": 1 / 2,
        "neutral_precision": 0.0,
        "neutral_recall": 0.0,
        "neutral_f1": 0.0,
        "positive_precision": 1 / 4,
        "positive_recall": 1 / 2,
        "positive_f1": 1 / 3,
        "macro_f1": (1 / 2 + 0 + 1 / 3) / 3,
        "macro_recall": (1 / 2 + 0 + 1 / 2) / 3,
    }
    assert scores.keys() == expected.keys()
    for key, value in expected.items():
        assert scores[key] == pytest.approx(value), key
    assert all(type(v) is float for v in scores.values())


def test_perfect_binary_scores_and_empty_input():
    scores = classification_scores([1, 0, 1], [1, 0, 1], ("negative", "positive"))
    assert scores["accuracy"] == scores["macro_f1"] == scores["positive_precision"] == 1.0
    with pytest.raises(ValueError, match="empty"):
        classification_scores([], [], NAMES)


def test_binary_roc_auc():
    assert binary_roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert binary_roc_auc([1, 0], [-0.5, 0.5]) == 0.0
    assert math.isnan(binary_roc_auc([1, 1, 1], [0.2, 0.3, 0.4]))


def test_resampled_roc_auc_matches_one_auc_per_resample_with_ties_and_one_class_resamples():
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 2, 60)
    score = np.round(rng.normal(size=60) + gold, 1)  # rounded: ties across classes
    picks = rng.integers(0, 60, (20, 60))
    expected = [binary_roc_auc(gold[pick], score[pick]) for pick in picks]
    assert resampled_roc_auc(gold, score, picks) == pytest.approx(expected, abs=1e-12)
    single = resampled_roc_auc(np.array([1, 0]), np.array([0.3, 0.1]), np.array([[0, 0], [0, 1]]))
    assert math.isnan(single[0]) and single[1] == 1.0


def test_confusion_matrix_rows_gold_columns_predicted():
    matrix = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 2, 2, 2]), 4)
    assert matrix.tolist() == [[1, 0, 1, 0], [0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]]


def test_majority_rate():
    assert majority_rate(np.array([2, 2, 0, 1, 2])) == pytest.approx(0.6)
    assert majority_rate([1]) == 1.0
