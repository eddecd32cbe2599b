"""Reading the MVSA tweets (Niu et al., MMM 2016): a real crowd and a human-labelled image benchmark.

Layout of an MVSA root (as redistributed under ``shared/data/mvsa``)::

    data/<guid>.jpg        the tweet's picture
    data/<guid>.txt        the tweet's text: one line of raw bytes (encoding unknown)
    labels.csv             guid,image_label,text_label,joint_label (all pairs)
    splits/crowd.csv       guid                                     (the unlabelled crowd)
    splits/benchmark.csv   guid,image_label,text_label,joint_label  (held-out benchmark)

Labels are ``negative``, ``neutral``, ``positive`` or empty (``joint_label`` is empty
for some pairs). The crowd is read by :func:`mvsa_stream_lines`, which never reads
labels: human labels of crowd pairs must not become training targets.

Decoding policy (:func:`decode_tweet_bytes`): a leading UTF-8 BOM is dropped, then the
bytes are decoded *strictly* with each encoding of a chain in turn; the default chain is
UTF-8, then cp1252, then Latin-1, which maps every byte and so never fails. Strict UTF-8
first is safe because non-UTF-8 text is almost never valid UTF-8 by chance; cp1252 before
Latin-1 turns Windows smart quotes and dashes into the right characters instead of C1
controls. The result is NFC-normalised, control characters are removed and whitespace
runs become one space. Nothing is "repaired": emoji that the crawl already replaced by
``?`` or U+FFFD stay as they are, and mojibake stays mojibake — guessing would invent
text the teacher then labels.

Measured on the real files: the non-UTF-8 texts of MVSA are in fact GBK bytes (a
Chinese-locale tool re-saved them; 1,129 of 1,131 decode strictly as GBK). Under the
default chain they come out as cp1252 mojibake (``¡­`` for ``…``, ``¡°`` for ``“``;
Japanese or Cyrillic text becomes unreadable). The crowd is therefore read with
``GBK_FIRST_ENCODINGS``, which recovers them, at the cost of misreading genuine cp1252
text whose high bytes happen to pair up as GBK (``don\\x92t`` → ``don抰``); what stays
unreadable is rejected at ingestion as ``garbled_text``
(:func:`~crowd_sentiment.core.text.looks_garbled`).
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from crowd_sentiment.core.files import require_path

log = logging.getLogger(__name__)

STAGE = "ingestion"
DEFAULT_ENCODINGS: tuple[str, ...] = ("utf-8", "cp1252", "latin-1")
GBK_FIRST_ENCODINGS: tuple[str, ...] = ("utf-8", "gbk", "cp1252", "latin-1")
FALLBACK_ENCODING = "latin-1"
CROWD_SPLIT = Path("splits") / "crowd.csv"
BENCHMARK_SPLIT = Path("splits") / "benchmark.csv"
LABEL_COLUMNS: tuple[str, ...] = ("image_label", "text_label", "joint_label")
# Mirrors crowd_sentiment.core.labels.SENTIMENTS and core.benchmarks.BENCHMARK_COLUMNS
# (checked by the tests; not imported so that benchmarks.py may import this module).
SENTIMENT_NAMES: tuple[str, str, str] = ("negative", "neutral", "positive")
BENCHMARK_COLUMNS: list[str] = ["benchmark", "subset", "image", "path", "label"]
CLASS_SCHEMES: dict[str, tuple[tuple[str, ...], str]] = {
    "binary": (("negative", "positive"), "binary"),
    "three": (SENTIMENT_NAMES, "3class"),
}

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


# --- the crowd ----------------------------------------------------------------------


def _invalid_guid(guid: str) -> bool:
    return not guid or guid in {".", ".."} or any(sep in guid for sep in ("/", "\\", "\0"))


def read_guid_list(path: str | Path) -> list[str]:
    """The ``guid`` column of a split CSV (``crowd.csv`` or ``benchmark.csv``), as stripped strings.

    Raises:
        FileNotFoundError: when the file does not exist.
        ValueError: when it is empty, has no ``guid`` column or has an empty guid (naming the path).
    """
    path = Path(path)
    frame = _read_split_csv(path, "guid list")
    _require_columns(frame, path, ["guid"])
    guids = frame["guid"].str.strip()
    empty = [int(i) + 2 for i in guids.index[guids == ""]]
    if empty:
        raise ValueError(f"{path}: empty guid on line(s) {empty[:10]}")
    return guids.tolist()


def _read_split_csv(path: Path, what: str) -> pd.DataFrame:
    """A split CSV with every cell a string (empty cells stay ``""``)."""
    require_path(path, what)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file, expected a header with a 'guid' column") from None


def _require_columns(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; found {list(frame.columns)}")


# --- the benchmark ------------------------------------------------------------------


def _check_benchmark_options(label_column: str, classes: str) -> tuple[tuple[str, ...], str]:
    if label_column not in LABEL_COLUMNS:
        raise ValueError(f"unknown MVSA label column {label_column!r}; expected one of {list(LABEL_COLUMNS)}")
    if classes not in CLASS_SCHEMES:
        raise ValueError(f"unknown MVSA classes {classes!r}; expected one of {sorted(CLASS_SCHEMES)}")
    return CLASS_SCHEMES[classes]


def _labelled_rows(frame: pd.DataFrame, path: Path, label_column: str) -> pd.DataFrame:
    """Rows with a non-empty label, as ``guid, label_name`` (lower case); unknown names raise."""
    rows = pd.DataFrame(
        {"guid": frame["guid"].str.strip(), "label_name": frame[label_column].str.strip().str.lower()}
    )
    rows = rows[rows["label_name"] != ""]
    unknown = sorted(set(rows["label_name"]) - set(SENTIMENT_NAMES))
    if unknown:
        raise ValueError(
            f"{path}: unknown {label_column} value(s) {unknown}; expected {list(SENTIMENT_NAMES)}"
        )
    duplicated = sorted(set(rows.loc[rows["guid"].duplicated(), "guid"]))
    if duplicated:
        raise ValueError(f"{path}: guid(s) listed more than once: {duplicated[:10]}")
    return rows


def load_mvsa_benchmark(
    root: str | Path, name: str, *, label_column: str = "image_label", classes: str = "binary"
) -> pd.DataFrame:
    """The MVSA benchmark split as a benchmark frame (see ``core.benchmarks``).

    Reads ``splits/benchmark.csv``; rows with an empty ``label_column`` are dropped.
    ``classes="binary"`` keeps positive and negative rows (label 0 negative, 1 positive;
    subset ``<label_column>_binary``); ``classes="three"`` keeps all (0 negative,
    1 neutral, 2 positive; subset ``<label_column>_3class``). Signature compatible with
    ``core.benchmarks.LOADERS`` (``loader(root, name)``).

    Returns:
        One row per image, columns ``benchmark`` (``name``), ``subset``, ``image``
        (``<guid>.jpg``, the file name in ``data/``), ``path`` (absolute), ``label`` (int64),
        in the CSV's order.

    Raises:
        ValueError: unknown ``label_column``/``classes``, a missing column, an unknown
            label value or a duplicated guid.
        FileNotFoundError: a missing ``splits/benchmark.csv``, ``data/`` or picture (naming the path).
    """
    class_names, suffix = _check_benchmark_options(label_column, classes)
    root = Path(root).absolute()
    csv_path = root / BENCHMARK_SPLIT
    frame = _read_split_csv(csv_path, f"benchmark {name!r} split")
    _require_columns(frame, csv_path, ["guid", label_column])
    data_dir = require_path(root / "data", f"benchmark {name!r} data folder")
    rows = _labelled_rows(frame, csv_path, label_column)
    rows = rows[rows["label_name"].isin(class_names)]
    images = [f"{guid}.jpg" for guid in rows["guid"]]
    paths = [str(require_path(data_dir / image, f"benchmark {name!r} image")) for image in images]
    labels = [class_names.index(label) for label in rows["label_name"]]
    result = pd.DataFrame(
        {
            "benchmark": name,
            "subset": f"{label_column}_{suffix}",
            "image": images,
            "path": paths,
            "label": labels,
        },
        columns=BENCHMARK_COLUMNS,
    )
    return result.astype({"benchmark": str, "subset": str, "image": str, "path": str, "label": "int64"})


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
