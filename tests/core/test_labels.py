"""Tests for the sentiment class order shared by every table and tensor."""

from crowd_sentiment.core.labels import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    PROBABILITY_COLUMNS,
    SENTIMENTS,
)


def test_class_order_is_negative_neutral_positive():
    assert SENTIMENTS == ("negative", "neutral", "positive")
    assert (NEGATIVE, NEUTRAL, POSITIVE) == (0, 1, 2)
    assert PROBABILITY_COLUMNS == tuple(f"p_{name}" for name in SENTIMENTS)
