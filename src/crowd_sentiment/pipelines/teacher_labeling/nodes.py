"""Nodes scoring tweet texts with the text teacher, and measuring the teacher on human-labelled tweets."""

from __future__ import annotations

import logging

import pandas as pd

from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.teacher_eval import evaluate_teacher
from crowd_sentiment.core.teachers import TextTeacher, VaderTeacher
from crowd_sentiment.core.text_sets import load_text_set
from crowd_sentiment.params import TeacherLabelingParams
from crowd_sentiment.tracking import MetricSeries, single_values

log = logging.getLogger(__name__)


def _teacher(params: TeacherLabelingParams) -> TextTeacher:
    """The configured teacher (``vader`` is the offline default)."""
    if params.teacher == "vader":
        return VaderTeacher(params.vader)
    raise ValueError(f"unknown teacher {params.teacher!r}")


def score_tweets(tweets: pd.DataFrame, params: TeacherLabelingParams) -> pd.DataFrame:
    """Teacher probabilities per tweet: ``tweet_id, p_negative, p_neutral, p_positive, teacher``."""
    teacher = _teacher(params)
    probs = teacher.predict_proba(tweets["text_clean"].tolist())  # (N, 3)
    frame = pd.DataFrame(probs, columns=list(PROBABILITY_COLUMNS))
    frame.insert(0, "tweet_id", tweets["tweet_id"].to_numpy())
    frame["teacher"] = teacher.name
    counts = pd.Series(probs.argmax(1)).map(dict(enumerate(SENTIMENTS))).value_counts().to_dict()
    log.info("teacher %s scored %d tweets; argmax counts %s", teacher.name, len(frame), counts)
    return frame


def measure_teacher(params: TeacherLabelingParams) -> tuple[pd.DataFrame, MetricSeries]:
    """One row per tweet set of ``params.evaluation`` with the teacher's agreement, and the same as MLflow series.

    Human labels here only measure the teacher; they never become training targets.
    """
    teacher = _teacher(params)
    rows = []
    for item in params.evaluation:
        tweets = load_text_set(item.layout, item.root, item.split)
        scores = evaluate_teacher(teacher, tweets["text"].tolist(), tweets["label"].to_numpy())
        rows.append({"set": item.name, "teacher": teacher.name, **scores})
        log.info("teacher %s on %s: macro-recall %.3f, accuracy %.3f, polar accuracy %.3f (n=%d)",
                 teacher.name, item.name, scores["macro_recall"], scores["accuracy"], scores["polar_accuracy"], scores["n"])  # fmt: skip
    table = pd.DataFrame(rows, columns=["set", "teacher"] if not rows else None)
    series: MetricSeries = {}
    for row in rows:
        series |= single_values({f"{row['set']}.{k}": v for k, v in row.items() if k not in ("set", "teacher")})
    return table, series
