"""A text teacher's agreement with human-labelled tweets (sets: :mod:`crowd_sentiment.core.text_sets`).

The student learns only from the teacher's labels, so the teacher's agreement bounds
it. Tune the teacher on tweets (TweetEval's validation split, MVSA ``text_label`` of the
crowd), never on the benchmark images that measure the student.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crowd_sentiment.core.labels import NEUTRAL, POSITIVE, SENTIMENTS
from crowd_sentiment.core.metrics import classification_scores, reliability
from crowd_sentiment.core.polar import BINARY_CLASSES, binary_prediction
from crowd_sentiment.core.teachers import TextTeacher
from crowd_sentiment.core.text import clean_tweet_text


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
    """How well a teacher's probabilities ``(N, 3)`` agree with gold labels ``(N,)`` (0/1/2).

    Three classes, on the argmax (ties to the lower index); ``R_k`` is the recall of
    class ``k``, 0 when ``gold`` has none:

    * ``macro_recall`` — mean of ``R_k`` (TweetEval's official metric; 1/3 for a constant);
    * ``accuracy``, ``macro_f1`` (a class never predicted has precision 0), ``n``;
    * ``negative_recall``, ``neutral_recall``, ``positive_recall`` — ``R_k``.

    Polar, as the student benchmarks (:func:`~crowd_sentiment.core.polar.binary_prediction`:
    neutral dropped, ties to negative), on the items whose gold is not neutral:

    * ``polar_accuracy``; ``negative_accuracy``, ``positive_accuracy`` — that class's
      recall (0 when absent); all three NaN when no item is polar;
    * ``polar_n`` — the number of polar items.

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
        polar_gold = (gold[polar] == POSITIVE).astype(np.int64)  # 0 negative, 1 positive
        two = classification_scores(polar_gold, binary_prediction(probs[polar]), BINARY_CLASSES)
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
    """:func:`teacher_agreement` of ``teacher`` on raw texts, each cleaned first as the pipeline does
    (:func:`~crowd_sentiment.core.text.clean_tweet_text`)."""
    return teacher_agreement(gold, teacher_probabilities(teacher, texts, gold))


def cleaned_texts(texts: Sequence[str], gold: np.ndarray) -> list[str]:
    """Raw ``texts`` cleaned as the pipeline cleans tweets, one per gold label.

    Raises:
        ValueError: as many texts as gold labels are not given.
    """
    texts = list(texts)
    if len(texts) != len(np.asarray(gold)):
        raise ValueError(f"{len(texts)} text(s) but {len(np.asarray(gold))} gold label(s)")
    return [clean_tweet_text(t) for t in texts]


def teacher_probabilities(teacher: TextTeacher, texts: Sequence[str], gold: np.ndarray) -> np.ndarray:
    """The teacher's probabilities ``(N, 3)`` on raw ``texts``, cleaned as the pipeline cleans them."""
    return teacher.predict_proba(cleaned_texts(texts, gold))


def reliability_table(gold: np.ndarray, probs: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Reliability of the top-1 confidence: per equal-width bin of ``max p`` in [0, 1],
    ``confidence`` (mean max p), ``accuracy`` (argmax == gold) and ``n``; empty bins are left out."""
    gold, probs = _check_inputs(gold, probs)
    _, rows = reliability(probs.argmax(axis=1) == gold, probs.max(axis=1), bins)
    kept = rows[:, 1] > 0
    return pd.DataFrame(
        {"bin": np.flatnonzero(kept), "confidence": rows[kept, 2], "accuracy": rows[kept, 3],
         "n": rows[kept, 1].astype(int)}
    )  # fmt: skip


def precision_coverage(gold: np.ndarray, probs: np.ndarray, thresholds: np.ndarray) -> pd.DataFrame:
    """Per class ``k`` and threshold ``t``: the items kept as ``k`` (argmax ``k`` and ``p_k ≥ t``),
    ``precision`` (share whose gold is ``k``; NaN when none kept), ``coverage`` (kept / items with
    argmax ``k``: the share of the teacher's ``k`` labels the threshold keeps) and ``n``."""
    gold, probs = _check_inputs(gold, probs)
    argmax = probs.argmax(axis=1)
    rows = []
    for k, name in enumerate(SENTIMENTS):
        for t in thresholds:
            kept = (argmax == k) & (probs[:, k] >= t)
            rows.append({"class": name, "threshold": float(t), "n": int(kept.sum()),
                         "precision": float((gold[kept] == k).mean()) if kept.any() else np.nan,
                         "coverage": float(kept.sum() / max(1, (argmax == k).sum()))})  # fmt: skip
    return pd.DataFrame(rows, columns=["class", "threshold", "n", "precision", "coverage"])


def calibration_figure(reliability: dict[str, pd.DataFrame], curves: dict[str, pd.DataFrame]):
    """Per tweet set: the reliability diagram and each class's precision against coverage over thresholds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not reliability:
        figure = plt.figure(figsize=(4, 1))
        figure.text(0.5, 0.5, "no evaluation set (teacher_labeling.evaluation)", ha="center", va="center")
        return figure
    figure, axes = plt.subplots(len(reliability), 2, figsize=(9, 3.6 * len(reliability)), squeeze=False)
    for (name, table), (left, right) in zip(reliability.items(), axes):
        left.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
        left.plot(table["confidence"], table["accuracy"], marker="o")
        left.set(
            xlabel="top-1 confidence",
            ylabel="accuracy",
            title=f"{name}: reliability",
            xlim=(0, 1),
            ylim=(0, 1),
        )
        for cls, rows in curves[name].groupby("class", sort=False):
            right.plot(rows["coverage"], rows["precision"], marker=".", label=cls)
            for _, row in rows.iloc[::4].iterrows():
                right.annotate(f"{row['threshold']:.2f}", (row["coverage"], row["precision"]), fontsize=6)
        right.set(
            xlabel="coverage (kept / argmax labels of the class)",
            ylabel="precision",
            title=f"{name}: precision vs coverage",
        )
        right.legend(fontsize=7)
    figure.tight_layout()
    return figure
