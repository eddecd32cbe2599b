"""Parsing a Twitter API v2 stream dump (JSON lines) into tweets and photo references.

Each line is one stream message: ``{"data": {tweet}, "includes": {"media": [...]}}``;
``data`` may also be a list of tweets (search-endpoint pages). A tweet's photos are
``data.attachments.media_keys`` resolved against ``includes.media`` (``type == "photo"``).
The local file of a photo is named ``<media_key><ext>`` with the extension of its URL,
which is how the downloader of a crawl stores media.

Nothing is dropped silently: malformed lines, tweets missing fields, duplicate ids,
tweets without usable text (empty or garbled) or without a photo become
:class:`Rejection` rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlparse

from crowd_sentiment.core.rejections import Rejection
from crowd_sentiment.core.text import clean_tweet_text, has_content, looks_garbled

STAGE = "ingestion"


@dataclass
class ParsedDump:
    """Result of parsing a dump: kept tweets, their photo references, rejections."""

    tweets: list[dict] = field(default_factory=list)
    photos: list[dict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def media_file_name(media: dict) -> str:
    """Local file name of a media object: ``<media_key><ext>`` (ext from its URL, default .jpg)."""
    suffix = PurePosixPath(urlparse(str(media.get("url") or "")).path).suffix.lower()
    return f"{media['media_key']}{suffix or '.jpg'}"


def _messages(line: str) -> tuple[list[dict], dict[str, dict]]:
    """Tweets and photo objects (by media key) of one stream message."""
    message = json.loads(line)
    if not isinstance(message, dict) or "data" not in message:
        raise ValueError("no 'data' object")
    data = message["data"]
    tweets = data if isinstance(data, list) else [data]
    includes = message.get("includes") or {}
    media = includes.get("media") or [] if isinstance(includes, dict) else None
    if not isinstance(media, list):
        raise ValueError("'includes.media' is not a list")
    photos = {
        str(m["media_key"]): m
        for m in media
        if isinstance(m, dict) and m.get("type") == "photo" and isinstance(m.get("media_key"), str | int)
    }
    return tweets, photos


def _media_keys(tweet: dict) -> list[str] | None:
    """The tweet's ``attachments.media_keys`` as strings, ``None`` when malformed."""
    attachments = tweet.get("attachments") or {}
    keys = attachments.get("media_keys") or [] if isinstance(attachments, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, str | int) for k in keys):
        return None
    return [str(k) for k in keys]


def parse_stream_lines(
    lines: Iterable[str], *, source: str, languages: list[str] | None = None
) -> ParsedDump:
    """Parse JSON lines of a v2 stream dump.

    Args:
        lines: the dump's lines (blank lines are ignored).
        source: name recorded in the ``source`` column (e.g. the dump's name).
        languages: keep only tweets whose ``lang`` is listed; ``None`` keeps all.

    Returns:
        :class:`ParsedDump`; ``tweets`` rows have ``tweet_id, text, text_clean, lang,
        created_at, source``; ``photos`` rows have ``tweet_id, media_key, media_file``.
    """
    parsed = ParsedDump()
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            tweets, photos = _messages(line)
        except (ValueError, TypeError, KeyError) as err:
            parsed.rejections.append(Rejection(STAGE, "line", str(number), "malformed_json", str(err)[:200]))
            continue
        for tweet in tweets:
            _add_tweet(tweet, photos, parsed, seen, source=source, languages=languages, line=number)
    return parsed


def _add_tweet(
    tweet: object,
    photos: dict[str, dict],
    parsed: ParsedDump,
    seen: set[str],
    *,
    source: str,
    languages: list[str] | None,
    line: int,
) -> None:
    if not isinstance(tweet, dict) or not tweet.get("id") or not isinstance(tweet.get("text"), str):
        parsed.rejections.append(
            Rejection(STAGE, "line", str(line), "missing_field", "tweet needs 'id' and 'text'")
        )
        return
    tweet_id = str(tweet["id"])
    media_keys = _media_keys(tweet)
    if media_keys is None:
        parsed.rejections.append(
            Rejection(
                STAGE, "tweet", tweet_id, "malformed_json", "'attachments.media_keys' is not a list of keys"
            )
        )
        return
    reject = _tweet_problem(tweet, tweet_id, seen, languages)
    tweet_photos = [photos[k] for k in media_keys if k in photos]
    if reject is None and not tweet_photos:
        reject = ("no_photo", "no attached photo in includes.media")
    if reject is not None:
        parsed.rejections.append(Rejection(STAGE, "tweet", tweet_id, *reject))
        for photo in tweet_photos:
            parsed.rejections.append(
                Rejection(
                    STAGE, "image", media_file_name(photo), "tweet_rejected", f"tweet {tweet_id}: {reject[0]}"
                )
            )
        return
    seen.add(tweet_id)
    parsed.tweets.append(
        {
            "tweet_id": tweet_id,
            "text": tweet["text"],
            "text_clean": clean_tweet_text(tweet["text"]),
            "lang": str(tweet.get("lang") or "und"),
            "created_at": str(tweet.get("created_at") or ""),
            "source": source,
        }
    )
    for photo in tweet_photos:
        parsed.photos.append(
            {"tweet_id": tweet_id, "media_key": str(photo["media_key"]), "media_file": media_file_name(photo)}
        )


def _tweet_problem(
    tweet: dict, tweet_id: str, seen: set[str], languages: list[str] | None
) -> tuple[str, str] | None:
    """Reason code and detail when a tweet cannot be used, else ``None``."""
    if tweet_id in seen:
        return ("duplicate_tweet", "tweet id seen earlier in the dump")
    if languages is not None and tweet.get("lang") not in languages:
        return ("language_excluded", f"lang={tweet.get('lang')!r} not in {languages}")
    clean = clean_tweet_text(tweet["text"])
    if not has_content(clean):
        return ("empty_text", "no words or emoji besides mentions and links")
    if looks_garbled(clean):
        return ("garbled_text", "mostly lost characters or mojibake")
    return None
