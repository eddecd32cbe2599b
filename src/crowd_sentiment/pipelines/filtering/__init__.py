"""The filtering pipeline."""

from crowd_sentiment.pipelines.filtering.pipeline import create_pipeline

__all__ = ["create_pipeline"]
