"""Wiring of the teacher_labeling pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.teacher_labeling.nodes import (
    draw_label_distribution,
    measure_teacher,
    score_tweets,
    teacher_identity,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                teacher_identity,
                inputs=["params:teacher_labeling", "learned_teacher"],
                outputs="teacher_identity",
                name="identify_teacher",
            ),
            Node(
                score_tweets,
                inputs=[
                    "tweets",
                    "tweet_sentiment_partitions",
                    "teacher_identity",
                    "params:teacher_labeling",
                    "learned_teacher",
                ],
                outputs=["tweet_sentiment", "teacher_exclusions"],
                name="score_tweets",
            ),
            Node(draw_label_distribution, "tweet_sentiment", "teacher_label_distribution", name="draw_label_distribution"),
            Node(
                measure_teacher,
                inputs=["params:teacher_labeling", "learned_teacher"],
                outputs=[
                    "teacher_agreement",
                    "teacher_scores",
                    "teacher_calibration",
                    "teacher_calibration_plot",
                ],
                name="measure_teacher",
            ),
        ],
        tags="teacher_labeling",
    )
