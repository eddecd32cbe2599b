"""The ingestion pipeline and the media download."""

from crowd_sentiment.pipelines.ingestion.pipeline import create_download_pipeline, create_pipeline

__all__ = ["create_download_pipeline", "create_pipeline"]
