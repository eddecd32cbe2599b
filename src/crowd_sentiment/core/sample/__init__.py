"""Deterministic synthetic sample crowd (tweets + pictures) and labelled image benchmark.

Plain Python (numpy, pandas, Pillow); no Kedro, no MLflow. See :mod:`.crowd` for what is
simulated and why, :mod:`.texts` for tweet texts and :mod:`.pictures` for the renderer.
"""

from crowd_sentiment.core.sample.crowd import (
    KINDS,
    SENTIMENTS,
    SampleBenchmark,
    SampleCrowd,
    SampleSpec,
    generate_benchmark,
    generate_crowd,
)
from crowd_sentiment.core.sample.pictures import encode, render_picture

__all__ = [
    "KINDS",
    "SENTIMENTS",
    "SampleBenchmark",
    "SampleCrowd",
    "SampleSpec",
    "encode",
    "generate_benchmark",
    "generate_crowd",
    "render_picture",
]
