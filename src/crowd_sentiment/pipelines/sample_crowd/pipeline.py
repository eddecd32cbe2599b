"""Wiring of the sample_crowd pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.sample_crowd.nodes import generate_sample_benchmark, generate_sample_crowd


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                generate_sample_crowd,
                inputs="params:sample_crowd",
                outputs=["tweet_dumps", "tweet_media", "sample_crowd_truth"],
                name="generate_sample_crowd",
            ),
            Node(
                generate_sample_benchmark,
                inputs="params:sample_crowd",
                outputs=[
                    "sample_benchmark_images",
                    "sample_benchmark_ground_truth",
                    "sample_benchmark_votes",
                ],
                name="generate_sample_benchmark",
            ),
        ],
        tags="sample_crowd",
    )
