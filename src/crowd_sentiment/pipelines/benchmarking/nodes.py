"""Nodes evaluating the student zero-shot on human-labelled benchmarks."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from crowd_sentiment.core.benchmarks import binary_zero_shot, load_benchmark
from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.images import content_id
from crowd_sentiment.core.inference import student_probabilities
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS
from crowd_sentiment.core.metrics import (
    binary_roc_auc,
    classification_scores,
    confusion_matrix,
    majority_rate,
)
from crowd_sentiment.core.plots import confusion_matrices_figure
from crowd_sentiment.core.training import resolve_device
from crowd_sentiment.params import BenchmarkingParams, parse

log = logging.getLogger(__name__)
BINARY_CLASSES = ("negative", "positive")


def load_benchmark_images(params: dict) -> pd.DataFrame:
    """Every configured benchmark as rows ``benchmark, subset, image, path, label, image_id``.

    ``image_id`` is the content hash of the file, as for crowd images.
    """
    config = parse(BenchmarkingParams, params)
    frames = [load_benchmark(b.layout, b.root, b.name) for b in config.benchmarks]
    table = pd.concat(frames, ignore_index=True)
    ids = {path: content_id(Path(path).read_bytes()) for path in table["path"].unique()}
    table["image_id"] = table["path"].map(ids)
    log.info("benchmark images: %s", table.groupby(["benchmark", "subset"]).size().to_dict())
    return table


def predict_benchmarks(
    student_model: dict, benchmark_images: pd.DataFrame, image_feature_cache: FeatureCache, params: dict
) -> pd.DataFrame:
    """Zero-shot predictions: probabilities, binary prediction and score per (benchmark, subset, image)."""
    config = parse(BenchmarkingParams, params)
    unique = benchmark_images.drop_duplicates("path").reset_index(drop=True)
    probs = student_probabilities(
        student_model,
        unique["image_id"].tolist(),
        unique["path"].tolist(),
        resolve_device(config.device),
        cache=image_feature_cache,
        batch_size=config.batch_size,
    )
    predicted, score = binary_zero_shot(probs)
    per_image = pd.DataFrame(probs, columns=list(PROBABILITY_COLUMNS)).assign(
        path=unique["path"], prediction=predicted, score=score
    )
    predictions = benchmark_images.merge(per_image, on="path", how="left").rename(columns={"label": "gold"})
    return predictions[["benchmark", "subset", "image", "gold", "prediction", "score", *PROBABILITY_COLUMNS]]


def score_benchmarks(benchmark_predictions: pd.DataFrame) -> tuple[pd.DataFrame, dict, Figure]:
    """Metrics per benchmark/subset (table and MLflow series) and the confusion matrices."""
    rows, matrices = [], {}
    for (benchmark, subset), frame in benchmark_predictions.groupby(["benchmark", "subset"], sort=False):
        gold, predicted = frame["gold"].to_numpy(), frame["prediction"].to_numpy()
        scores = classification_scores(gold, predicted, BINARY_CLASSES)
        scores["roc_auc"] = binary_roc_auc(gold, frame["score"].to_numpy())
        scores["majority_rate"] = majority_rate(gold)
        rows.append({"benchmark": benchmark, "subset": subset, "protocol": "zero_shot", **scores})
        matrices[f"{benchmark} {subset}"] = confusion_matrix(gold, predicted, len(BINARY_CLASSES))
        log.info("%s/%s zero-shot: accuracy %.3f (majority %.3f), macro-F1 %.3f, AUC %.3f (n=%d)",
                 benchmark, subset, scores["accuracy"], scores["majority_rate"], scores["macro_f1"], scores["roc_auc"], len(frame))  # fmt: skip
    metrics = pd.DataFrame(rows)
    series = {
        f"{r['benchmark']}.{r['subset']}.{key}": [{"step": 0, "value": float(r[key])}]
        for r in rows
        for key in ("accuracy", "macro_f1", "roc_auc", "majority_rate")
        if np.isfinite(r[key])
    }
    return metrics, series, confusion_matrices_figure(matrices, BINARY_CLASSES)
