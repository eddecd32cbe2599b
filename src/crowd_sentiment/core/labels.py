"""The sentiment classes and their order, shared by every table and tensor.

Class order everywhere: negative, neutral, positive (index 0, 1, 2). Binary benchmarks
use the two polar classes only: negative = 0, positive = 1.
"""

from __future__ import annotations

from typing import Literal

SENTIMENTS: tuple[str, str, str] = ("negative", "neutral", "positive")
Sentiment = Literal["negative", "neutral", "positive"]
PROBABILITY_COLUMNS: tuple[str, str, str] = ("p_negative", "p_neutral", "p_positive")
NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2

