"""Nodes evaluating the student zero-shot on human-labelled benchmarks."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from torch.utils.data import DataLoader

from crowd_sentiment.core.benchmarks import binary_zero_shot, load_benchmark
from crowd_sentiment.core.data import ImageFiles, eval_transform
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS
from crowd_sentiment.core.metrics import (
    binary_roc_auc,
    classification_scores,
    confusion_matrix,
    majority_rate,
)
from crowd_sentiment.core.plots import confusion_matrices_figure
from crowd_sentiment.core.students import Student, StudentSpec
from crowd_sentiment.core.training import predict_proba, resolve_device
from crowd_sentiment.params import BenchmarkingParams, parse

log = logging.getLogger(__name__)
BINARY_CLASSES = ("negative", "positive")


def load_benchmark_images(params: dict) -> pd.DataFrame:
    """Every configured benchmark as rows ``benchmark, subset, image, path, label``."""
    config = parse(BenchmarkingParams, params)
    frames = [load_benchmark(b.layout, b.root, b.name) for b in config.benchmarks]
    table = pd.concat(frames, ignore_index=True)
    log.info("benchmark images: %s", table.groupby(["benchmark", "subset"]).size().to_dict())
    return table


def _student(student_model: dict) -> Student:
    student = Student(StudentSpec.from_dict(student_model["spec"]))
    student.load_state_dict(student_model["state_dict"])
    return student.eval()


def predict_benchmarks(student_model: dict, benchmark_images: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Zero-shot predictions: probabilities, binary prediction and score per (benchmark, subset, image)."""
    config = parse(BenchmarkingParams, params)
    student = _student(student_model)
    unique = benchmark_images.drop_duplicates("path").reset_index(drop=True)
    files = ImageFiles(unique["path"].tolist(), None, eval_transform(student.spec))
    probs, _ = predict_proba(
        student.to(resolve_device(config.device)),
        DataLoader(files, batch_size=config.batch_size),
        resolve_device(config.device),
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
