"""Text teachers: tweet texts in, probabilities over (negative, neutral, positive) out.

The offline default is VADER (Hutto & Gilbert, ICWSM 2014; lexicon inside the
``vaderSentiment`` wheel). Its sign picks the pole and its magnitude the confidence
(:func:`compound_to_probabilities`; README, "Method choices").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from pydantic import Field

from crowd_sentiment.core.settings import Settings


class TextTeacher(Protocol):
    """What the pipeline needs from a teacher."""

    name: str
    languages: list[str] | None  # language codes (the dump's lang) it covers; None = every language

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape ``(N, 3)`` in the class order negative, neutral, positive."""
        ...


class VaderSettings(Settings):
    """VADER's compound score ``c`` as probabilities (:func:`compound_to_probabilities`)."""

    neutral_width: float = Field(0.15, gt=0)  # |c| at which the text reads neutral with weight 1/e
    uniform_mix: float = Field(0.02, ge=0, lt=1)  # ε: keeps every probability above zero


def compound_to_probabilities(
    compound: np.ndarray, *, neutral_width: float, uniform_mix: float
) -> np.ndarray:
    """VADER compound scores ``(N,)`` in [-1, 1] → probabilities ``(N, 3)``.

    ``p = (1 - ε)·[(1 - g)·[c < 0], g, (1 - g)·[c > 0]] + ε/3`` with
    ``g = exp(-(c / neutral_width)²)``: ``p_positive`` never decreases with ``c``. With the
    defaults, ``p_positive ≥ 0.90`` needs ``c ≥ 0.234``, ``p_negative ≥ 0.70`` needs
    ``c ≤ -0.166`` and ``p_neutral ≥ 0.90`` needs ``|c| ≤ 0.045``.
    """
    c = np.asarray(compound, dtype=np.float64)
    neutral = np.exp(-((c / neutral_width) ** 2))
    probs = np.stack([(1 - neutral) * (c < 0), neutral, (1 - neutral) * (c > 0)], axis=1)
    return (1 - uniform_mix) * probs + uniform_mix / 3


class VaderTeacher:
    """VADER as a probabilistic teacher."""

    name = "vader"
    languages = ["en"]  # VADER's lexicon is English

    def __init__(self, settings: VaderSettings | None = None):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.settings = settings or VaderSettings()
        self._analyzer = SentimentIntensityAnalyzer()

    def compound(self, texts: Sequence[str]) -> np.ndarray:
        """VADER compound score per text, shape ``(N,)``."""
        return np.array([self._analyzer.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.probabilities(self.compound(texts))

    def probabilities(self, compound: np.ndarray) -> np.ndarray:
        """Probabilities ``(N, 3)`` from compound scores ``(N,)`` at this teacher's settings."""
        return compound_to_probabilities(
            compound, neutral_width=self.settings.neutral_width, uniform_mix=self.settings.uniform_mix
        )
