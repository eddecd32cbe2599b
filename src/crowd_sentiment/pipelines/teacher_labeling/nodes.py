"""Nodes scoring tweet texts with the text teacher."""

from __future__ import annotations

import logging

import pandas as pd

from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.teacher_eval import evaluate_teacher, load_teacher_set
from crowd_sentiment.core.teachers import TextTeacher, VaderTeacher
from crowd_sentiment.params import TeacherLabelingParams, parse

log = logging.getLogger(__name__)


def build_teacher(config: TeacherLabelingParams) -> TextTeacher:
    """The configured teacher (``vader`` is the offline default)."""
    if config.teacher == "vader":
        return VaderTeacher(**config.vader.model_dump())
    raise ValueError(f"unknown teacher {config.teacher!r}")


def score_tweets(tweets: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Teacher probabilities per tweet: ``tweet_id, p_negative, p_neutral, p_positive, teacher``."""
    teacher = build_teacher(parse(TeacherLabelingParams, params))
    probs = teacher.predict_proba(tweets["text_clean"].tolist())  # (N, 3)
    frame = pd.DataFrame(probs, columns=list(PROBABILITY_COLUMNS))
    frame.insert(0, "tweet_id", tweets["tweet_id"].to_numpy())
    frame["teacher"] = teacher.name
    counts = pd.Series(probs.argmax(1)).map(dict(enumerate(SENTIMENTS))).value_counts().to_dict()
    log.info("teacher %s scored %d tweets; argmax counts %s", teacher.name, len(frame), counts)
    return frame


def measure_teacher(params: dict) -> tuple[pd.DataFrame, dict]:
    """The teacher's agreement with human-labelled tweet sets (``evaluation`` in the parameters).

    Human labels here only *measure* the teacher (macro-recall is TweetEval's official
    metric); they never become training targets. Returns a table with one row per set
    and the same figures as MLflow metric series ``<set>.<metric>``.
    """
    config = parse(TeacherLabelingParams, params)
    teacher = build_teacher(config)
    rows = []
    for item in config.evaluation:
        option = {"split": item.split} if item.layout == "tweeteval" else {"split_csv": item.split}
        tweets = load_teacher_set(
            item.layout, item.root, **{k: v for k, v in option.items() if v is not None}
        )
        scores = evaluate_teacher(teacher, tweets["text"].tolist(), tweets["label"].to_numpy())
        rows.append({"set": item.name, "teacher": teacher.name, **scores})
        log.info("teacher %s on %s: macro-recall %.3f, accuracy %.3f, polar accuracy %.3f (n=%d)",
                 teacher.name, item.name, scores["macro_recall"], scores["accuracy"], scores["polar_accuracy"], scores["n"])  # fmt: skip
    table = pd.DataFrame(rows, columns=["set", "teacher"] if not rows else None)
    series = {
        f"{row['set']}.{key}": [{"step": 0, "value": float(value)}]
        for row in rows
        for key, value in row.items()
        if key not in ("set", "teacher") and pd.notna(value)
    }
    return table, series
