"""Wiring of the predict pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.predict.nodes import score_pictures


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                score_pictures,
                inputs="params:predict",
                outputs=["picture_predictions", "picture_rejections"],
                name="score_pictures",
            )
        ],
        tags="predict",
    )
