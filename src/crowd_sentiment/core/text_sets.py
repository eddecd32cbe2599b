"""Human-labelled tweet texts, loaded by layout name, to measure a text teacher on.

Every loader has the signature ``(root, split)`` and returns ``text`` (raw) and ``label``
(int64: 0 negative, 1 neutral, 2 positive). The labels only measure; they never become
training targets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from crowd_sentiment.core.files import require_columns, require_path, require_unique
from crowd_sentiment.core.mvsa import (
    GBK_FIRST_ENCODINGS,
    decode_tweet_bytes,
    read_guid_list,
    read_label_csv,
    sentiment_indices,
)

TWEETEVAL_TASK_DIR = Path("datasets") / "sentiment"
TWEETEVAL_DEFAULT_SPLIT = "val"
MVSA_LABELS = Path("labels.csv")
MVSA_DATA = Path("data")
TEXT_SET_COLUMNS: list[str] = ["text", "label"]

TextSetLoader = Callable[[str | Path, str | None], pd.DataFrame]


def _text_set(texts: list[str], labels: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"text": texts, "label": labels}, columns=TEXT_SET_COLUMNS).astype(
        {"text": str, "label": "int64"}
    )


def _read_lines(path: Path) -> list[str]:
    """The file's lines (UTF-8), split on ``\\n`` only (a tweet holding U+2028 stays one line)."""
    text = path.read_text(encoding="utf-8")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    return [line.removesuffix("\r") for line in text.split("\n")]


def load_tweeteval(root: str | Path, split: str | None) -> pd.DataFrame:
    """TweetEval sentiment (Barbieri et al., 2020; SemEval-2017 Task 4A), one split in file order.

    Layout: ``datasets/sentiment/<split>_text.txt`` and ``<split>_labels.txt``, one tweet /
    one label (0, 1, 2 as ``mapping.txt``) per line. ``split``: ``val`` (the default, for
    ``None``; the one shipped under ``shared/data``), ``train`` or ``test``.

    Raises:
        FileNotFoundError: a missing text or label file (naming the path).
        ValueError: line counts that differ (naming both files), or a label line that is
            not 0, 1 or 2 (naming the file and line).
    """
    folder = Path(root) / TWEETEVAL_TASK_DIR
    split = TWEETEVAL_DEFAULT_SPLIT if split is None else split
    text_path = require_path(folder / f"{split}_text.txt", "TweetEval text file")
    label_path = require_path(folder / f"{split}_labels.txt", "TweetEval label file")
    texts = _read_lines(text_path)
    label_lines = _read_lines(label_path)
    if len(texts) != len(label_lines):
        raise ValueError(
            f"line counts differ: {text_path} has {len(texts)} line(s), {label_path} has {len(label_lines)}"
        )
    labels = []
    for number, line in enumerate(label_lines, start=1):
        value = line.strip()
        if value not in {"0", "1", "2"}:
            raise ValueError(f"{label_path}, line {number}: label {line!r} is not 0, 1 or 2")
        labels.append(int(value))
    return _text_set(texts, labels)


def load_mvsa_text(root: str | Path, split: str | None) -> pd.DataFrame:
    """MVSA ``text_label`` (one annotator judging the text alone), rows in ``labels.csv`` order.

    Layout: ``labels.csv`` and ``data/<guid>.txt``, decoded GBK-first
    (:mod:`crowd_sentiment.core.mvsa`), not cleaned. ``split``: a guid CSV relative to
    ``root`` (e.g. ``splits/crowd.csv``) whose guids must all be in ``labels.csv``;
    ``None`` keeps every pair. Pairs with an empty ``text_label`` are dropped.

    Raises:
        FileNotFoundError: a missing split, ``labels.csv`` or text file of a kept row.
        ValueError: ``labels.csv`` without ``guid``/``text_label``, an unknown label name,
            a guid listed twice, or split guids absent from it.
    """
    root = Path(root)
    wanted = set(read_guid_list(root / split)) if split is not None else None
    csv_path = root / MVSA_LABELS
    rows = read_label_csv(csv_path, "text_label", "MVSA labels file")
    require_unique(rows["guid"], csv_path, "guid")
    if wanted is not None:
        absent = sorted(wanted - set(rows["guid"]))
        if absent:
            raise ValueError(f"{csv_path}: {len(absent)} requested guid(s) not listed, e.g. {absent[:10]}")
        rows = rows[rows["guid"].isin(wanted)]
    rows = rows[rows["name"] != ""]
    labels = sentiment_indices(rows["name"], csv_path, "text_label")
    texts = []
    for guid in rows["guid"]:
        path = require_path(root / MVSA_DATA / f"{guid}.txt", "MVSA text file")
        texts.append(decode_tweet_bytes(path.read_bytes(), GBK_FIRST_ENCODINGS)[0])
    return _text_set(texts, labels)


MVSA_MULTIPLE_TEXTS = Path("texts.csv")
ANNOTATED_COLUMNS: list[str] = ["id", "text", "text_1", "text_2", "text_3"]


def load_annotated_tweets(root: str | Path) -> pd.DataFrame:
    """MVSA-Multiple texts with their three annotators' text labels (teacher *training* data).

    Layout: ``texts.csv`` (``id, text``) and ``labels.csv`` (``id, text_1, text_2, text_3, …``;
    labels ``negative``/``neutral``/``positive`` or blank). Returns ``id, text, text_1..3``
    (labels lower-cased, blank as ``""``) for every text, in ``texts.csv`` order.

    Raises:
        FileNotFoundError: a missing file. ValueError: missing columns, an id listed twice,
            a text without a labels row, or an unknown label name (naming file and value).
    """
    root = Path(root)
    texts_path = require_path(root / MVSA_MULTIPLE_TEXTS, "MVSA-Multiple texts file")
    labels_path = require_path(root / MVSA_LABELS, "MVSA-Multiple labels file")
    texts = pd.read_csv(texts_path, dtype=str, keep_default_na=False)
    labels = pd.read_csv(labels_path, dtype=str, keep_default_na=False)
    require_columns(texts, ["id", "text"], texts_path)
    require_columns(labels, ANNOTATED_COLUMNS[2:], labels_path)
    require_unique(texts["id"], texts_path, "id")
    require_unique(labels["id"], labels_path, "id")
    frame = texts.merge(labels, on="id", how="left", validate="one_to_one", indicator=True)
    orphans = frame.loc[frame["_merge"] != "both", "id"].tolist()
    if orphans:
        raise ValueError(
            f"{texts_path}: {len(orphans)} text id(s) without a row in {labels_path}, e.g. {orphans[:5]}"
        )
    for column in ANNOTATED_COLUMNS[2:]:
        frame[column] = frame[column].str.strip().str.lower()
        unknown = sorted(set(frame[column]) - {"", "negative", "neutral", "positive"})
        if unknown:
            raise ValueError(f"{labels_path}: column {column} has unknown label(s) {unknown[:5]}")
    return frame[ANNOTATED_COLUMNS].reset_index(drop=True)


TEXT_SETS: dict[str, TextSetLoader] = {"tweeteval": load_tweeteval, "mvsa_text": load_mvsa_text}


def load_text_set(layout: str, root: str | Path, split: str | None) -> pd.DataFrame:
    """The text set at ``root`` read by the ``layout`` loader of :data:`TEXT_SETS`.

    Raises:
        ValueError: an unknown layout (listing the known ones) or bad label data.
        FileNotFoundError: a missing file (naming the path).
    """
    try:
        loader = TEXT_SETS[layout]
    except KeyError:
        raise ValueError(f"unknown text set layout {layout!r}; expected one of {sorted(TEXT_SETS)}") from None
    return loader(root, split)
