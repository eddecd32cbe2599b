"""Scoring binary and three-class benchmark subsets side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crowd_sentiment.params import BenchmarkingParams
from crowd_sentiment.pipelines.benchmarking.nodes import (
    draw_confusion_matrices,
    score_benchmarks,
    track_benchmark_metrics,
    write_benchmark_report,
)

PARAMS = BenchmarkingParams(benchmarks=[{"name": "b", "layout": "twitter_agreement", "root": "x"}])


def _predictions():
    binary = pd.DataFrame(
        {
            "benchmark": "b",
            "subset": "all",
            "n_classes": 2,
            "gold": [0, 1, 1, 1],
            "prediction": [0, 1, 0, 1],
            "score": [-0.5, 0.4, 0.1, 0.6],
        }  # fmt: skip
    )
    three = pd.DataFrame(
        {
            "benchmark": "m",
            "subset": "3class",
            "n_classes": 3,
            "gold": [0, 1, 2, 2],
            "prediction": [0, 2, 2, 1],
            "score": [-0.3, 0.2, 0.5, -0.4],
        }  # fmt: skip
    )
    return pd.concat([binary, three], ignore_index=True)


def test_each_subset_is_scored_with_its_own_classes():
    predictions = _predictions()
    metrics = score_benchmarks(predictions, pd.DataFrame(columns=["benchmark", "subset", "start"]))
    series, figure = track_benchmark_metrics(metrics), draw_confusion_matrices(predictions)
    report = write_benchmark_report(metrics, PARAMS)
    rows = metrics.set_index("subset")
    assert rows.loc["all", "accuracy"] == 0.75 and rows.loc["3class", "accuracy"] == 0.5
    assert "neutral_recall" in rows.columns and np.isnan(rows.loc["all", "neutral_recall"])
    assert rows.loc["3class", "neutral_recall"] == 0.0
    # three classes: ROC-AUC over the polar items only (gold 0 vs 2): scores -0.3 vs 0.5, -0.4
    assert rows.loc["3class", "roc_auc"] == 0.5
    assert len(figure.axes) == 2 and [len(ax.get_xticks()) for ax in figure.axes] == [2, 3]
    assert "| m | 3class |" in report and "b.all.zero_shot.accuracy" in series
    grid = pd.DataFrame({"setting": ["a", "b"], "chosen": [False, True], "dev_auc_gap_low": 0.0, "dev_auc_gap_high": 0.0}
                        | {k: 0.5 for k in ("teacher_val_polar_auc", "dev_auc", "dev_accuracy", "mvsa_accuracy",
                                            "mvsa_macro_f1", "mvsa_auc", "mvsa_ece", "mvsa_positive_share")})  # fmt: skip
    with_grid = write_benchmark_report(metrics, PARAMS, grid)
    assert with_grid.startswith(report) and "| **b** |" in with_grid and "| a |" in with_grid
