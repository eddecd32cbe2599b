"""The settings of the sample crowd and benchmark: ``conf/base/parameters_sample_crowd.yml``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from crowd_sentiment.core.settings import Settings

KINDS: tuple[str, ...] = ("normal", "repost", "near_duplicate", "broken", "tiny", "mention_only")

Rate = Annotated[float, Field(ge=0, le=1)]
Side = Annotated[int, Field(ge=48)]  # pixels


class SampleSpec(Settings):
    """What to generate; everything is a pure function of these values.

    Rates are fractions of ``n_tweets``, rounded to whole tweets. ``n_tweets`` counts the
    valid dump lines; the malformed lines come on top. The noise kinds are exclusive per
    tweet, the rest are ``normal``; ``non_english_rate`` applies to normal, near-duplicate,
    broken and tiny tweets (reposts inherit their source's language).
    """

    seed: int = 7
    n_tweets: int = Field(600, ge=10)
    n_benchmark: int = Field(240, ge=10)
    agreement: Rate = 0.7  # P(visual sentiment == text sentiment)
    class_mix: tuple[float, float, float] = (0.3, 0.3, 0.4)  # negative, neutral, positive
    benchmark_positive_rate: float = Field(0.65, gt=0, lt=1)
    image_size: tuple[Side, Side] = (320, 240)  # (width, height) of most pictures
    repost_rate: Rate = 0.08
    near_duplicate_rate: Rate = 0.05
    broken_image_rate: Rate = 0.02
    tiny_image_rate: Rate = 0.01
    mention_only_rate: Rate = 0.03
    non_english_rate: Rate = 0.08
    malformed_line_rate: Rate = 0.01

    @field_validator("class_mix")
    @classmethod
    def _shares(cls, mix: tuple[float, float, float]) -> tuple[float, float, float]:
        if min(mix) < 0 or abs(sum(mix) - 1) > 1e-6:
            raise ValueError(f"class_mix={mix} must be 3 non-negative shares summing to 1")
        return mix

    @model_validator(mode="after")
    def _some_normal(self) -> SampleSpec:
        if self.kind_counts()["normal"] < 1:
            raise ValueError(f"noise rates leave no normal tweet among n_tweets={self.n_tweets}")
        return self

    def kind_counts(self) -> dict[str, int]:
        """Number of tweets of each kind in :data:`KINDS`, summing to ``n_tweets``."""
        noise = {
            "repost": self.repost_rate,
            "near_duplicate": self.near_duplicate_rate,
            "broken": self.broken_image_rate,
            "tiny": self.tiny_image_rate,
            "mention_only": self.mention_only_rate,
        }
        counts = {kind: int(round(rate * self.n_tweets)) for kind, rate in noise.items()}
        return {"normal": self.n_tweets - sum(counts.values()), **counts}
