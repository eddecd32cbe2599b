"""Wiring of the teacher_training pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.teacher_training.nodes import fit_learned_teacher

OUTPUTS = ["learned_teacher", "learned_teacher_validation", "learned_teacher_scores"]


def create_pipeline(**kwargs) -> Pipeline:
    fit = Node(
        fit_learned_teacher, inputs="params:teacher_training", outputs=OUTPUTS, name="fit_learned_teacher"
    )
    return Pipeline([fit], tags="teacher_training")
