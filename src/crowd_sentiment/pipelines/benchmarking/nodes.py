"""Nodes evaluating the student zero-shot on human-labelled benchmarks."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from crowd_sentiment.core.benchmarks import (
    THREE_CLASS_LAYOUTS,
    binary_zero_shot,
    load_benchmark,
    three_class_predictions,
)
from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.images import content_id
from crowd_sentiment.core.inference import starting_features, student_probabilities
from crowd_sentiment.core.labels import NEUTRAL, POSITIVE, PROBABILITY_COLUMNS, SENTIMENTS
from crowd_sentiment.core.metrics import (
    binary_roc_auc,
    classification_scores,
    confusion_matrix,
    majority_rate,
)
from crowd_sentiment.core.plots import confusion_matrices_figure
from crowd_sentiment.core.protocols import kfold_finetune, summarise_folds
from crowd_sentiment.core.report import PAPER_REFERENCE, TWITTER_I_LAYOUT, benchmark_report_markdown
from crowd_sentiment.core.students import StudentSpec
from crowd_sentiment.core.training import TrainConfig, resolve_device
from crowd_sentiment.params import BenchmarkingParams, parse

log = logging.getLogger(__name__)
BINARY_CLASSES = ("negative", "positive")


def load_benchmark_images(params: dict) -> pd.DataFrame:
    """Every configured benchmark as rows ``benchmark, subset, image, path, label, n_classes, image_id``.

    ``image_id`` is the content hash of the file, as for crowd images; ``n_classes`` is 2
    (binary: 0 negative, 1 positive) or 3 (0 negative, 1 neutral, 2 positive).
    """
    config = parse(BenchmarkingParams, params)
    frames = [
        load_benchmark(b.layout, b.root, b.name).assign(n_classes=3 if b.layout in THREE_CLASS_LAYOUTS else 2)
        for b in config.benchmarks
    ]
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
    binary, score = binary_zero_shot(probs)
    three, _ = three_class_predictions(probs)
    per_image = pd.DataFrame(probs, columns=list(PROBABILITY_COLUMNS)).assign(
        path=unique["path"], binary=binary, three=three, score=score
    )
    predictions = benchmark_images.merge(per_image, on="path", how="left").rename(columns={"label": "gold"})
    predictions["prediction"] = np.where(
        predictions["n_classes"] == 3, predictions["three"], predictions["binary"]
    )
    columns = [
        "benchmark",
        "subset",
        "image",
        "n_classes",
        "gold",
        "prediction",
        "score",
        *PROBABILITY_COLUMNS,
    ]
    return predictions[columns]


def run_kfold_protocols(
    student_model: dict, benchmark_images: pd.DataFrame, image_feature_cache: FeatureCache, params: dict
) -> pd.DataFrame:
    """The paper's k-fold fine-tuning per benchmark subset, from the distilled head and from scratch.

    Both starts train the head on the same backbone features (frozen backbone): the
    *distilled* start begins from the student's head, the *ImageNet* start from a fresh
    head on the ImageNet backbone, so the difference is what distillation adds. One row
    per (benchmark, subset, start, fold).
    """
    config = parse(BenchmarkingParams, params)
    columns = ["benchmark", "subset", "start", "fold", "n_train", "n_test", "accuracy", "macro_f1", "roc_auc"]
    if not config.kfold.enabled:
        return pd.DataFrame(columns=columns)
    device = resolve_device(config.device)
    unique = benchmark_images.drop_duplicates("path").reset_index(drop=True)
    ids, paths = unique["image_id"].tolist(), unique["path"].tolist()
    features = starting_features(student_model, ids, paths, device, cache=image_feature_cache)
    index = {path: n for n, path in enumerate(paths)}
    spec = StudentSpec.from_dict(student_model["spec"])
    k = config.kfold
    train = TrainConfig(
        epochs=k.epochs, batch_size=k.batch_size, optimizer=k.optimizer, lr=k.lr,
        weight_decay=k.weight_decay, label_smoothing=k.label_smoothing,
    )  # fmt: skip
    frames = []
    for (benchmark, subset), frame in benchmark_images.groupby(["benchmark", "subset"], sort=False):
        rows = frame["path"].map(index).to_numpy()
        labels = frame["label"].to_numpy()
        n_classes = int(frame["n_classes"].iloc[0])
        for start, head in (("distilled", student_model["state_dict"]), ("imagenet", None)):
            folds = kfold_finetune(
                features[start][rows].numpy(), labels, head_state=head, spec=spec, config=train,
                n_classes=n_classes, folds=k.folds, seed=k.seed, device=device,
            )  # fmt: skip
            frames.append(folds.assign(benchmark=benchmark, subset=subset, start=start))
            summary = summarise_folds(folds)
            log.info("%s/%s %d-fold from %s: accuracy %.3f ± %.3f", benchmark, subset, k.folds, start,
                     summary["accuracy_mean"], summary["accuracy_std"])  # fmt: skip
    return pd.concat(frames, ignore_index=True)[columns]


def score_benchmarks(
    benchmark_predictions: pd.DataFrame, kfold_results: pd.DataFrame, params: dict
) -> tuple[pd.DataFrame, dict, Figure, str]:
    """Metrics per benchmark/subset (table, MLflow series), confusion matrices and the Markdown report."""
    config = parse(BenchmarkingParams, params)
    rows, matrices, names = [], {}, {}
    for (benchmark, subset), frame in benchmark_predictions.groupby(["benchmark", "subset"], sort=False):
        gold, predicted = frame["gold"].to_numpy(), frame["prediction"].to_numpy()
        classes = SENTIMENTS if int(frame["n_classes"].iloc[0]) == 3 else BINARY_CLASSES
        scores = classification_scores(gold, predicted, classes)
        scores["roc_auc"] = _polar_roc_auc(gold, frame["score"].to_numpy(), len(classes))
        scores["majority_rate"] = majority_rate(gold)
        rows.append({"benchmark": benchmark, "subset": subset, "protocol": "zero_shot", **scores})
        title = f"{benchmark} {subset}"
        matrices[title], names[title] = confusion_matrix(gold, predicted, len(classes)), classes
        log.info("%s/%s zero-shot: accuracy %.3f (majority %.3f), macro-F1 %.3f, AUC %.3f (n=%d)",
                 benchmark, subset, scores["accuracy"], scores["majority_rate"], scores["macro_f1"], scores["roc_auc"], len(frame))  # fmt: skip
    for (benchmark, subset, start), folds in kfold_results.groupby(
        ["benchmark", "subset", "start"], sort=False
    ):
        summary = summarise_folds(folds)
        rows.append({
            "benchmark": benchmark, "subset": subset, "protocol": f"kfold_{start}",
            **{key: summary[f"{key}_mean"] for key in ("accuracy", "macro_f1", "roc_auc")},
            **{f"{key}_std": summary[f"{key}_std"] for key in ("accuracy", "macro_f1", "roc_auc")},
        })  # fmt: skip
    metrics = pd.DataFrame(rows)
    series = {
        f"{r['benchmark']}.{r['subset']}.{r['protocol']}.{key}": [{"step": 0, "value": float(r[key])}]
        for r in rows
        for key in ("accuracy", "macro_f1", "roc_auc", "majority_rate", "accuracy_std")
        if key in r and np.isfinite(r[key])
    }
    layouts = {b.name: TWITTER_I_LAYOUT if b.paper_table == "twitter_i" else "" for b in config.benchmarks}
    report = benchmark_report_markdown(_report_rows(metrics, layouts), PAPER_REFERENCE)
    return metrics, series, confusion_matrices_figure(matrices, names), report


def _polar_roc_auc(gold: np.ndarray, score: np.ndarray, n_classes: int) -> float:
    """ROC-AUC of ``p_pos - p_neg``: over all items (binary), over the polar items (three classes)."""
    if n_classes == 2:
        return binary_roc_auc(gold, score)
    polar = gold != NEUTRAL
    return binary_roc_auc(gold[polar] == POSITIVE, score[polar])


def _report_rows(metrics: pd.DataFrame, layouts: dict[str, str]) -> pd.DataFrame:
    """One row per benchmark/subset in the shape of :func:`benchmark_report_markdown`.

    ``layouts`` names the paper table a benchmark is compared with ("" for none).
    """
    zero = metrics[metrics["protocol"] == "zero_shot"].set_index(["benchmark", "subset"])
    rows = zero[["n", "majority_rate"]].copy()
    for key in ("accuracy", "macro_f1", "roc_auc"):
        rows[f"zero_shot_{key}"] = zero[key]
    for start in ("distilled", "imagenet"):
        folds = metrics[metrics["protocol"] == f"kfold_{start}"].set_index(["benchmark", "subset"])
        if len(folds):
            rows[f"kfold_{start}_accuracy_mean"] = folds["accuracy"]
            rows[f"kfold_{start}_accuracy_std"] = folds["accuracy_std"]
    rows = rows.reset_index()
    rows["layout"] = rows["benchmark"].map(layouts)
    return rows
