"""Nodes scoring tweet texts with the text teacher, and measuring the teacher on human-labelled tweets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import version

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from crowd_sentiment.core.plots import label_distribution_figure
from crowd_sentiment.core.selection import with_provenance
from crowd_sentiment.core.teacher_eval import (
    calibration_figure,
    cleaned_texts,
    precision_coverage,
    reliability_table,
    teacher_agreement,
)
from crowd_sentiment.core.teacher_scoring import (
    ScoreStore,
    excluded_tweets,
    label_counts,
    score_in_partitions,
)
from crowd_sentiment.core.teachers import TextTeacher, VaderTeacher
from crowd_sentiment.core.text_sets import load_text_set
from crowd_sentiment.params import TeacherLabelingParams
from crowd_sentiment.tracking import MetricSeries, row_values

log = logging.getLogger(__name__)

StoredTeacherLoader = Callable[[], dict]


def _teacher(params: TeacherLabelingParams, learned_teacher: StoredTeacherLoader) -> TextTeacher:
    """The configured teacher (``vader`` is the offline default)."""
    if params.teacher == "vader":
        return VaderTeacher(params.vader)
    if params.teacher == "hf":
        from crowd_sentiment.core.hf_teacher import HfTeacher

        return HfTeacher(params.hf, progress=params.progress)
    from crowd_sentiment.core.learned_teacher import LearnedTeacher

    return LearnedTeacher(
        learned_teacher(),
        batch_size=params.learned.batch_size,
        device=params.learned.device,
        progress=params.progress,
    )


def _teachers(
    params: TeacherLabelingParams, learned_teacher: StoredTeacherLoader
) -> tuple[TextTeacher, TextTeacher | None]:
    """The main teacher and the multilingual one (``None`` when not configured)."""
    fallback = None
    if params.multilingual is not None:
        from crowd_sentiment.core.hf_teacher import HfTeacher

        fallback = HfTeacher(params.multilingual, progress=params.progress)
    return _teacher(params, learned_teacher), fallback


def _identity(params: TeacherLabelingParams, learned_teacher: StoredTeacherLoader) -> dict[str, str]:
    """The main teacher's name and weights' hash (transformers teachers) or package version (VADER),
    without loading a model."""
    if params.teacher == "vader":
        return {"teacher": "vader", "version": version("vaderSentiment")}
    if params.teacher == "hf":
        from crowd_sentiment.core.hf_teacher import hf_identity

        return hf_identity(params.hf)
    from crowd_sentiment.core.learned_teacher import stored_identity

    return stored_identity(learned_teacher())


def teacher_identity(params: TeacherLabelingParams, learned_teacher: StoredTeacherLoader) -> dict[str, str]:
    """The teachers' identity, logged as MLflow params ``teacher.*`` (and keying the stored scores)."""
    identity = {f"main.{k}": v for k, v in _identity(params, learned_teacher).items()}
    if params.multilingual is not None:
        from crowd_sentiment.core.hf_teacher import hf_identity

        identity |= {f"multilingual.{k}": v for k, v in hf_identity(params.multilingual).items()}
    return identity


def score_tweets(
    tweets: pd.DataFrame,
    store: ScoreStore,
    identity: dict[str, str],
    params: TeacherLabelingParams,
    learned_teacher: StoredTeacherLoader,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Teacher probabilities per tweet (``tweet_id, p_negative, p_neutral, p_positive, teacher, lang,
    lang_source``; NaN where excluded) and the tweets no teacher covers, with the reason."""
    scores = score_in_partitions(
        tweets,
        lambda: _teachers(params, learned_teacher),
        store,
        teacher_key={
            "identity": identity,
            "settings": params.model_dump(mode="json", exclude={"evaluation", "progress"}),
        },
        partition_size=params.partition_size,
        languages=params.languages,
    )
    excluded = excluded_tweets(scores)
    log.info("teacher %s scored %d tweets (argmax counts per teacher %s); %d excluded (language not covered)",
             identity["main.teacher"], len(scores) - len(excluded), label_counts(scores), len(excluded))  # fmt: skip
    return with_provenance(scores, teacher_labeling=params.model_dump(mode="json"), teacher=identity), excluded


THRESHOLDS = np.round(np.arange(0.34, 1.0, 0.02), 2)  # confidence thresholds of the precision-coverage curves


def measure_teacher(
    params: TeacherLabelingParams, learned_teacher: StoredTeacherLoader
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per tweet set of ``params.evaluation``: the teacher's agreement (one row per set); its
    reliability and per-class precision-vs-coverage over confidence thresholds (one table, rows
    told apart by ``set`` and ``kind``); and, for the learned teacher, how its k-fold choice
    carries over: every candidate (VADER weight, prior correction) scored on the set beside its
    training-set figure (``LearnedTeacher.choice_transfer``; empty for other teachers). The
    learned teacher's agreement rows also get ``choice_rank_correlation`` and
    ``best_candidate_macro_recall`` (``core.learned_teacher.transfer_summary``). All empty when
    no set is configured.

    Human labels here only measure the teacher; they never become training targets or choices.
    """
    teacher = _teacher(params, learned_teacher) if params.evaluation else None
    rows, tables, transfers = [], [], []
    for item in params.evaluation:
        tweets = load_text_set(item.layout, item.root, item.split)
        gold = tweets["label"].to_numpy()
        texts = cleaned_texts(tweets["text"], gold)
        transfer = getattr(teacher, "choice_transfer", None)
        if transfer is None:
            probs, extra = teacher.predict_proba(texts), {}
        else:
            probs, candidates = transfer(texts, gold)
            transfers.append(candidates.assign(set=item.name))
            extra = _log_transfer(item.name, candidates)
        scores = teacher_agreement(gold, probs)
        tables.append(reliability_table(gold, probs).assign(set=item.name, kind="reliability"))
        tables.append(precision_coverage(gold, probs, THRESHOLDS).assign(set=item.name, kind="precision_coverage"))
        rows.append({"set": item.name, "teacher": teacher.name, **scores, **extra})
        log.info("teacher %s on %s: macro-recall %.3f, accuracy %.3f, polar accuracy %.3f (n=%d)",
                 teacher.name, item.name, scores["macro_recall"], scores["accuracy"], scores["polar_accuracy"], scores["n"])  # fmt: skip
    table = pd.DataFrame(rows, columns=["set", "teacher"] if not rows else None)
    calibration = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["set", "kind"])
    transfer_table = pd.concat(transfers, ignore_index=True) if transfers else pd.DataFrame(columns=["set"])
    return table, calibration, transfer_table


def _log_transfer(name: str, candidates: pd.DataFrame) -> dict[str, float]:
    """Log and return :func:`~crowd_sentiment.core.learned_teacher.transfer_summary` of one set."""
    from crowd_sentiment.core.learned_teacher import transfer_summary

    summary = transfer_summary(candidates)
    log.info("learned teacher on %s: over its %d k-fold candidates the training set's figure ranks them with "
             "Spearman %+.2f against this set's (best candidate here %.3f; reported only, never a choice)",
             name, len(candidates), summary["choice_rank_correlation"], summary["best_candidate_macro_recall"])  # fmt: skip
    return summary


def track_teacher_scores(teacher_agreement: pd.DataFrame) -> MetricSeries:
    """``teacher_agreement`` as MLflow series ``<set>.<figure>`` (one value each; the teacher's name is no number)."""
    return row_values(teacher_agreement.to_dict("records"), ["set"])


def draw_teacher_figures(tweet_sentiment: pd.DataFrame, teacher_calibration: pd.DataFrame) -> dict[str, Figure]:
    """The teacher's argmax labels per class, and its calibration figure per evaluation set
    (a note when no set is configured)."""
    by_kind = {
        kind: {name: rows for name, rows in teacher_calibration[teacher_calibration["kind"] == kind].groupby("set", sort=False)}
        for kind in ("reliability", "precision_coverage")
    }
    return {
        "teacher_label_distribution": label_distribution_figure(label_counts(tweet_sentiment)),
        "teacher_calibration": calibration_figure(by_kind["reliability"], by_kind["precision_coverage"]),
    }
