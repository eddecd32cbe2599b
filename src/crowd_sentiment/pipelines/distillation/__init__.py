"""The distillation pipeline."""

from crowd_sentiment.pipelines.distillation.pipeline import create_pipeline

__all__ = ["create_pipeline"]
