"""Tests for the synthetic picture renderer."""

import io

import numpy as np
import pytest
from PIL import Image

from crowd_sentiment.sample import encode, render_picture

SENTIMENTS = ("negative", "neutral", "positive")


@pytest.mark.parametrize("size", [(320, 240), (257, 301), (24, 24), (1, 1)])
@pytest.mark.parametrize("sentiment", SENTIMENTS)
def test_render_gives_rgb_of_requested_size(sentiment, size):
    for clarity in (0.0, 0.5, 1.0):
        image = render_picture(sentiment, clarity, np.random.default_rng(0), size)
        assert image.mode == "RGB" and image.size == size


def test_render_is_deterministic():
    a = render_picture("positive", 0.7, np.random.default_rng(5), (64, 48))
    b = render_picture("positive", 0.7, np.random.default_rng(5), (64, 48))
    c = render_picture("positive", 0.7, np.random.default_rng(6), (64, 48))
    assert a.tobytes() == b.tobytes() != c.tobytes()


def test_render_rejects_bad_arguments():
    with pytest.raises(ValueError, match="sentiment"):
        render_picture("happy", 0.5, np.random.default_rng(0), (32, 32))
    with pytest.raises(ValueError, match="clarity"):
        render_picture("positive", 1.5, np.random.default_rng(0), (32, 32))


def _hsv_means(sentiment: str, clarity: float, n: int = 40) -> np.ndarray:
    """(n, 3) mean (hue, saturation, value) of each of ``n`` pictures."""
    rng = np.random.default_rng(11)
    pictures = [render_picture(sentiment, clarity, rng, (96, 72)) for _ in range(n)]
    return np.array([np.asarray(p.convert("HSV"), float).mean(axis=(0, 1)) for p in pictures])


def _mean_hsv(sentiment: str, clarity: float) -> np.ndarray:
    """Mean (hue, saturation, value) over 40 pictures (exposure and colour cast vary per picture)."""
    return _hsv_means(sentiment, clarity).mean(axis=0)


def test_palette_cues_follow_sentiment_and_fade_with_clarity():
    pos, neg, neu = (_mean_hsv(s, 1.0) for s in ("positive", "negative", "neutral"))
    assert pos[2] > neg[2] + 60  # positive is brighter
    assert pos[1] > neu[1] + 40 and pos[1] > neg[1] + 40  # and more saturated
    pos_vague, neg_vague = _mean_hsv("positive", 0.0), _mean_hsv("negative", 0.0)
    assert abs(pos_vague[2] - neg_vague[2]) < 0.5 * abs(pos[2] - neg[2])


def test_palette_alone_does_not_decide():
    # Sentiment-free exposure, colour casts and framing make the brightness of clear
    # positive and negative pictures overlap: some negatives are brighter than some positives.
    pos, neg = _hsv_means("positive", 1.0)[:, 2], _hsv_means("negative", 1.0)[:, 2]
    assert pos.std() > 15 and neg.std() > 15
    assert neg.max() > pos.min()


@pytest.mark.parametrize("fmt", ["jpeg", "jpg", "png"])
def test_encode_round_trips_and_is_deterministic(fmt):
    image = render_picture("neutral", 0.5, np.random.default_rng(0), (80, 60))
    data = encode(image, fmt, 80)
    assert data == encode(image, fmt, 80)
    with Image.open(io.BytesIO(data)) as decoded:
        decoded.load()
        assert decoded.size == (80, 60)
        assert decoded.format == ("PNG" if fmt == "png" else "JPEG")


def test_encode_quality_changes_jpeg_bytes_and_bad_format_fails():
    image = render_picture("negative", 0.5, np.random.default_rng(0), (80, 60))
    assert encode(image, "jpeg", 60) != encode(image, "jpeg", 90)
    with pytest.raises(ValueError, match="gif"):
        encode(image, "gif", 80)
