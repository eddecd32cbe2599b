"""Wiring of the teacher_labeling pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.teacher_labeling.nodes import (
    draw_teacher_figures,
    measure_teacher,
    score_tweets,
    teacher_identity,
    track_teacher_scores,
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
            Node(
                measure_teacher,
                inputs=["params:teacher_labeling", "learned_teacher"],
                outputs=["teacher_agreement", "teacher_calibration", "learned_teacher_transfer"],
                name="measure_teacher",
            ),
            Node(track_teacher_scores, "teacher_agreement", "teacher_scores", name="track_teacher_scores"),
            Node(
                draw_teacher_figures,
                inputs=["tweet_sentiment", "teacher_calibration"],
                outputs="teacher_figures",
                name="draw_teacher_figures",
            ),
        ],
        tags="teacher_labeling",
    )
