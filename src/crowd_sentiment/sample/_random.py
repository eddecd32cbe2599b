"""Small random helpers shared by the crowd, the benchmark, the texts and the pictures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here


def pick(rng: np.random.Generator, options: tuple[T, ...]) -> T:
    """One element of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def token(rng: np.random.Generator, length: int, alphabet: str) -> str:
    """``length`` characters drawn uniformly from ``alphabet``."""
    return "".join(rng.choice(list(alphabet), size=length))


def streams(seed: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """Independent (crowd, benchmark) seed sequences derived from ``seed``."""
    crowd, benchmark = np.random.SeedSequence(seed).spawn(2)
    return crowd, benchmark


def generators(seq: np.random.SeedSequence) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent (decisions, pictures) generators spawned from ``seq``."""
    decisions, pictures = seq.spawn(2)
    return np.random.default_rng(decisions), np.random.default_rng(pictures)


def sorted_times(period: tuple[str, str], n: int, rng: np.random.Generator) -> list[int]:
    """``n`` sorted epoch milliseconds drawn uniformly in the UTC dates ``[start, end)``."""
    start, end = (int(datetime.fromisoformat(d).replace(tzinfo=UTC).timestamp() * 1000) for d in period)
    return np.sort(rng.integers(start, end, n)).tolist()


def snowflake(created_ms: int, rng: np.random.Generator, used: set[int]) -> str:
    """A Twitter-style 19-digit id encoding ``created_ms``, unique within ``used`` (which it extends)."""
    while True:
        value = ((created_ms - _TWITTER_EPOCH_MS) << 22) | int(rng.integers(0, 1 << 22))
        if value not in used:
            used.add(value)
            return str(value)


def jittered_size(size: tuple[int, int], rng: np.random.Generator) -> tuple[int, int]:
    """``size`` with each side scaled by a random factor in [0.8, 1.25]."""
    w, h = (int(round(side * rng.uniform(0.8, 1.25))) for side in size)
    return w, h
