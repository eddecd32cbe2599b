"""The teacher_labeling pipeline."""

from crowd_sentiment.pipelines.teacher_labeling.pipeline import create_pipeline

__all__ = ["create_pipeline"]
