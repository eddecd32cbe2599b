"""Parsing crawl dumps into tweets and photo references, every dropped item with a reason.

A dump is read as bytes (formats and line handling: :mod:`~crowd_sentiment.core.dump_formats`).
A tweet's photos are resolved to local files named ``<media_key><ext>`` (ext from the
URL), which is how the downloader stores media.

Nothing is dropped silently: unknown or empty files, lines that are not UTF-8 or not
JSON, records missing fields, duplicate ids (also across files), texts that are empty,
garbled, too long or hold a lone surrogate, unsafe media names and tweets without a
photo become :class:`Rejection` rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from crowd_sentiment.core.dump_formats import (
    BOM,
    RawTweet,
    RecordError,
    decode_json,
    detect_format,
    split_lines,
    table_rows,
    tweets_of_value,
)
from crowd_sentiment.core.dump_formats import media_file_name as _file_name
from crowd_sentiment.core.rejections import Rejection
from crowd_sentiment.core.text import (
    TextProblem,
    clean_tweet_text,
    has_content,
    looks_garbled,
    normalise_tweet_text,
)

STAGE = "ingestion"
DEFAULT_MAX_TEXT_CHARS = 25_000  # a v2 note_tweet holds at most 25,000 characters
_BLANK = re.compile(rb"[\xef\xbb\xbf \t\r\n]*")  # BOM bytes and blanks only: an empty dump (no copy of it)


@dataclass
class ParsedDump:
    """Result of parsing dumps: kept tweets, their photo references, rejections."""

    tweets: list[dict] = field(default_factory=list)
    photos: list[dict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def media_file_name(media: dict) -> str:
    """Local file name of a v2 media object: ``<media_key><ext>`` (ext from its URL, default .jpg)."""
    return _file_name(str(media["media_key"]), str(media.get("url") or "")) or ""


class DumpParser:
    """Parses dump files one after another; duplicate ids are detected across all of them.

    Args:
        languages: keep only tweets whose ``lang`` is listed; ``None`` keeps all.
        max_text_chars: longer texts are rejected as ``text_too_long``.
        dump_format: ``auto`` (detect per file) or one of ``jsonl``, ``json``, ``table``.
    """

    def __init__(
        self,
        *,
        languages: list[str] | None = None,
        max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
        dump_format: str = "auto",
    ):
        self.languages = languages
        self.max_text_chars = max_text_chars
        self.dump_format = dump_format
        self.parsed = ParsedDump()
        self._seen: dict[str, str] = {}  # tweet id -> dump it was first kept from

    def add_file(self, name: str, data: bytes) -> None:
        """Parse one dump file; lines are reported as ``<name>:<line number>``."""
        fmt = detect_format(name, data) if self.dump_format == "auto" else self.dump_format
        if name.rsplit("/", 1)[-1].startswith("."):
            self._reject("file", name, "hidden_file", "not read: a hidden or temporary file")
        elif _BLANK.fullmatch(data):
            self._reject("file", name, "empty_file", "the dump holds no line")
        elif fmt is None:
            self._reject("file", name, "unknown_format", "neither JSON lines, a JSON document nor a table")
        else:
            for line, record in _records(fmt, data):
                self._add_record(record, name, line)

    def _reject(self, kind: str, item: str, reason: str, detail: str) -> None:
        self.parsed.rejections.append(Rejection(STAGE, kind, item, reason, detail[:200]))

    def _add_record(self, record: list[RawTweet] | RecordError, name: str, line: int) -> None:
        if isinstance(record, RecordError):
            self._reject("line", f"{name}:{line}", record.reason, record.detail)
            return
        for raw in record:
            self._add_tweet(raw, name)

    def _add_tweet(self, raw: RawTweet, source: str) -> None:
        text, clean, problem = raw.text, "", raw.problem
        if problem is None:
            try:
                text = normalise_tweet_text(raw.text, self.max_text_chars)
                clean = clean_tweet_text(text)
            except TextProblem as err:
                problem = (err.reason, err.detail)
        problem = problem or self._tweet_problem(raw, clean, source)
        for photo in raw.photos:
            if photo.media_file is None:
                self._reject(
                    "image", ascii(photo.media_key)[:120], "unsafe_media_name", f"tweet {raw.tweet_id}"
                )
        photos = [p for p in raw.photos if p.media_file is not None]
        if problem is None and not photos:
            problem = ("no_photo", "no attached photo")
        if problem is not None:
            self._reject("tweet", raw.tweet_id, *problem)
            for photo in photos:
                self._reject(
                    "image", photo.media_file, "tweet_rejected", f"tweet {raw.tweet_id}: {problem[0]}"
                )
            return
        self._seen[raw.tweet_id] = source
        self.parsed.tweets.append(
            {
                "tweet_id": raw.tweet_id,
                "text": text,
                "text_clean": clean,
                "lang": raw.lang,
                "created_at": raw.created_at,
                "source": source,
            }
        )
        self.parsed.photos += [
            {"tweet_id": raw.tweet_id, "media_key": p.media_key, "media_file": p.media_file, "url": p.url}
            for p in photos
        ]

    def _tweet_problem(self, raw: RawTweet, clean: str, source: str) -> tuple[str, str] | None:
        """Reason code and detail when a tweet (``clean``: its teacher input) cannot be used, else ``None``."""
        if raw.tweet_id in self._seen:
            first = self._seen[raw.tweet_id]
            return ("duplicate_tweet", "tweet id seen earlier" + ("" if first == source else f" in {first}"))
        if self.languages is not None and raw.lang not in self.languages:
            return ("language_excluded", f"lang={raw.lang!r} not in {self.languages}")
        if not has_content(clean):
            return ("empty_text", "no words or emoji besides mentions and links")
        if looks_garbled(clean):
            return ("garbled_text", "mostly lost characters or mojibake")
        return None


def _records(fmt: str, data: bytes) -> Iterator[tuple[int, list[RawTweet] | RecordError]]:
    """``(line number, tweets or error)`` of a dump in format ``fmt``."""
    if fmt == "table":
        for line, row in table_rows(data):
            yield line, row if isinstance(row, RecordError) else [row]
        return
    if fmt == "json":
        try:
            value = decode_json(data.removeprefix(BOM))
        except RecordError as err:
            yield 1, err
            return
        for item in value if isinstance(value, list) else [value]:
            yield 1, _tweets_or_error(item)
        return
    for line, raw in split_lines(data):
        try:
            yield line, _tweets_or_error(decode_json(raw))
        except RecordError as err:
            yield line, err


def _tweets_or_error(value: object) -> list[RawTweet] | RecordError:
    try:
        return tweets_of_value(value)
    except RecordError as err:
        return err
    except RecursionError:
        return RecordError("too_deeply_nested", "record nested too deeply")


def parse_stream_lines(
    lines: Iterable[str | dict], *, source: str, languages: list[str] | None = None
) -> ParsedDump:
    """Parse JSON lines of one dump (tests and small callers); rejected lines are numbered without the source.

    Returns:
        :class:`ParsedDump`; ``tweets`` rows have ``tweet_id, text, text_clean, lang,
        created_at, source``; ``photos`` rows have ``tweet_id, media_key, media_file, url``.
    """
    parser = DumpParser(languages=languages, dump_format="jsonl")
    data = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    parser.add_file(source, data.encode("utf-8", "surrogatepass"))
    prefix = f"{source}:"
    parser.parsed.rejections = [
        Rejection(r.stage, r.item_kind, r.item_id.removeprefix(prefix), r.reason, r.detail)
        if r.item_kind == "line"
        else r
        for r in parser.parsed.rejections
    ]
    return parser.parsed
