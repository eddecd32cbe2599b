"""Wiring of the teacher_labeling pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.teacher_labeling.nodes import measure_teacher, score_tweets


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                score_tweets,
                inputs=["tweets", "params:teacher_labeling"],
                outputs="tweet_sentiment",
                name="score_tweets",
            ),
            Node(
                measure_teacher,
                inputs="params:teacher_labeling",
                outputs=["teacher_agreement", "teacher_scores"],
                name="measure_teacher",
            ),
        ],
        tags="teacher_labeling",
    )
