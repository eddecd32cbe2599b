"""Nodes fitting the learned text teacher on human-labelled tweets (MVSA-Multiple, never TweetEval)."""

from __future__ import annotations

import pandas as pd

from crowd_sentiment.core.learned_teacher import TeacherTrainingSettings, train_teacher
from crowd_sentiment.core.text_sets import load_annotated_tweets
from crowd_sentiment.tracking import MetricSeries, single_values


def fit_learned_teacher(params: TeacherTrainingSettings) -> tuple[dict, pd.DataFrame, MetricSeries]:
    """The stored learned teacher, the k-fold table of (VADER weight, prior correction), and its figures."""
    stored, table = train_teacher(load_annotated_tweets(params.data_root), params)
    chosen = table[table["chosen"]].iloc[0]
    metrics = single_values(
        {
            "cv.macro_recall": float(chosen["macro_recall"]),
            "cv.macro_recall_fold_std": float(chosen["macro_recall_fold_std"]),
            "cv.accuracy": float(chosen["accuracy"]),
            "prior_correction": float(chosen["prior_correction"]),
            "vader_weight": float(chosen["vader_weight"]),
            "n_train": float(stored["n_train"]),
            "fit_seconds": float(stored["fit_seconds"]),
        }
    )
    return stored, table, metrics
