"""Reading the MVSA tweets (Niu et al., MMM 2016): decoding their text, the crowd, their label files.

Layout of an MVSA root (as redistributed under ``shared/data/mvsa``)::

    data/<guid>.jpg        the tweet's picture
    data/<guid>.txt        the tweet's text: one line of raw bytes (encoding unknown)
    labels.csv             guid,image_label,text_label,joint_label (all pairs)
    splits/crowd.csv       guid                                     (the unlabelled crowd)
    splits/benchmark.csv   guid,image_label,text_label,joint_label  (held-out benchmark)

Labels are ``negative``, ``neutral``, ``positive`` or empty. The crowd
(:func:`mvsa_stream_lines`) never reads labels: they must not become training targets.

Decoding (:func:`decode_tweet_bytes`): a leading UTF-8 BOM is dropped, then each encoding
of a chain is tried strictly, Latin-1 last (it never fails); the text is NFC-normalised,
control characters removed and whitespace collapsed. Nothing is repaired. The crowd uses
:data:`GBK_FIRST_ENCODINGS`: MVSA's non-UTF-8 texts are GBK bytes.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from crowd_sentiment.core.files import require_columns, require_path
from crowd_sentiment.core.labels import SENTIMENTS

log = logging.getLogger(__name__)

DEFAULT_ENCODINGS: tuple[str, ...] = ("utf-8", "cp1252", "latin-1")
GBK_FIRST_ENCODINGS: tuple[str, ...] = ("utf-8", "gbk", "cp1252", "latin-1")
FALLBACK_ENCODING = "latin-1"
CROWD_SPLIT = Path("splits") / "crowd.csv"
BENCHMARK_SPLIT = Path("splits") / "benchmark.csv"

_UTF8_BOM = b"\xef\xbb\xbf"
_DROPPED_FORMAT_CHARS = frozenset({"\ufeff"})


# --- decoding -----------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """NFC form, control characters removed, whitespace runs collapsed to one space, stripped."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) != "Cc" and char not in _DROPPED_FORMAT_CHARS:
            kept.append(char)
    return " ".join("".join(kept).split())


def decode_tweet_bytes(data: bytes, encodings: Sequence[str] = DEFAULT_ENCODINGS) -> tuple[str, str]:
    """Decode a tweet file's raw bytes; never raises on content (module docstring: policy).

    Args:
        data: the file's bytes; a leading UTF-8 BOM is ignored.
        encodings: codec names tried strictly in order; Latin-1 is the final fallback.

    Returns:
        ``(text, encoding)``: the :func:`normalise_text` form of the decoded text and the
        codec that decoded it (one of ``encodings`` or ``"latin-1"``).
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    for encoding in encodings:
        try:
            return normalise_text(data.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    return normalise_text(data.decode(FALLBACK_ENCODING)), FALLBACK_ENCODING


# --- CSV files ----------------------------------------------------------------------


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    """An MVSA CSV with every cell a string (empty cells stay ``""``)."""
    require_path(path, what)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file, expected a header with a 'guid' column") from None


def read_guid_list(path: str | Path) -> list[str]:
    """The ``guid`` column of a split CSV (``crowd.csv`` or ``benchmark.csv``), as stripped strings.

    Raises:
        FileNotFoundError: when the file does not exist.
        ValueError: when it is empty, has no ``guid`` column or has an empty guid (naming the path).
    """
    path = Path(path)
    frame = _read_csv(path, "guid list")
    require_columns(frame, ["guid"], path)
    guids = frame["guid"].str.strip()
    empty = [int(i) + 2 for i in guids.index[guids == ""]]
    if empty:
        raise ValueError(f"{path}: empty guid on line(s) {empty[:10]}")
    return guids.tolist()


def read_label_csv(path: Path, column: str, what: str) -> pd.DataFrame:
    """``guid`` and ``name`` (the ``column`` cell, lower case, ``""`` when empty) per row, in file order.

    ``path`` is ``labels.csv`` or ``splits/benchmark.csv``; cells are stripped.

    Raises:
        FileNotFoundError: a missing file (``"<what> not found: <path>"``).
        ValueError: an empty file or a missing ``guid``/``column`` column (naming the path).
    """
    frame = _read_csv(path, what)
    require_columns(frame, ["guid", column], path)
    return pd.DataFrame({"guid": frame["guid"].str.strip(), "name": frame[column].str.strip().str.lower()})


def sentiment_indices(names: pd.Series, source: object, column: str) -> list[int]:
    """Index in :data:`~crowd_sentiment.core.labels.SENTIMENTS` of each label name of :func:`read_label_csv`.

    Raises:
        ValueError: a name that is not a sentiment (naming ``source`` and ``column``).
    """
    unknown = sorted(set(names) - set(SENTIMENTS))
    if unknown:
        raise ValueError(f"{source}: unknown {column} value(s) {unknown}; expected {list(SENTIMENTS)}")
    return [SENTIMENTS.index(name) for name in names]


# --- the crowd ----------------------------------------------------------------------


def _invalid_guid(guid: str) -> bool:
    return not guid or guid in {".", ".."} or any(sep in guid for sep in ("/", "\\", "\0"))


def mvsa_stream_lines(
    root: str | Path, guids: Iterable[str], encodings: Sequence[str] = GBK_FIRST_ENCODINGS
) -> list[str]:
    """The MVSA crowd as Twitter API v2 stream lines, one per guid, so it meets the ingestion of a crawl.

    Each line holds the decoded text (``id`` = guid, ``lang`` = ``"und"``) and one photo
    whose media key is the guid and whose file is ``<guid>.jpg``. A guid whose text file
    is missing, or that is not a plain name (``../x``), yields a line without ``text``,
    which ingestion rejects as ``missing_field``. Labels are never read.
    """
    data = require_path(Path(root) / "data", "MVSA data folder")
    lines, used = [], Counter()
    for guid in guids:
        tweet: dict = {"id": guid, "lang": "und", "attachments": {"media_keys": [guid]}}
        text_file = data / f"{guid}.txt"
        if not _invalid_guid(guid) and text_file.is_file():
            tweet["text"], encoding = decode_tweet_bytes(text_file.read_bytes(), encodings)
            used[encoding] += 1
        media = [{"media_key": guid, "type": "photo", "url": f"{guid}.jpg"}]
        lines.append(json.dumps({"data": tweet, "includes": {"media": media}}, ensure_ascii=False))
    log.info("MVSA crowd: %d texts decoded as %s", sum(used.values()), dict(used))
    return lines
