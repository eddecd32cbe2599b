"""Tests for the polar rules: binary classes, score, predictions, ROC-AUC."""

import numpy as np
import pytest

from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.core.polar import (
    BINARY_CLASSES,
    BINARY_TO_SENTIMENT,
    binary_prediction,
    polar_roc_auc,
    polar_score,
    three_class_prediction,
)

# rows: neutral wins, a hair positive, a tie, clearly positive
PROBS = np.array([[0.2, 0.7, 0.1], [0.1, 0.8, 0.1 + 1e-3], [0.5, 0.0, 0.5], [0.0, 0.1, 0.9]])


def test_binary_classes_map_to_the_sentiments():
    assert BINARY_CLASSES == ("negative", "positive")
    assert [SENTIMENTS[i] for i in BINARY_TO_SENTIMENT] == list(BINARY_CLASSES)


def test_polar_score_is_positive_minus_negative():
    np.testing.assert_allclose(polar_score(PROBS), [-0.1, 1e-3, 0.0, 0.9])


def test_binary_prediction_drops_neutral_and_ties_go_to_negative():
    predicted = binary_prediction(PROBS)
    assert predicted.tolist() == [0, 1, 0, 1]
    assert predicted.dtype == np.int64


def test_three_class_prediction_is_the_argmax():
    predicted = three_class_prediction(np.array([[0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]))
    assert predicted.tolist() == [1, 2, 0]
    assert predicted.dtype == np.int64


def test_polar_roc_auc_binary_and_three_class():
    score = np.array([-0.5, 0.2, 0.1, 0.9])
    assert polar_roc_auc(np.array([0, 0, 1, 1]), score, 2) == pytest.approx(0.75)
    # three classes: the neutral item (score 0.9) is left out; the rest rank perfectly
    assert polar_roc_auc(np.array([0, 2, 2, 1]), np.array([-0.5, 0.2, 0.1, 0.9]), 3) == 1.0


def test_polar_roc_auc_is_nan_without_both_poles():
    assert np.isnan(polar_roc_auc(np.array([1, 1]), np.array([0.1, 0.2]), 2))
    assert np.isnan(polar_roc_auc(np.array([2, 1, 1]), np.array([0.1, 0.2, 0.3]), 3))
    with pytest.raises(ValueError, match="n_classes"):
        polar_roc_auc(np.array([0, 1]), np.array([0.1, 0.2]), 4)
