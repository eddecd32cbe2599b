"""Wiring of the ingestion pipeline and of the media download."""

from kedro.pipeline import Node, Pipeline

from crowd_sentiment.pipelines.ingestion.nodes import (
    combine_rejections,
    download_media,
    parse_tweet_dumps,
    validate_photos,
)

_PARSE = Node(
    parse_tweet_dumps,
    inputs=["tweet_dumps", "params:ingestion"],
    outputs=["tweets", "tweet_photos", "rejected_dump_items"],
    name="parse_tweet_dumps",
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            _PARSE,
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


def create_download_pipeline(**kwargs) -> Pipeline:
    """Parse the dumps, then fetch the photos' URLs that are not in the media folder yet (uses the network)."""
    return Pipeline(
        [
            _PARSE,
            Node(
                download_media,
                inputs=["tweet_photos", "media_folder", "params:ingestion"],
                outputs="media_download_failures",
                name="download_media",
            ),
        ],
        tags="media_download",
    )
