"""Wiring of the ingestion pipeline."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.ingestion.nodes import combine_rejections, parse_tweet_dumps, validate_photos


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                parse_tweet_dumps,
                inputs=["tweet_dumps", "params:ingestion"],
                outputs=["tweets", "tweet_photos", "rejected_dump_items"],
                name="parse_tweet_dumps",
            ),
            Node(
                validate_photos,
                inputs=["tweet_photos", "tweet_media", "params:ingestion"],
                outputs=["tweet_images", "tweet_image_store", "rejected_media"],
                name="validate_photos",
            ),
            Node(
                combine_rejections,
                inputs=["rejected_dump_items", "rejected_media"],
                outputs="rejected_inputs",
                name="combine_rejections",
            ),
        ],
        tags="ingestion",
    )
