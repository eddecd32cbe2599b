"""The teacher_training pipeline."""

from crowd_sentiment.pipelines.teacher_training.pipeline import create_pipeline

__all__ = ["create_pipeline"]
