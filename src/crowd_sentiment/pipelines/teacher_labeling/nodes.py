"""Nodes scoring tweet texts with the text teacher."""

from __future__ import annotations

import logging

import pandas as pd

from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS
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
