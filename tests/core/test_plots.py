"""Tests for the confusion-matrix figure."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from crowd_sentiment.core.plots import confusion_matrices_figure

NAMES = ["negative", "neutral", "positive"]


def test_one_annotated_axes_per_matrix():
    matrices = {"val": np.array([[5, 1, 0], [2, 3, 1], [0, 0, 9]]), "test": np.zeros((3, 3), int)}
    figure = confusion_matrices_figure(matrices, NAMES)
    axes = figure.get_axes()
    assert len(axes) == 2
    assert [ax.get_title() for ax in axes] == ["val", "test"]
    assert [t.get_text() for t in axes[0].texts] == ["5", "1", "0", "2", "3", "1", "0", "0", "9"]
    assert [t.get_text() for t in axes[0].get_xticklabels()] == NAMES
    assert axes[0].get_xlabel() == "predicted" and axes[0].get_ylabel() == "gold"
    assert [t.get_color() for t in axes[0].texts[:3]] == ["white", "black", "black"]  # 5 > 9 / 2
    plt.close(figure)


def test_empty_mapping_raises():
    with pytest.raises(ValueError, match="no confusion matrix"):
        confusion_matrices_figure({}, NAMES)
