"""Crawl dump formats read into one tweet shape: v2 and v1.1 JSON lines, JSON documents, T4SA-style tables.

Formats (``ingestion.dump_format``; ``auto`` detects each file from its first bytes):

- ``jsonl``: one JSON value per line, each a Twitter API v2 message (``{"data": tweet}``
  from the stream, or ``{"data": [tweets], "includes": ..., "meta": ...}``, one response
  page) or a v1.1 tweet object (``id_str``, ``full_text``, ``extended_tweet``,
  ``extended_entities.media``).
- ``json``: one JSON document holding one such value or a list of them.
- ``table``: a T4SA-style CSV or TSV with a header: the tweet id (``tweet_id`` or ``id``),
  ``text``, and picture file names or URLs (``image``, ``images``, ``image_file``,
  ``media_file``, ``image_url``, ``media_url`` or ``url``; several in one cell separated
  by whitespace or ``;``).

Lines are split on ``\\n`` only (a raw U+2028 or U+0085 inside a text stays inside it), a
trailing ``\\r`` and a leading byte-order mark are dropped, and each line is decoded and
parsed on its own, so one bad line costs one line. Line numbers are physical (1-based).

Retweets are resolved to the original: the text of ``includes.tweets`` (v2) or
``retweeted_status`` (v1.1), and its photos when the retweet has none. A quote keeps its
own text and photos: the quoted tweet is another post. Long texts are read from
``note_tweet.text`` (v2) and ``extended_tweet.full_text`` (v1.1). A v1.1 photo gets the
media key v2 would give it (``3_<id_str>``), so its file is named the same in both.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlparse

BOM = b"\xef\xbb\xbf"
ID_COLUMNS = ("tweet_id", "id")
IMAGE_COLUMNS = ("image", "images", "image_file", "media_file", "image_url", "media_url", "url")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}$")
_CELL_SPLIT = re.compile(r"[\s;]+")
_LEADING_SPACE = re.compile(rb"\s*")  # the ASCII whitespace bytes.lstrip() drops
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # a byte surrogateescape kept: not UTF-8


class RecordError(ValueError):
    """A line or record that yields no tweet; ``reason`` is the rejection code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:200]


@dataclass
class Photo:
    """A photo reference: its key, local file name (``None`` when the name is unsafe) and URL."""

    media_key: str
    media_file: str | None
    url: str = ""


@dataclass
class RawTweet:
    """A tweet as read from any format, before its text is checked.

    ``problem`` is ``(reason, detail)`` when the record is a tweet (it has an id) but is
    unusable as it stands (e.g. ``attachments.media_keys`` is not a list).
    """

    tweet_id: str
    text: str
    lang: str
    created_at: str
    photos: list[Photo] = field(default_factory=list)
    problem: tuple[str, str] | None = None


def safe_file_name(name: str) -> str | None:
    """``name`` when it is a plain file name (no folder, no ``..``, at most 200 characters), else ``None``."""
    return name if _SAFE_NAME.match(name) and ".." not in name else None


def media_file_name(media_key: str, url: str) -> str | None:
    """Local file name of a photo: ``<media_key><ext>`` (ext from the URL's path, default .jpg); ``None`` if unsafe."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:  # drop scheme and host: a dot in the host is no extension
        rest = path.split("://", 1)[1]
        path = rest[rest.find("/") :] if "/" in rest else ""
    last = path.rsplit("/", 1)[-1]
    dot = last.rfind(".")
    suffix = last[dot:].lower() if dot > 0 else ""
    return safe_file_name(f"{media_key}{suffix or '.jpg'}")


def split_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(physical line number, line bytes)`` of non-blank lines, split on ``\\n`` only; BOM and ``\\r`` dropped."""
    start = len(BOM) if data.startswith(BOM) else 0
    number = 0
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        number += 1
        line = data[start:end].removesuffix(b"\r")
        if line.strip():
            yield number, line
        start = end + 1


def decode_json(raw: bytes) -> object:
    """One JSON value from UTF-8 bytes; raises :class:`RecordError` (``invalid_utf8``, ``too_deeply_nested``, ``malformed_json``)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RecordError("invalid_utf8", str(err)) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise RecordError(
            "too_deeply_nested", "JSON nested deeper than the parser's recursion limit"
        ) from None
    except ValueError as err:
        raise RecordError("malformed_json", str(err)) from None


def detect_format(name: str, data: bytes) -> str | None:
    """``jsonl``, ``json`` or ``table`` from a file's name and first bytes; ``None`` when unknown."""
    start = _LEADING_SPACE.match(data, len(BOM) if data.startswith(BOM) else 0).end()
    head = data[start : start + 4096]  # slices only the head: a dump may be large
    suffix = PurePosixPath(name).suffix.lower()
    if head.startswith((b"{", b"[")):
        if suffix == ".json" or head.startswith(b"["):
            return "json"
        return "jsonl"
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    columns = {c.strip().strip('"') for c in re.split(r"[,\t]", first)}
    if columns & set(ID_COLUMNS) and "text" in columns:
        return "table"
    return None


def tweets_of_value(value: object) -> list[RawTweet]:
    """Tweets of one parsed JSON value (v2 message or page, v1.1 tweet); raises :class:`RecordError`."""
    if not isinstance(value, dict):
        raise RecordError("malformed_json", f"expected an object, got {type(value).__name__}")
    if "data" in value:
        return _v2_message(value)
    if "id_str" in value or "full_text" in value or "user" in value or "extended_tweet" in value:
        return [_v1_tweet(value)]
    raise RecordError("malformed_json", "no 'data' object (v2) and no v1.1 tweet fields")


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# --- Twitter API v2 -------------------------------------------------------------------


def _v2_text(tweet: dict) -> str | None:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return note["text"]
    return _str_or_none(tweet.get("text"))


def _v2_media_keys(tweet: dict) -> list[str] | None:
    attachments = tweet.get("attachments") or {}
    keys = attachments.get("media_keys") or [] if isinstance(attachments, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, (str, int)) for k in keys):  # noqa: UP038 (faster)
        return None
    return [str(k) for k in keys]


def _v2_message(message: dict) -> list[RawTweet]:
    data = message["data"]
    includes = message.get("includes") or {}
    if not isinstance(includes, dict):
        raise RecordError("malformed_json", "'includes' is not an object")
    media = includes.get("media") or []
    originals = includes.get("tweets") or []
    if not isinstance(media, list) or not isinstance(originals, list):
        raise RecordError("malformed_json", "'includes.media' or 'includes.tweets' is not a list")
    photos = {
        str(m["media_key"]): m
        for m in media
        if isinstance(m, dict) and m.get("type") == "photo" and isinstance(m.get("media_key"), str | int)
    }
    by_id = {str(t["id"]): t for t in originals if isinstance(t, dict) and t.get("id")}
    tweets = data if isinstance(data, list) else [data]
    return [_v2_tweet(t, photos, by_id) for t in tweets]


def _v2_tweet(tweet: object, photos: dict[str, dict], originals: dict[str, dict]) -> RawTweet:
    text = _v2_text(tweet) if isinstance(tweet, dict) and tweet.get("id") else None
    if text is None:
        raise RecordError("missing_field", "tweet needs 'id' and 'text'")
    keys = _v2_media_keys(tweet)
    refs = tweet.get("referenced_tweets")
    for ref in refs if isinstance(refs, list) else []:
        original = originals.get(str(ref.get("id"))) if isinstance(ref, dict) else None
        if original is None or ref.get("type") != "retweeted":
            continue
        original_text = _v2_text(original)
        if original_text is not None:
            text = original_text
            keys = keys or _v2_media_keys(original)
    raw = RawTweet(
        str(tweet["id"]), text, str(tweet.get("lang") or "und"), str(tweet.get("created_at") or "")
    )
    if keys is None:
        raw.problem = ("malformed_json", "'attachments.media_keys' is not a list of keys")
        return raw
    for key in keys:
        if key in photos:
            url = str(photos[key].get("url") or "")
            raw.photos.append(Photo(key, media_file_name(key, url), url))
    return raw


# --- Twitter API v1.1 -----------------------------------------------------------------


def _v1_text(tweet: dict) -> str | None:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return extended["full_text"]
    return _str_or_none(tweet.get("full_text")) or _str_or_none(tweet.get("text"))


def _v1_photos(tweet: dict) -> list[Photo] | None:
    extended = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
    for holder in (extended.get("extended_entities"), tweet.get("extended_entities"), tweet.get("entities")):
        media = holder.get("media") if isinstance(holder, dict) else None
        if media is None:
            continue
        if not isinstance(media, list):
            return None
        photos = []
        for m in media:
            if isinstance(m, dict) and m.get("type") == "photo" and (m.get("id_str") or m.get("id")):
                key = f"3_{m.get('id_str') or m.get('id')}"
                url = str(m.get("media_url_https") or m.get("media_url") or "")
                photos.append(Photo(key, media_file_name(key, url), url))
        return photos
    return []


def _v1_tweet(tweet: dict) -> RawTweet:
    tweet_id = tweet.get("id_str") or tweet.get("id")
    if not tweet_id or _v1_text(tweet) is None:
        raise RecordError("missing_field", "tweet needs 'id_str' (or 'id') and 'text' or 'full_text'")
    source = tweet.get("retweeted_status")
    source = source if isinstance(source, dict) and _v1_text(source) is not None else tweet
    raw = RawTweet(
        str(tweet_id), _v1_text(source), str(tweet.get("lang") or "und"), str(tweet.get("created_at") or "")
    )
    photos = _v1_photos(tweet)
    if not photos and source is not tweet:
        photos = _v1_photos(source)
    if photos is None:
        raw.problem = ("malformed_json", "'extended_entities.media' is not a list")
    else:
        raw.photos = photos
    return raw


# --- tables (T4SA style) -------------------------------------------------------------


def table_rows(data: bytes) -> Iterator[tuple[int, RawTweet | RecordError]]:
    """``(line number, tweet or error)`` per data row of a CSV/TSV table (module docstring: columns)."""
    text = (data[len(BOM) :] if data.startswith(BOM) else data).decode("utf-8", "surrogateescape")
    first = text.split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter="\t" if first.count("\t") > first.count(",") else ","
    )
    header = [h.strip().lower() for h in next(reader, [])]
    id_col = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    image_col = next((header.index(c) for c in IMAGE_COLUMNS if c in header), None)
    text_col = header.index("text") if "text" in header else None
    if id_col is None or text_col is None:
        yield (
            1,
            RecordError(
                "missing_field", f"table header needs an id column {ID_COLUMNS} and 'text'; got {header}"
            ),
        )
        return
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        yield line, _table_row(row, id_col, text_col, image_col)


def _table_row(row: list[str], id_col: int, text_col: int, image_col: int | None) -> RawTweet | RecordError:
    if any(_ESCAPED_BYTE.search(cell) for cell in row):
        return RecordError("invalid_utf8", "the row holds bytes that are not UTF-8")
    if len(row) <= max(id_col, text_col) or not row[id_col].strip():
        return RecordError("missing_field", f"row has {len(row)} cells; needs an id and a text")
    raw = RawTweet(row[id_col].strip(), row[text_col], "und", "")
    cell = row[image_col] if image_col is not None and image_col < len(row) else ""
    for entry in filter(None, _CELL_SPLIT.split(cell.strip())):
        parts = urlparse(entry)
        is_url = parts.scheme in ("http", "https")
        name = PurePosixPath(parts.path).name if is_url else entry
        raw.photos.append(Photo(name, safe_file_name(name), entry if is_url else ""))
    return raw
