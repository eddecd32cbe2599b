"""Wiring of the filtering pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.filtering.nodes import (
    build_distillation_manifest,
    fingerprint_held_out_images,
    fingerprint_images,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                fingerprint_images,
                inputs=["tweet_images", "tweet_image_store", "params:filtering"],
                outputs="image_fingerprints",
                name="fingerprint_images",
            ),
            Node(
                fingerprint_held_out_images,
                inputs="params:benchmarking",
                outputs="held_out_fingerprints",
                name="fingerprint_held_out_images",
            ),
            Node(
                build_distillation_manifest,
                inputs=[
                    "tweet_images",
                    "tweet_sentiment",
                    "image_fingerprints",
                    "held_out_fingerprints",
                    "params:filtering",
                ],
                outputs=["distillation_manifest", "filtering_funnel"],
                name="build_distillation_manifest",
            ),
        ],
        tags="filtering",
    )
