"""Scoring every tweet with the teacher, in resumable partitions, routed by language.

Tweets are cut into partitions of ``partition_size`` rows per dump (``source``), in row
order. Each partition's scores are written atomically to
``<root>/<teacher key>/<source>.<index>.<content digest>.parquet``; the digest covers the
partition's tweet ids, texts and languages and the teacher key covers the teacher's
identity and settings, so a rerun after a crash computes only the partitions missing on
disk and ends with the same table as an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from crowd_sentiment.core.files import atomic_write_bytes
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.languages import LanguageSettings, covered, tweet_languages
from crowd_sentiment.core.progress import progress_bar
from crowd_sentiment.core.teachers import TextTeacher

log = logging.getLogger(__name__)

SENTIMENT_COLUMNS: list[str] = ["tweet_id", *PROBABILITY_COLUMNS, "teacher", "lang", "lang_source"]
EXCLUDED_COLUMNS: list[str] = ["tweet_id", "lang", "lang_source", "reason"]
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _digest(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


class ScoreStore:
    """Partition files of teacher scores under ``root`` (one folder per teacher key)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str, name: str) -> Path:
        return self.root / key / f"{name}.parquet"

    def get(self, key: str, name: str) -> pd.DataFrame | None:
        path = self.path(key, name)
        return pd.read_parquet(path) if path.is_file() else None

    def put(self, key: str, name: str, frame: pd.DataFrame) -> None:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        atomic_write_bytes(self.path(key, name), buffer.getvalue())


def partitions(tweets: pd.DataFrame, size: int) -> Iterator[tuple[str, pd.DataFrame]]:
    """``(name, rows)`` per partition: up to ``size`` rows of one ``source``, in row order.

    The name is ``<source>.<index>.<digest of tweet_id, text_clean, lang>``.
    """
    sources = tweets["source"].astype(str) if "source" in tweets else pd.Series("tweets", index=tweets.index)
    for source in dict.fromkeys(sources):
        rows = tweets[sources == source]
        for index, start in enumerate(range(0, len(rows), size)):
            part = rows.iloc[start : start + size]
            content = _digest(part[["tweet_id", "text_clean", "lang"]].astype(str).to_numpy().tolist())
            yield f"{_UNSAFE.sub('_', source)[:80]}.{index:05d}.{content}", part


def score_partition(
    part: pd.DataFrame, teacher: TextTeacher, fallback: TextTeacher | None, *, label_undetermined: bool
) -> pd.DataFrame:
    """Scores of one partition (``tweet_id, text_clean, lang, lang_source``): :data:`SENTIMENT_COLUMNS`.

    Tweets in a language ``teacher`` does not cover go to ``fallback`` when it covers them;
    otherwise they get NaN probabilities and ``teacher`` = ``""`` (see :func:`excluded_tweets`).
    """
    out = part[["tweet_id", "lang", "lang_source"]].reset_index(drop=True).copy()
    probs = np.full((len(part), len(PROBABILITY_COLUMNS)), np.nan)
    names = np.full(len(part), "", dtype=object)
    todo = np.ones(len(part), dtype=bool)
    for model in (teacher, fallback):
        if model is None:
            continue
        mine = todo & covered(
            out["lang"], getattr(model, "languages", None), label_undetermined=label_undetermined
        )
        if mine.any():
            probs[mine] = model.predict_proba(part["text_clean"].to_numpy()[mine].tolist())
            names[mine] = model.name
        todo &= ~mine
    for column, values in zip(PROBABILITY_COLUMNS, probs.T):
        out[column] = values
    out["teacher"] = names
    return out[SENTIMENT_COLUMNS]


def score_in_partitions(
    tweets: pd.DataFrame,
    make_teachers: Callable[[], tuple[TextTeacher, TextTeacher | None]],
    store: ScoreStore,
    *,
    teacher_key: object,
    partition_size: int,
    languages: LanguageSettings,
) -> pd.DataFrame:
    """Every tweet's scores (:data:`SENTIMENT_COLUMNS`, row order of ``tweets``), reusing stored partitions.

    ``make_teachers`` is called only when a partition is missing (loading a model is slow);
    ``teacher_key``: the teachers' identity and settings (JSON-able), part of the store key.
    """
    tweets = tweets.reset_index(drop=True)
    tweets = tweets.assign(**tweet_languages(tweets, languages))
    key = _digest({"teacher": teacher_key, "languages": languages.model_dump(mode="json")})
    frames, computed, reused, teachers = [], 0, 0, None
    with progress_bar(total=len(tweets), desc="teacher labelling", unit="tweet") as bar:
        for name, part in partitions(tweets, partition_size):
            frame = store.get(key, name)
            if frame is None:
                teachers = teachers or make_teachers()
                frame = score_partition(part, *teachers, label_undetermined=languages.label_undetermined)
                store.put(key, name, frame)
                computed += 1
            else:
                reused += 1
            frames.append(frame)
            bar.update(len(part))
    log.info(
        "teacher scores: %d partition(s) computed, %d reused from %s", computed, reused, store.root / key
    )
    if not frames:
        return pd.DataFrame(columns=SENTIMENT_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SENTIMENT_COLUMNS]


def excluded_tweets(scores: pd.DataFrame) -> pd.DataFrame:
    """Tweets no configured teacher covers (:data:`EXCLUDED_COLUMNS`, reason ``language_not_covered``)."""
    rows = scores[scores["teacher"] == ""]
    return (
        rows[["tweet_id", "lang", "lang_source"]].assign(reason="language_not_covered").reset_index(drop=True)
    )


def label_counts(tweet_sentiment: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Tweets per teacher and argmax class ``{teacher: {sentiment: count}}``; rows without probabilities are left out."""
    scored = tweet_sentiment.dropna(subset=list(PROBABILITY_COLUMNS))
    labels = np.asarray(SENTIMENTS)[scored[list(PROBABILITY_COLUMNS)].to_numpy().argmax(axis=1)]
    counts = pd.crosstab(scored["teacher"].to_numpy(), labels).reindex(columns=list(SENTIMENTS), fill_value=0)
    return {str(t): {c: int(n) for c, n in row.items()} for t, row in counts.iterrows()}
