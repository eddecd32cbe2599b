"""Text teachers: a tweet text in, a distribution over (negative, neutral, positive) out.

The offline default is VADER (Hutto & Gilbert, ICWSM 2014; package ``vaderSentiment``,
lexicon and emoji lexicon inside its wheel). VADER gives a ``compound`` score
``c ∈ [-1, 1]`` (normalised sum of word valences, ``x / sqrt(x² + 15)``) and its authors
call ``|c| < 0.05`` neutral. We turn ``c`` into probabilities with two smooth pieces:

* how neutral the text is: ``g = exp(-(c / neutral_width)²)`` — 1 when VADER found no
  sentiment (``c = 0``), falling off as ``|c|`` grows;
* which pole the rest goes to: ``s = sigmoid(c / polarity_temperature)``.

``p = (1 - ε)·[(1 - g)(1 - s), g, (1 - g)s] + ε/3`` with ``ε = uniform_mix``, so every
probability is strictly positive and the three sum to 1. With the defaults
(``neutral_width = 0.1``, ``polarity_temperature = 0.1``, ``ε = 0.02``): ``p_positive ≥ 0.90``
needs ``c ≳ 0.24``, ``p_negative ≥ 0.70`` needs ``c ≲ -0.15``, ``p_neutral ≥ 0.90`` needs
``|c| ≲ 0.03`` (see :func:`compound_to_probabilities`).
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
    compound: np.ndarray, *, neutral_width: float, polarity_temperature: float, uniform_mix: float
) -> np.ndarray:
    """Map VADER compound scores ``(N,)`` in [-1, 1] to probabilities ``(N, 3)`` (module docstring)."""
    c = np.asarray(compound, dtype=np.float64)
    neutral = np.exp(-((c / neutral_width) ** 2))
    positive_share = 1.0 / (1.0 + np.exp(-c / polarity_temperature))
    probs = np.stack([(1 - neutral) * (1 - positive_share), neutral, (1 - neutral) * positive_share], axis=1)
    return (1 - uniform_mix) * probs + uniform_mix / 3


@dataclass
class VaderTeacher:
    """VADER as a probabilistic teacher (mapping in the module docstring)."""

    neutral_width: float = 0.1
    polarity_temperature: float = 0.1
    uniform_mix: float = 0.02
    name: str = "vader"

    def __post_init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        if self.neutral_width <= 0 or self.polarity_temperature <= 0:
            raise ValueError(
                f"neutral_width ({self.neutral_width}) and polarity_temperature "
                f"({self.polarity_temperature}) must be positive"
            )
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
            polarity_temperature=self.polarity_temperature,
            uniform_mix=self.uniform_mix,
        )
