"""The ingestion pipeline."""

from crowd_sentiment.pipelines.ingestion.pipeline import create_pipeline

__all__ = ["create_pipeline"]
