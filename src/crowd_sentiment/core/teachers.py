"""Text teachers: a tweet text in, a distribution over (negative, neutral, positive) out.

The offline default is VADER (Hutto & Gilbert, ICWSM 2014; package ``vaderSentiment``,
lexicon and emoji lexicon inside its wheel). VADER gives a ``compound`` score
``c ∈ [-1, 1]`` (normalised sum of word valences, ``x / sqrt(x² + 15)``) and its authors
call ``|c| < 0.05`` neutral. We trust VADER's *sign* and read its *magnitude* as
confidence:

* ``g = exp(-(c / neutral_width)²)`` is how neutral the text reads — 1 when VADER found
  no sentiment (``c = 0``), falling off as ``|c|`` grows;
* the rest, ``1 - g``, goes to the pole of ``sign(c)``.

``p = (1 - ε)·[(1 - g)·[c < 0], g, (1 - g)·[c > 0]] + ε/3`` with ``ε = uniform_mix``, so
every probability is strictly positive, the three sum to 1, ``p_positive`` never
decreases and ``p_negative`` never increases with ``c``. With the defaults
(``neutral_width = 0.15``, ``ε = 0.02``): ``p_positive ≥ 0.90`` needs ``c ≥ 0.234``,
``p_negative ≥ 0.70`` needs ``c ≤ -0.166``, ``p_neutral ≥ 0.90`` needs ``|c| ≤ 0.045`` —
close to VADER's own neutral band (see :func:`compound_to_probabilities`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class TextTeacher(Protocol):
    """What the pipeline needs from a teacher."""

    name: str

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape ``(N, 3)`` in the class order negative, neutral, positive."""
        ...


def compound_to_probabilities(
    compound: np.ndarray, *, neutral_width: float, uniform_mix: float
) -> np.ndarray:
    """Map VADER compound scores ``(N,)`` in [-1, 1] to probabilities ``(N, 3)`` (module docstring)."""
    c = np.asarray(compound, dtype=np.float64)
    neutral = np.exp(-((c / neutral_width) ** 2))
    probs = np.stack([(1 - neutral) * (c < 0), neutral, (1 - neutral) * (c > 0)], axis=1)
    return (1 - uniform_mix) * probs + uniform_mix / 3


@dataclass
class VaderTeacher:
    """VADER as a probabilistic teacher (mapping in the module docstring)."""

    neutral_width: float = 0.15
    uniform_mix: float = 0.02
    name: str = "vader"

    def __post_init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        if self.neutral_width <= 0:
            raise ValueError(f"neutral_width must be positive, got {self.neutral_width}")
        if not 0 <= self.uniform_mix < 1:
            raise ValueError(f"uniform_mix must be in [0, 1), got {self.uniform_mix}")
        self._analyzer = SentimentIntensityAnalyzer()

    def compound(self, texts: Sequence[str]) -> np.ndarray:
        """VADER compound score per text, shape ``(N,)``."""
        return np.array([self._analyzer.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return compound_to_probabilities(
            self.compound(texts),
            neutral_width=self.neutral_width,
            uniform_mix=self.uniform_mix,
        )
