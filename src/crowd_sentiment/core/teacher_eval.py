"""Measuring a text teacher against human-labelled tweets.

Why: the image student learns only from the teacher's soft labels, so the teacher's
quality bounds the student's. A teacher that cannot tell a negative tweet from a
positive one gives the student nothing true to learn, whatever the student's capacity.
This module scores a teacher (``predict_proba(texts) -> (N, 3)``, class order negative,
neutral, positive) against human judgements of tweet *texts*.

Where to tune: choose teacher settings (e.g. ``VaderTeacher.neutral_width``) and
confidence thresholds on human-labelled *tweets* — TweetEval's validation split is meant
for exactly that, and MVSA ``text_label`` of the crowd split measures the teacher on the
very texts the pipeline labels. Never choose them on the benchmark *images*: those are the
held-out measure of the student, and tuning on them would report an optimistic score.
Human labels here only *measure*; they never become training targets.

Sets (:data:`TEACHER_SETS`, loaded by :func:`load_teacher_set`; each gives a frame with
``text`` (raw) and ``label`` (int64: 0 negative, 1 neutral, 2 positive)):

* ``tweeteval`` — TweetEval sentiment (Barbieri et al., 2020; SemEval-2017 Task 4A):
  ``<root>/datasets/sentiment/{split}_text.txt`` and ``{split}_labels.txt``, one tweet /
  one label per line (``mapping.txt``: 0 negative, 1 neutral, 2 positive). Option
  ``split`` (default ``"val"``).
* ``mvsa_text`` — MVSA ``text_label`` (one annotator judging the text alone):
  ``<root>/labels.csv`` and ``<root>/data/<guid>.txt`` (decoded GBK-first, see
  :mod:`crowd_sentiment.core.mvsa`). Option ``split_csv``: a guid list relative to the
  root (e.g. ``splits/crowd.csv``) restricting the rows.

Metrics (:func:`teacher_agreement`) are computed on the argmax of the probabilities, as
the official TweetEval metric (macro-averaged recall) and as the student benchmarks'
polar convention (neutral dropped on both sides).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from crowd_sentiment.core.benchmarks import binary_zero_shot
from crowd_sentiment.core.files import require_path
from crowd_sentiment.core.labels import NEUTRAL, SENTIMENTS
from crowd_sentiment.core.metrics import classification_scores
from crowd_sentiment.core.mvsa import GBK_FIRST_ENCODINGS, decode_tweet_bytes, read_guid_list
from crowd_sentiment.core.teachers import TextTeacher
from crowd_sentiment.core.text import clean_tweet_text

TWEETEVAL_TASK_DIR = Path("datasets") / "sentiment"
MVSA_LABELS = Path("labels.csv")
MVSA_DATA = Path("data")
TEXT_SET_COLUMNS: list[str] = ["text", "label"]


def _read_lines(path: Path) -> list[str]:
    """The file's lines (UTF-8), split on ``\\n`` only, without terminators; no trailing empty line.

    Splitting on ``\\n`` only (not :meth:`str.splitlines`) keeps a tweet that contains
    U+2028 or U+0085 on one line, as the line-aligned label file expects.
    """
    text = path.read_text(encoding="utf-8")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    return [line.removesuffix("\r") for line in text.split("\n")]


# --- TweetEval ----------------------------------------------------------------------


def load_tweeteval(root: str | Path, split: str = "val") -> pd.DataFrame:
    """TweetEval sentiment texts and gold labels of one split.

    Args:
        root: the TweetEval root (holding ``datasets/sentiment/``).
        split: ``val`` (the one shipped under ``shared/data``), ``train`` or ``test``.

    Returns:
        One row per tweet in file order: ``text`` (the raw line) and ``label`` (int64;
        0 negative, 1 neutral, 2 positive, TweetEval's ``mapping.txt``).

    Raises:
        FileNotFoundError: a missing text or label file (naming the path).
        ValueError: line counts that differ (naming both files), or a label line that is
            not 0, 1 or 2 (naming the file and line).
    """
    folder = Path(root) / TWEETEVAL_TASK_DIR
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
    return pd.DataFrame({"text": texts, "label": labels}, columns=TEXT_SET_COLUMNS).astype(
        {"text": str, "label": "int64"}
    )


# --- MVSA text labels ---------------------------------------------------------------


def load_mvsa_text_labels(root: str | Path, guids: Sequence[str] | None = None) -> pd.DataFrame:
    """MVSA tweet texts with their human ``text_label``.

    Args:
        root: the MVSA root (``labels.csv`` and ``data/<guid>.txt``).
        guids: when given, only these pairs (e.g. :func:`read_guid_list` of
            ``splits/crowd.csv``); each must appear in ``labels.csv``.

    Returns:
        Rows in ``labels.csv`` order with a non-empty ``text_label``: ``guid`` (str),
        ``text`` (the file's bytes decoded with
        :data:`~crowd_sentiment.core.mvsa.GBK_FIRST_ENCODINGS` and normalised, not cleaned)
        and ``label`` (int64; 0 negative, 1 neutral, 2 positive).

    Raises:
        FileNotFoundError: a missing ``labels.csv`` or text file of a kept row (naming the path).
        ValueError: ``labels.csv`` without ``guid``/``text_label``, an unknown label name,
            a guid listed twice in ``labels.csv``, or requested guids absent from it.
    """
    root = Path(root)
    csv_path = require_path(root / MVSA_LABELS, "MVSA labels file")
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    missing = [c for c in ("guid", "text_label") if c not in frame.columns]
    if missing:
        raise ValueError(f"{csv_path}: missing column(s) {missing}; found {list(frame.columns)}")
    rows = pd.DataFrame(
        {"guid": frame["guid"].str.strip(), "name": frame["text_label"].str.strip().str.lower()}
    )
    repeated = sorted(set(rows.loc[rows["guid"].duplicated(), "guid"]))
    if repeated:
        raise ValueError(f"{csv_path}: guid(s) listed more than once: {repeated[:10]}")
    if guids is not None:
        wanted = {str(g).strip() for g in guids}
        absent = sorted(wanted - set(rows["guid"]))
        if absent:
            raise ValueError(f"{csv_path}: {len(absent)} requested guid(s) not listed, e.g. {absent[:10]}")
        rows = rows[rows["guid"].isin(wanted)]
    rows = rows[rows["name"] != ""]
    unknown = sorted(set(rows["name"]) - set(SENTIMENTS))
    if unknown:
        raise ValueError(f"{csv_path}: unknown text_label value(s) {unknown}; expected {list(SENTIMENTS)}")
    texts = []
    for guid in rows["guid"]:
        path = require_path(root / MVSA_DATA / f"{guid}.txt", "MVSA text file")
        texts.append(decode_tweet_bytes(path.read_bytes(), GBK_FIRST_ENCODINGS)[0])
    labels = [SENTIMENTS.index(name) for name in rows["name"]]
    return pd.DataFrame({"guid": rows["guid"].tolist(), "text": texts, "label": labels}).astype(
        {"guid": str, "text": str, "label": "int64"}
    )


# --- metrics ------------------------------------------------------------------------


def _check_inputs(gold: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gold, probs = np.asarray(gold), np.asarray(probs, dtype=np.float64)
    if gold.ndim != 1 or len(gold) == 0:
        raise ValueError(f"gold must be a non-empty 1-D array of labels, got shape {gold.shape}")
    if probs.shape != (len(gold), len(SENTIMENTS)):
        raise ValueError(f"probs must have shape ({len(gold)}, {len(SENTIMENTS)}), got {probs.shape}")
    if not np.all(np.isfinite(probs)):
        raise ValueError("probs must be finite")
    if not np.all(np.isin(gold, range(len(SENTIMENTS)))):
        raise ValueError(f"gold labels must be 0, 1 or 2; found {sorted(set(gold.tolist()))}")
    return gold.astype(np.int64), probs


def teacher_agreement(gold: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """How well a teacher's probabilities agree with human labels.

    ``ŷ = argmax_k probs[i, k]`` (ties to the lower index); ``R_k = #{i: gold_i = k,
    ŷ_i = k} / #{i: gold_i = k}`` is the recall of class ``k`` — 0 when ``gold`` has no
    item of class ``k`` (as :func:`~crowd_sentiment.core.metrics.classification_scores`).

    Keys:

    * ``macro_recall`` = ``(R_negative + R_neutral + R_positive) / 3`` — TweetEval's
      official metric; 1/3 for any constant prediction, so it ignores class imbalance;
    * ``accuracy`` = ``#{ŷ_i = gold_i} / n``;
    * ``macro_f1`` = mean over the 3 classes of ``F1_k = 2·P_k·R_k / (P_k + R_k)``, with
      precision ``P_k = #{gold_i = k, ŷ_i = k} / #{ŷ_i = k}`` (0 for a class never predicted);
    * ``negative_recall``, ``neutral_recall``, ``positive_recall`` = ``R_k``;
    * polar setting (the student benchmarks' convention, neutral dropped on both sides):
      the items ``P = {i: gold_i ∈ {negative, positive}}``, predicted positive when
      ``p_positive > p_negative`` and negative otherwise (ties go to negative, as
      :func:`~crowd_sentiment.core.benchmarks.binary_zero_shot`; ``p_neutral`` is ignored):
      ``polar_accuracy`` = ``#{i ∈ P: ŷ'_i = gold_i} / |P|``, ``negative_accuracy`` and
      ``positive_accuracy`` = the recall of that class within ``P``; ``polar_n`` = ``|P|``.
      All NaN when ``P`` is empty; a polar class absent from ``P`` has accuracy 0.
    * ``n`` = number of items.

    Args:
        gold: labels ``(N,)`` in 0 negative, 1 neutral, 2 positive.
        probs: teacher probabilities ``(N, 3)`` in the same class order.

    Raises:
        ValueError: empty input, mismatched shapes, non-finite probabilities or labels
            outside 0..2.
    """
    gold, probs = _check_inputs(gold, probs)
    three = classification_scores(gold, probs.argmax(axis=1), SENTIMENTS)
    scores = {key: three[key] for key in ("macro_recall", "accuracy", "macro_f1")}
    scores.update({f"{name}_recall": three[f"{name}_recall"] for name in SENTIMENTS})
    polar = gold != NEUTRAL
    if polar.any():
        polar_gold = (gold[polar] != SENTIMENTS.index("negative")).astype(np.int64)  # 0 neg, 1 pos
        polar_pred, _ = binary_zero_shot(probs[polar])
        two = classification_scores(polar_gold, polar_pred, ("negative", "positive"))
        scores.update(
            {
                "polar_accuracy": two["accuracy"],
                "negative_accuracy": two["negative_recall"],
                "positive_accuracy": two["positive_recall"],
            }
        )
    else:
        scores.update({"polar_accuracy": np.nan, "negative_accuracy": np.nan, "positive_accuracy": np.nan})
    scores["polar_n"] = float(polar.sum())
    scores["n"] = three["n"]
    return {key: float(value) for key, value in scores.items()}


def evaluate_teacher(teacher: TextTeacher, texts: Sequence[str], gold: np.ndarray) -> dict[str, float]:
    """:func:`teacher_agreement` of a teacher on raw tweet texts.

    Each text goes through :func:`~crowd_sentiment.core.text.clean_tweet_text` first (the
    preprocessing the pipeline applies before the teacher: ``RT @user:`` dropped, mentions
    → ``@user``, links → ``http``), so the score is that of the teacher as the pipeline uses it.
    """
    texts = list(texts)
    if len(texts) != len(np.asarray(gold)):
        raise ValueError(f"{len(texts)} text(s) but {len(np.asarray(gold))} gold label(s)")
    probs = teacher.predict_proba([clean_tweet_text(t) for t in texts])
    return teacher_agreement(gold, probs)


# --- registry -----------------------------------------------------------------------


def _tweeteval_set(root: str | Path, split: str = "val") -> pd.DataFrame:
    return load_tweeteval(root, split)


def _mvsa_text_set(root: str | Path, split_csv: str | Path | None = None) -> pd.DataFrame:
    guids = read_guid_list(Path(root) / split_csv) if split_csv is not None else None
    return load_mvsa_text_labels(root, guids)[TEXT_SET_COLUMNS].reset_index(drop=True)


TEACHER_SETS: dict[str, Callable[..., pd.DataFrame]] = {
    "tweeteval": _tweeteval_set,
    "mvsa_text": _mvsa_text_set,
}


def load_teacher_set(layout: str, root: str | Path, **options: object) -> pd.DataFrame:
    """A human-labelled tweet set by layout (:data:`TEACHER_SETS`, module docstring).

    ``options`` go to the layout's loader: ``split`` for ``tweeteval``; ``split_csv``
    (relative to ``root``, read with :func:`~crowd_sentiment.core.mvsa.read_guid_list`)
    for ``mvsa_text``.

    Returns:
        Columns ``text`` (raw) and ``label`` (int64; 0 negative, 1 neutral, 2 positive).

    Raises:
        ValueError: an unknown layout (listing the known ones) or bad label data.
        FileNotFoundError: a missing file (naming the path).
        TypeError: an option the layout does not take.
    """
    try:
        loader = TEACHER_SETS[layout]
    except KeyError:
        raise ValueError(
            f"unknown teacher set layout {layout!r}; expected one of {sorted(TEACHER_SETS)}"
        ) from None
    return loader(root, **options)
