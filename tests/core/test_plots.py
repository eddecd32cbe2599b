"""Tests for the report figures."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from crowd_sentiment.core.plots import (
    accuracy_figure,
    confusion_matrices_figure,
    label_distribution_figure,
    picture_grid_figure,
    reliability_figure,
    roc_curves_figure,
    thumbnail,
)
from crowd_sentiment.core.scoring import example_predictions, reliability_diagrams, roc_curves
from crowd_sentiment.core.teacher_scoring import label_counts

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


def _predictions() -> pd.DataFrame:
    """Two binary subsets and one three-class subset, four pictures each, some right and some wrong."""
    rows = []
    for subset, n_classes, gold, probs in [
        ("five", 2, [0, 1, 0, 1], [[0.7, 0.1, 0.2], [0.2, 0.1, 0.7], [0.3, 0.1, 0.6], [0.5, 0.2, 0.3]]),
        ("four", 2, [0, 1, 1, 0], [[0.6, 0.2, 0.2], [0.1, 0.2, 0.7], [0.2, 0.1, 0.7], [0.1, 0.3, 0.6]]),
        ("three", 3, [0, 1, 2, 2], [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.1, 0.7], [0.5, 0.3, 0.2]]),
    ]:
        for n, (g, p) in enumerate(zip(gold, probs)):
            prediction = int(np.argmax(p)) if n_classes == 3 else int(p[2] > p[0])
            rows.append({"benchmark": "b", "subset": subset, "n_classes": n_classes, "gold": g,
                         "prediction": prediction, "score": p[2] - p[0], "p_negative": p[0],
                         "p_neutral": p[1], "p_positive": p[2], "path": f"{subset}_{n}.jpg"})  # fmt: skip
    return pd.DataFrame(rows)


def test_roc_curves_one_line_per_subset_and_the_diagonal():
    figure = roc_curves_figure(roc_curves(_predictions()))
    (ax,) = figure.get_axes()
    assert len(ax.get_lines()) == 4
    assert "b three (AUC" in ax.get_legend().get_texts()[2].get_text()
    plt.close(figure)


def test_reliability_draws_binary_subsets_with_ece_in_the_title():
    diagrams = reliability_diagrams(_predictions())
    figure = reliability_figure(diagrams)
    (ax,) = figure.get_axes()
    assert list(diagrams) == ["b five", "b four"] and len(ax.get_lines()) == 3
    assert f"five {diagrams['b five'][0]:.3f}" in ax.get_title()
    plt.close(figure)


def test_accuracy_shows_paper_bars_only_when_given():
    metrics = pd.DataFrame({
        "benchmark": ["b"] * 3, "subset": ["five_agree"] * 3,
        "protocol": ["zero_shot", "kfold_distilled", "kfold_imagenet"],
        "accuracy": [0.8, 0.85, 0.7], "accuracy_std": [np.nan, 0.02, 0.03],
    })  # fmt: skip
    with_paper = accuracy_figure(metrics, {("b", "five_agree"): {"ViT-L/16": 87.8}})
    left, right = with_paper.get_axes()
    assert len(left.patches) == 3 and len(right.patches) == 2
    assert left.patches[2].get_height() == pytest.approx(87.8)
    assert len(accuracy_figure(metrics, {}).get_axes()[0].patches) == 2
    plt.close("all")


def test_picture_grid_has_six_columns_and_colours_captions():
    chosen = example_predictions(_predictions(), 8)
    assert len(chosen) == 8 and 0 < chosen["correct"].sum() < 8
    pictures = [np.zeros((8, 8, 3), np.uint8)] * len(chosen)
    figure = picture_grid_figure(pictures, list(chosen["caption"]), list(chosen["correct"]))
    assert len(figure.get_axes()) == 12 and sum(bool(ax.images) for ax in figure.get_axes()) == 8
    assert {ax.title.get_color() for ax in figure.get_axes()[:8]} == {"darkgreen", "firebrick"}
    plt.close(figure)


def test_thumbnail_keeps_the_aspect(tmp_path):
    Image.new("RGB", (200, 100)).save(tmp_path / "a.jpg")
    assert thumbnail(tmp_path / "a.jpg", size=50).shape == (25, 50, 3)


def test_label_distribution_bars_per_teacher_and_class():
    sentiment = pd.DataFrame({"teacher": ["vader", "vader", "vader", None], "p_negative": [0.7, 0.1, 0.2, np.nan],
                              "p_neutral": [0.2, 0.1, 0.7, np.nan], "p_positive": [0.1, 0.8, 0.1, np.nan]})  # fmt: skip
    counts = label_counts(sentiment)
    assert counts == {"vader": {"negative": 1, "neutral": 1, "positive": 1}}
    figure = label_distribution_figure(counts)
    assert len(figure.get_axes()[0].patches) == 3
    plt.close(figure)


def test_empty_inputs_draw_a_note():
    figure = roc_curves_figure({})
    assert "no benchmark" in figure.get_axes()[0].texts[0].get_text()
    plt.close(figure)


def test_training_curves_follow_lbfgs_iterations_and_skip_a_single_point():
    from crowd_sentiment.core.plots import training_curves_figure

    history = pd.DataFrame(
        {"epoch": [1, 2, 3], "iterations": [5, 10, 14], "objective": [1.01, 1.003, 1.0027],
         "train_loss": [0.99, 0.96, 0.96], "val_polar_auc": [0.75, 0.77, 0.768]}
    )  # fmt: skip
    left, right = training_curves_figure(history).get_axes()
    assert left.get_xlabel() == "iterations"
    assert [line.get_label() for line in left.get_lines()] == ["objective (with penalty)", "train loss"]
    assert list(left.get_lines()[0].get_xdata()) == [5, 10, 14]
    assert [line.get_label() for line in right.get_lines()] == ["polar ROC-AUC"]
    assert right.get_title() == "Validation, against the teacher"
    in_sample = training_curves_figure(history, in_sample=True).get_axes()[1]
    assert in_sample.get_title() == "Validation, against the teacher (in-sample: also fitted on)"
    single = training_curves_figure(history.head(1))
    assert "single curve point" in single.get_axes()[0].texts[0].get_text()
    plt.close("all")
