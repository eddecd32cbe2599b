"""Nodes turning raw dumps and media files into validated tables and an image store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import pandas as pd

from crowd_sentiment.core.download import MediaFolder, download_media_files
from crowd_sentiment.core.images import ImageStore, InvalidImageError, StoredImage, prepare_images
from crowd_sentiment.core.progress import progress_bar
from crowd_sentiment.core.rejections import Rejection, check_reject_rate, rejections_frame
from crowd_sentiment.core.selection import with_provenance
from crowd_sentiment.core.tweets import STAGE, DumpParser
from crowd_sentiment.params import IngestionParams

log = logging.getLogger(__name__)

TWEET_COLUMNS = ["tweet_id", "text", "text_clean", "lang", "created_at", "source"]
PHOTO_COLUMNS = ["tweet_id", "media_key", "media_file", "url"]
IMAGE_COLUMNS = ["image_id", "tweet_id", "media_key", "path", "width", "height"]
# Rejections that are deliberate filters, not bad input: the reject-rate guard does not count them.
FILTER_REASONS = frozenset({"no_photo", "language_excluded", "tweet_rejected", "unreferenced_media"})


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)


def parse_tweet_dumps(
    tweet_dumps: Mapping[str, Callable[[], bytes | str]], params: IngestionParams
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tweets, their photo references and the rejected files/lines/tweets of every dump partition.

    Args:
        tweet_dumps: partition name → loader of a dump (bytes; formats in ``core.dump_formats``).

    Raises:
        ValueError: no tweet kept at all (nothing is written, earlier outputs stay).
        RejectRateError: more tweets and lines rejected than ``max_reject_share``.
    """
    parser = DumpParser(
        languages=params.languages, max_text_chars=params.max_text_chars, dump_format=params.dump_format
    )
    for name in progress_bar(sorted(tweet_dumps), desc="ingestion: dumps", unit="file"):
        before = (len(parser.parsed.tweets), len(parser.parsed.rejections))
        parser.add_file(name, _as_bytes(tweet_dumps[name]()))
        log.info(
            "dump %s: %d tweets kept, %d items rejected",
            name,
            len(parser.parsed.tweets) - before[0],
            len(parser.parsed.rejections) - before[1],
        )
    parsed = parser.parsed
    if not parsed.tweets:
        raise ValueError(
            f"no tweet kept from {len(tweet_dumps)} dump file(s) {sorted(tweet_dumps)[:5]}; rejected: "
            f"{rejections_frame(parsed.rejections)['reason'].value_counts().to_dict()}. Nothing was "
            "written, earlier outputs are unchanged; put Twitter API v2/v1.1 JSON lines or a table "
            "into the tweet_dumps folder"
        )
    bad = [
        r.reason
        for r in parsed.rejections
        if r.item_kind in ("line", "tweet") and r.reason not in FILTER_REASONS
    ]
    check_reject_rate("tweets and dump lines", len(parsed.tweets), bad, params.max_reject_share)
    return (
        pd.DataFrame(parsed.tweets, columns=TWEET_COLUMNS),
        pd.DataFrame(parsed.photos, columns=PHOTO_COLUMNS),
        rejections_frame(parsed.rejections),
    )


def validate_photos(
    tweet_photos: pd.DataFrame, tweet_media: Mapping[str, Callable[[], bytes]], params: IngestionParams
) -> tuple[pd.DataFrame, dict[str, bytes], pd.DataFrame]:
    """Decode every referenced media file once, keep the valid ones resized under their stored id.

    Returns:
        ``tweet_images`` (one row per photo occurrence, ``path`` relative to the store),
        ``{image_id: jpeg}`` for the store, and rejections (undecodable, too small,
        too large, unsupported pixels, missing or unreferenced files).

    Raises:
        ValueError: no picture passed (nothing is written).
        RejectRateError: more referenced files rejected than ``max_reject_share``.
    """
    files = sorted(tweet_photos["media_file"].unique())
    prepared = _prepare_all(files, tweet_media, params)  # media_file -> StoredImage | Rejection
    rows, store = [], {}
    for photo in tweet_photos.itertuples(index=False):
        outcome = prepared[photo.media_file]
        if isinstance(outcome, Rejection):
            continue
        store[outcome.image_id] = outcome.jpeg
        path = ImageStore.relative_path(outcome.image_id)
        rows.append((outcome.image_id, photo.tweet_id, photo.media_key, path, outcome.width, outcome.height))
    rejections = [o for o in prepared.values() if isinstance(o, Rejection)]
    if not store:
        raise ValueError(
            f"no picture passed validation among {len(files)} referenced media files; rejected: "
            f"{rejections_frame(rejections)['reason'].value_counts().to_dict()}. Nothing was written"
        )
    check_reject_rate("referenced pictures", len(files) - len(rejections), [r.reason for r in rejections],
                      params.max_reject_share)  # fmt: skip
    rejections += [
        Rejection(STAGE, "image", f, "unreferenced_media", "no kept tweet refers to this file")
        for f in sorted(set(tweet_media) - set(files))
    ]
    log.info("%d valid images (%d distinct), %d media files rejected", len(rows), len(store), len(rejections))
    images = with_provenance(pd.DataFrame(rows, columns=IMAGE_COLUMNS), ingestion=params.model_dump(mode="json"))
    return images, store, rejections_frame(rejections)


def _prepare_all(
    files: list[str], tweet_media: Mapping[str, Callable[[], bytes]], params: IngestionParams
) -> dict[str, StoredImage | Rejection]:
    """Each referenced file's stored copy or rejection; ``params.workers`` processes decode and resize."""
    present = [f for f in files if f in tweet_media]
    prepared: dict[str, StoredImage | Rejection] = {
        f: Rejection(STAGE, "image", f, "missing_file", "referenced by a tweet but not in the media folder")
        for f in files
        if f not in tweet_media
    }
    outcomes = prepare_images(
        (tweet_media[f]() for f in present), workers=params.workers, min_side=params.min_side,
        max_pixels=params.max_pixels, short_side=params.store_short_side, quality=params.store_quality,
    )  # fmt: skip
    pairs = zip(present, outcomes, strict=True)
    for media_file, outcome in progress_bar(pairs, total=len(present), desc="ingestion: pictures", unit="img"):
        if isinstance(outcome, InvalidImageError):
            outcome = Rejection(STAGE, "image", media_file, outcome.reason, outcome.detail)
        prepared[media_file] = outcome
    return {f: prepared[f] for f in files}


def combine_rejections(*frames: pd.DataFrame) -> pd.DataFrame:
    """All rejection tables as one, each item once with its first reason (in stage order).

    A photo of a rejected tweet is recorded by the parser (``tweet_rejected``) and would
    otherwise appear again as an unreferenced media file.
    """
    combined = pd.concat(frames, ignore_index=True)
    return combined.drop_duplicates(subset=["item_kind", "item_id"], keep="first").reset_index(drop=True)


def download_media(
    tweet_photos: pd.DataFrame, media_folder: MediaFolder, params: IngestionParams
) -> pd.DataFrame:
    """Fetch the photos of kept tweets that are not in the media folder yet; returns the failures.

    Files present are not fetched again (resume); each failure is a rejection row.
    """
    jobs = {
        row.media_file: row.url
        for row in tweet_photos.itertuples(index=False)
        if row.url.startswith(("http://", "https://"))
    }
    failures = download_media_files(jobs, media_folder, params.download)
    return rejections_frame(failures)
