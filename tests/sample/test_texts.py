"""Tests for the synthetic tweet texts."""

import numpy as np
import pytest

from crowd_sentiment.sample.texts import (
    english_text,
    foreign_text,
    mention_only_text,
    retweet_text,
    short_url,
)
from crowd_sentiment.sample.vocabulary import FOREIGN_LANGS

USERS = ("anna", "bob_7", "carla")


@pytest.mark.parametrize("sentiment", ["negative", "neutral", "positive"])
def test_english_text_is_deterministic_and_nonempty(sentiment):
    first = [english_text(sentiment, np.random.default_rng(3), USERS) for _ in range(2)]
    assert first[0] == first[1]
    texts = {english_text(sentiment, np.random.default_rng(s), USERS) for s in range(30)}
    assert len(texts) > 20  # varied
    assert all(t.strip() for t in texts)


def test_english_texts_use_tweet_decorations():
    rng = np.random.default_rng(0)
    texts = [english_text(s, rng, USERS) for s in ("negative", "positive") * 100]
    assert any("https://t.co/" in t for t in texts)
    assert any("#" in t for t in texts)
    assert any(t.startswith("@") for t in texts)
    assert any("!!" in t for t in texts)
    assert any(ch in t for t in texts for ch in ("😍", "🎉", "😊", "😡", "😢", "💔"))


def test_mention_only_text_has_only_mentions_and_links():
    rng = np.random.default_rng(1)
    for _ in range(50):
        tokens = mention_only_text(rng, USERS).split()
        assert tokens
        assert all(t.startswith("@") or t.startswith("https://t.co/") for t in tokens)


@pytest.mark.parametrize("lang", FOREIGN_LANGS)
def test_foreign_text_for_each_language(lang):
    rng = np.random.default_rng(2)
    texts = {foreign_text(s, lang, rng) for s in ("negative", "neutral", "positive")}
    assert len(texts) == 3


def test_retweet_and_url_shapes():
    assert retweet_text("anna", "hello") == "RT @anna: hello"
    url = short_url(np.random.default_rng(0))
    assert url.startswith("https://t.co/") and len(url) == len("https://t.co/") + 10
