"""A simulated Twitter I style benchmark: binary-labelled pictures voted on by five annotators.

Drawn from a seed stream and a date range disjoint from the crowd's, so no benchmark picture
repeats a crowd picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crowd_sentiment.sample._random import generators, jittered_size, snowflake, sorted_times, streams
from crowd_sentiment.sample.pictures import encode, render_picture
from crowd_sentiment.sample.spec import SampleSpec

_PERIOD = ("2022-01-01", "2022-04-01")  # before the crowd's
_CLARITY = (0.8, 0.45)  # Beta(a, b) giving ~69 % five-agree, ~89 % >=4-agree (as Twitter I)
_N_ANNOTATORS = 5


@dataclass
class SampleBenchmark:
    """A labelled binary image benchmark in the Twitter I layout.

    ``images``: ``"u<user>_<tweet>_<n>.jpg"`` -> JPEG bytes.
    ``votes``: ``file, annotator_1..annotator_5`` (0 negative / 1 positive), ``label``
    (majority), ``agreement`` (majority size: 3, 4 or 5).
    ``ground_truth``: ``twitter_{five,four,three}_agrees.txt`` -> lines ``"<file> <label>"``.
    ``truth``: latent ``file, visual_sentiment, clarity``, for analysis.
    """

    images: dict[str, bytes]
    votes: pd.DataFrame
    ground_truth: dict[str, str]
    truth: pd.DataFrame = field(default_factory=pd.DataFrame)


def _annotate(polarity: int, clarity: float, rng: np.random.Generator) -> list[int]:
    """Five 0/1 votes, each ``polarity`` with probability ``0.5 + 0.5 * clarity ** (1/3)``.

    Right 90 % of the time already at clarity 0.5: annotators split over pictures with
    little visual sentiment left.
    """
    p_right = 0.5 + 0.5 * np.cbrt(clarity)
    right = rng.random(_N_ANNOTATORS) < p_right
    return [polarity if r else 1 - polarity for r in right]


def _file_name(created_ms: int, rng: np.random.Generator, used: set[int]) -> str:
    """Twitter I style file name ``u<user>_<tweet id>_<media index>.jpg``."""
    user = int(rng.integers(10**5, 10**9))
    index = 1 if rng.random() < 0.85 else 2
    return f"u{user}_{snowflake(created_ms, rng, used)}_{index}.jpg"


def _ground_truth(votes: pd.DataFrame) -> dict[str, str]:
    """The three Twitter I ground-truth files: five = 5 agree, four = >= 4, three = all."""

    def lines(rows: pd.DataFrame) -> str:
        return "".join(f"{f} {label}\n" for f, label in zip(rows["file"], rows["label"]))

    return {
        "twitter_five_agrees.txt": lines(votes[votes["agreement"] == 5]),
        "twitter_four_agrees.txt": lines(votes[votes["agreement"] >= 4]),
        "twitter_three_agrees.txt": lines(votes),
    }


def generate_benchmark(spec: SampleSpec) -> SampleBenchmark:
    """Simulate ``spec.n_benchmark`` pictures, positive with ``benchmark_positive_rate``.

    Clarity ~ Beta(0.8, 0.45); the label is the annotators' majority. Expect ~69 % of the
    images five-agree and ~89 % four-agree, mean clarity ~0.2 / ~0.4 / ~0.77 in the
    three-only / four-only / five-agree pictures.
    """
    _, bench_seq = streams(spec.seed)
    rng, pic_rng = generators(bench_seq)
    used: set[int] = set()
    images: dict[str, bytes] = {}
    rows, truth = [], []
    for created in sorted_times(_PERIOD, spec.n_benchmark, rng):
        polarity = int(rng.random() < spec.benchmark_positive_rate)
        clarity = float(rng.beta(*_CLARITY))
        sentiment = "positive" if polarity else "negative"
        picture = render_picture(sentiment, clarity, pic_rng, jittered_size(spec.image_size, rng))
        name = _file_name(created, rng, used)
        images[name] = encode(picture, "jpeg", int(rng.integers(60, 96)))
        votes = _annotate(polarity, clarity, rng)
        label = int(sum(votes) > _N_ANNOTATORS // 2)
        rows.append([name, *votes, label, max(sum(votes), _N_ANNOTATORS - sum(votes))])
        truth.append((name, sentiment, clarity))
    annotators = [f"annotator_{i}" for i in range(1, _N_ANNOTATORS + 1)]
    votes_frame = pd.DataFrame(rows, columns=["file", *annotators, "label", "agreement"])
    return SampleBenchmark(
        images=images,
        votes=votes_frame,
        ground_truth=_ground_truth(votes_frame),
        truth=pd.DataFrame(truth, columns=["file", "visual_sentiment", "clarity"]),
    )
