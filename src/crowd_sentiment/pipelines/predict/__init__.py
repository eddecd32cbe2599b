"""The predict pipeline."""

from crowd_sentiment.pipelines.predict.pipeline import create_pipeline

__all__ = ["create_pipeline"]
