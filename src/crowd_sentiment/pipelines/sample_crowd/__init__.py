"""The sample_crowd pipeline."""

from crowd_sentiment.pipelines.sample_crowd.pipeline import create_pipeline

__all__ = ["create_pipeline"]
