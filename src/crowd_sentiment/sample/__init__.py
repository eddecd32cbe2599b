"""The embedded synthetic sample: a crowd of tweets with pictures and a labelled benchmark.

Plain Python (numpy, pandas, Pillow, pydantic); deterministic in :class:`SampleSpec`.
"""

from crowd_sentiment.sample.benchmark import SampleBenchmark, generate_benchmark
from crowd_sentiment.sample.crowd import SampleCrowd, generate_crowd
from crowd_sentiment.sample.pictures import encode, render_picture
from crowd_sentiment.sample.spec import KINDS, SampleSpec

__all__ = [
    "KINDS",
    "SampleBenchmark",
    "SampleCrowd",
    "SampleSpec",
    "encode",
    "generate_benchmark",
    "generate_crowd",
    "render_picture",
]
