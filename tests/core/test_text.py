"""Tests for the teacher's text preprocessing (masking as in Serra et al., 2023)."""

import pytest

from crowd_sentiment.core.text import clean_tweet_text, has_content, mask_token


@pytest.mark.parametrize(
    "token, masked",
    [
        ("@ann", "@user"),
        ("@ann:", "@user"),
        ("@", "@"),  # a bare @ is not a mention
        ("http://x.y/z", "http"),
        ("https://t.co/abc", "http"),
        ("http", "http"),
        ("love", "love"),
        ("mail@example.com", "mail@example.com"),
        ("#http", "#http"),
    ],
)
def test_mask_token(token, masked):
    assert mask_token(token) == masked


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("RT @ann: love it @bob https://t.co/x", "love it @user http"),
        ("rt @ann : so sad", "so sad"),
        ("  hello\n\tworld  ", "hello world"),
        ("not RT @ann: here", "not RT @user here"),  # only a leading marker is dropped
        ("RT this is great", "RT this is great"),  # no mention: not a retweet marker
        ("@ann @bob http://a http://b", "@user @user http http"),
        ("", ""),
    ],
)
def test_clean_tweet_text(raw, clean):
    assert clean_tweet_text(raw) == clean


@pytest.mark.parametrize(
    "clean, expected",
    [
        ("love it @user http", True),
        ("😀", True),  # emoji only
        ("❤️ 🎉", True),
        ("@user", False),  # mention only
        ("@user http @user", False),
        ("!!! ... ?", False),
        ("", False),
        ("   ", False),
        ("#42", True),
        ("ça", True),
    ],
)
def test_has_content(clean, expected):
    assert has_content(clean) is expected


def test_retweet_of_only_a_link_has_no_content():
    assert not has_content(clean_tweet_text("RT @ann: https://t.co/x @bob"))
    assert has_content(clean_tweet_text("RT @ann: 😡 https://t.co/x"))
