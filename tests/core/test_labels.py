"""Tests for the sentiment class order shared by every table and tensor."""

import pytest

from crowd_sentiment.core.labels import (
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    PROBABILITY_COLUMNS,
    SENTIMENTS,
    sentiment_index,
)


def test_class_order_is_negative_neutral_positive():
    assert SENTIMENTS == ("negative", "neutral", "positive")
    assert (NEGATIVE, NEUTRAL, POSITIVE) == (0, 1, 2)
    assert PROBABILITY_COLUMNS == tuple(f"p_{name}" for name in SENTIMENTS)


@pytest.mark.parametrize("name, index", [("negative", 0), ("neutral", 1), ("positive", 2)])
def test_sentiment_index(name, index):
    assert sentiment_index(name) == index


@pytest.mark.parametrize("name", ["happy", "Positive", ""])
def test_unknown_sentiment_raises_naming_it(name):
    with pytest.raises(ValueError, match=f"unknown sentiment {name!r}"):
        sentiment_index(name)
