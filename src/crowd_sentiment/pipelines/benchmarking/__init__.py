"""The benchmarking pipeline."""

from crowd_sentiment.pipelines.benchmarking.pipeline import create_pipeline

__all__ = ["create_pipeline"]
