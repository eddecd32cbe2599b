"""Nodes turning raw dumps and media files into validated tables and an image store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import pandas as pd

from crowd_sentiment.core.images import ImageStore, InvalidImageError, prepare_image
from crowd_sentiment.core.rejections import Rejection, rejections_frame
from crowd_sentiment.core.tweets import STAGE, parse_stream_lines
from crowd_sentiment.params import IngestionParams

log = logging.getLogger(__name__)

TWEET_COLUMNS = ["tweet_id", "text", "text_clean", "lang", "created_at", "source"]
PHOTO_COLUMNS = ["tweet_id", "media_key", "media_file"]
IMAGE_COLUMNS = ["image_id", "tweet_id", "media_key", "path", "width", "height"]


def parse_tweet_dumps(
    tweet_dumps: Mapping[str, Callable[[], str]], params: IngestionParams
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tweets, their photo references and the rejected lines/tweets of every dump partition.

    Args:
        tweet_dumps: partition name → loader of a JSON-lines Twitter API v2 dump.
    """
    tweets, photos, rejections = [], [], []
    for name in sorted(tweet_dumps):
        parsed = parse_stream_lines(tweet_dumps[name]().splitlines(), source=name, languages=params.languages)
        tweets += parsed.tweets
        photos += parsed.photos
        rejections += [
            Rejection(
                r.stage,
                r.item_kind,
                f"{name}:{r.item_id}" if r.item_kind == "line" else r.item_id,
                r.reason,
                r.detail,
            )
            for r in parsed.rejections
        ]
        log.info(
            "dump %s: %d tweets kept, %d items rejected", name, len(parsed.tweets), len(parsed.rejections)
        )
    return (
        pd.DataFrame(tweets, columns=TWEET_COLUMNS),
        pd.DataFrame(photos, columns=PHOTO_COLUMNS),
        rejections_frame(rejections),
    )


def validate_photos(
    tweet_photos: pd.DataFrame, tweet_media: Mapping[str, Callable[[], bytes]], params: IngestionParams
) -> tuple[pd.DataFrame, dict[str, bytes], pd.DataFrame]:
    """Decode every referenced media file once, keep the valid ones resized under their content hash.

    Returns:
        ``tweet_images`` (one row per photo occurrence, ``path`` relative to the store),
        ``{image_id: jpeg}`` for the store, and rejections (undecodable, too small,
        missing or unreferenced files).
    """
    prepared: dict[str, object] = {}  # media_file -> StoredImage | Rejection
    files = sorted(tweet_photos["media_file"].unique())
    for done, media_file in enumerate(files, start=1):
        prepared[media_file] = _prepare(media_file, tweet_media, params)
        if done % 200 == 0 or done == len(files):
            log.info("validated %d/%d media files", done, len(files))
    rows, store, rejections = [], {}, []
    for photo in tweet_photos.itertuples(index=False):
        outcome = prepared[photo.media_file]
        if isinstance(outcome, Rejection):
            continue
        store[outcome.image_id] = outcome.jpeg
        rows.append(
            (
                outcome.image_id,
                photo.tweet_id,
                photo.media_key,
                ImageStore.relative_path(outcome.image_id),
                outcome.width,
                outcome.height,
            )
        )
    rejections = [o for o in prepared.values() if isinstance(o, Rejection)]
    rejections += [
        Rejection(STAGE, "image", f, "unreferenced_media", "no kept tweet refers to this file")
        for f in sorted(set(tweet_media) - set(files))
    ]
    log.info("%d valid images (%d distinct), %d media files rejected", len(rows), len(store), len(rejections))
    return pd.DataFrame(rows, columns=IMAGE_COLUMNS), store, rejections_frame(rejections)


def _prepare(media_file: str, tweet_media: Mapping[str, Callable[[], bytes]], params: IngestionParams):
    if media_file not in tweet_media:
        return Rejection(
            STAGE, "image", media_file, "missing_file", "referenced by a tweet but not in the media folder"
        )
    try:
        return prepare_image(
            tweet_media[media_file](),
            min_side=params.min_side,
            max_pixels=params.max_pixels,
            short_side=params.store_short_side,
            quality=params.store_quality,
        )
    except InvalidImageError as err:
        return Rejection(STAGE, "image", media_file, err.reason, err.detail)


def combine_rejections(*frames: pd.DataFrame) -> pd.DataFrame:
    """All rejection tables as one, each item once with its first reason (in stage order).

    A photo of a rejected tweet is recorded by the parser (``tweet_rejected``) and would
    otherwise appear again as an unreferenced media file.
    """
    combined = pd.concat(frames, ignore_index=True)
    return combined.drop_duplicates(subset=["item_kind", "item_id"], keep="first").reset_index(drop=True)
