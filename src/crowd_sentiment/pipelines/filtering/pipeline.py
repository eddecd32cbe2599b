"""Wiring of the filtering pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.filtering.nodes import (
    build_distillation_manifest,
    draw_filtering_figures,
    fingerprint_images,
    load_benchmark_images,
    track_funnel,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                load_benchmark_images,
                inputs="params:benchmarking",
                outputs="benchmark_images",
                name="load_benchmark_images",
            ),
            Node(
                fingerprint_images,
                inputs=[
                    "tweet_images",
                    "tweet_image_store",
                    "benchmark_images",
                    "image_feature_cache",
                    "params:distillation",
                    "params:filtering",
                ],
                outputs="image_fingerprints",
                name="fingerprint_images",
            ),
            Node(
                build_distillation_manifest,
                inputs=[
                    "tweet_images",
                    "tweet_sentiment",
                    "image_fingerprints",
                    "benchmark_images",
                    "params:filtering",
                    "params:benchmarking",
                ],
                outputs=["distillation_manifest", "filtering_funnel", "filtering_funnel_table"],
                name="build_distillation_manifest",
            ),
            Node(track_funnel, "filtering_funnel_table", "filtering_metrics", name="track_funnel"),
            Node(
                draw_filtering_figures,
                inputs="filtering_funnel_table",
                outputs="filtering_figures",
                name="draw_filtering_figures",
            ),
        ],
        tags="filtering",
    )
