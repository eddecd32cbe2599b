"""Nodes scoring the student on human-labelled benchmarks: zero-shot and the paper's k-fold protocol."""

from __future__ import annotations

import logging

import pandas as pd
from matplotlib.figure import Figure

from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.inference import starting_features, student_probabilities
from crowd_sentiment.core.kfold import FOLD_COLUMNS, kfold_finetune, summarise_folds
from crowd_sentiment.core.plots import (
    accuracy_figure,
    confusion_matrices_figure,
    picture_grid_figure,
    reliability_figure,
    roc_curves_figure,
    thumbnail,
)
from crowd_sentiment.core.report import (
    PAPER_REFERENCE,
    TWITTER_I_LAYOUT,
    benchmark_report_markdown,
    report_rows,
)
from crowd_sentiment.core.scoring import (
    confusion_matrices,
    example_predictions,
    reliability_diagrams,
    roc_curves,
    subset_metrics,
    zero_shot_predictions,
)
from crowd_sentiment.core.settings_selection import selection_table_markdown
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.training import resolve_device
from crowd_sentiment.params import BenchmarkingParams
from crowd_sentiment.tracking import MetricSeries, row_values

log = logging.getLogger(__name__)
KFOLD_COLUMNS = ["benchmark", "subset", "start", *FOLD_COLUMNS]
EXAMPLE_PICTURES = 24  # a 4 × 6 grid of thumbnails
TRACKED_METRICS = ("accuracy", "macro_f1", "roc_auc", "majority_rate", "accuracy_std")


def confirm_benchmark_images(benchmark_images: pd.DataFrame, params: BenchmarkingParams) -> pd.DataFrame:
    """The configured benchmarks' rows of ``benchmark_images``, refusing any the manifest was not guarded against.

    ``benchmark_images`` is what filtering read and kept out of training; a benchmark
    configured since then would be scored against a training set that may hold its pictures.
    """
    configured = {(b.name, b.layout, b.root) for b in params.benchmarks}
    guarded = set(benchmark_images[["benchmark", "layout", "root"]].itertuples(index=False, name=None))
    unguarded = sorted(configured - guarded)
    if unguarded:
        raise ValueError(
            f"benchmark(s) {unguarded} (name, layout, root) are configured but the distillation manifest "
            f"was guarded against {sorted(guarded)} only; re-run filtering so that their near-duplicates "
            "are kept out of training: `kedro run`, or `kedro run --pipelines filtering` then "
            "`kedro run --pipelines distillation`"
        )
    names = {name for name, _, _ in configured}
    return benchmark_images[benchmark_images["benchmark"].isin(names)].reset_index(drop=True)


def _distinct_images(benchmark_images: pd.DataFrame) -> ImageSet:
    return ImageSet.from_frame(benchmark_images.drop_duplicates("path"))


def predict_benchmarks(
    student_model: StoredStudent,
    guarded_benchmark_images: pd.DataFrame,
    image_feature_cache: FeatureCache,
    params: BenchmarkingParams,
) -> pd.DataFrame:
    """Zero-shot predictions per benchmark row: gold, prediction, polar score, probabilities."""
    images = _distinct_images(guarded_benchmark_images)
    probs = student_probabilities(
        student_model, images, resolve_device(params.device), cache=image_feature_cache, batch_size=params.batch_size
    )
    return zero_shot_predictions(guarded_benchmark_images, [str(p) for p in images.paths], probs)


def run_kfold_protocols(
    student_model: StoredStudent,
    guarded_benchmark_images: pd.DataFrame,
    image_feature_cache: FeatureCache,
    params: BenchmarkingParams,
) -> pd.DataFrame:
    """The paper's k-fold fine-tuning per benchmark subset, from the distilled head and from a fresh one.

    Both starts train the head on the same frozen backbone features, so their gap is
    what distillation adds. One row per (benchmark, subset, start, fold).
    """
    if not params.kfold.enabled:
        return pd.DataFrame(columns=KFOLD_COLUMNS)
    device = resolve_device(params.device)
    images = _distinct_images(guarded_benchmark_images)
    features = starting_features(student_model, images, device, cache=image_feature_cache)
    index = {str(path): n for n, path in enumerate(images.paths)}
    k = params.kfold
    frames = []
    for (benchmark, subset), frame in guarded_benchmark_images.groupby(["benchmark", "subset"], sort=False):
        rows = frame["path"].map(index).to_numpy(copy=True)  # a writable index: torch warns on read-only ones
        for start, head in (("distilled", student_model.head_state()), ("imagenet", None)):
            folds = kfold_finetune(
                features[start][rows].numpy(), frame["label"].to_numpy(), head_state=head,
                spec=student_model.spec, settings=k, n_classes=int(frame["n_classes"].iloc[0]), device=device,
            )  # fmt: skip
            frames.append(folds.assign(benchmark=benchmark, subset=subset, start=start))
            summary = summarise_folds(folds)
            log.info("%s/%s %d-fold from %s: accuracy %.3f ± %.3f", benchmark, subset, k.folds, start,
                     summary["accuracy_mean"], summary["accuracy_std"])  # fmt: skip
    return pd.concat(frames, ignore_index=True)[KFOLD_COLUMNS]


def score_benchmarks(benchmark_predictions: pd.DataFrame, kfold_results: pd.DataFrame) -> pd.DataFrame:
    """Metrics per benchmark, subset and protocol (zero-shot, k-fold from each start)."""
    return subset_metrics(benchmark_predictions, kfold_results)


def track_benchmark_metrics(benchmark_metrics: pd.DataFrame) -> MetricSeries:
    """The headline metrics as MLflow series ``<benchmark>.<subset>.<protocol>.<metric>``."""
    return row_values(benchmark_metrics.to_dict("records"), ["benchmark", "subset", "protocol"], TRACKED_METRICS)


def draw_confusion_matrices(benchmark_predictions: pd.DataFrame) -> Figure:
    """One zero-shot confusion matrix per benchmark subset."""
    return confusion_matrices_figure(*confusion_matrices(benchmark_predictions))


def draw_roc_curves(benchmark_predictions: pd.DataFrame) -> Figure:
    """Zero-shot ROC curves of the polar score, one per benchmark subset."""
    return roc_curves_figure(roc_curves(benchmark_predictions))


def draw_reliability(benchmark_predictions: pd.DataFrame) -> Figure:
    """The student's reliability diagram on the binary subsets, ECE in the title."""
    return reliability_figure(reliability_diagrams(benchmark_predictions))


def draw_accuracy(benchmark_metrics: pd.DataFrame, params: BenchmarkingParams) -> Figure:
    """Zero-shot and k-fold accuracy beside the paper's (benchmarks with ``paper_table: twitter_i``); distilled vs ImageNet."""
    twitter_i = {b.name for b in params.benchmarks if b.paper_table == "twitter_i"}
    paper = {
        (benchmark, subset): PAPER_REFERENCE[(TWITTER_I_LAYOUT, subset)]
        for benchmark, subset in zip(benchmark_metrics["benchmark"], benchmark_metrics["subset"])
        if benchmark in twitter_i and (TWITTER_I_LAYOUT, subset) in PAPER_REFERENCE
    }
    return accuracy_figure(benchmark_metrics, paper)


def draw_example_pictures(benchmark_predictions: pd.DataFrame) -> Figure:
    """A grid of benchmark thumbnails with gold label, zero-shot prediction and score, right and wrong ones."""
    chosen = example_predictions(benchmark_predictions, EXAMPLE_PICTURES)
    pictures = [thumbnail(path) for path in chosen["path"]]
    return picture_grid_figure(pictures, list(chosen["caption"]), list(chosen["correct"]))


def draw_benchmark_figures(
    benchmark_predictions: pd.DataFrame, benchmark_metrics: pd.DataFrame, params: BenchmarkingParams
) -> dict[str, Figure]:
    """Every benchmark figure by its name in the catalog's ``benchmark_figures``."""
    return {
        "benchmark_confusion_matrix": draw_confusion_matrices(benchmark_predictions),
        "benchmark_roc_curves": draw_roc_curves(benchmark_predictions),
        "student_reliability": draw_reliability(benchmark_predictions),
        "benchmark_accuracy": draw_accuracy(benchmark_metrics, params),
        "benchmark_examples": draw_example_pictures(benchmark_predictions),
    }


def write_benchmark_report(
    benchmark_metrics: pd.DataFrame, params: BenchmarkingParams, settings_selection: pd.DataFrame | None = None
) -> str:
    """The Markdown report: zero-shot and k-fold figures, and the paper's numbers where it has them.

    ``settings_selection``: the grid of ``make select-settings`` (empty: not shown), appended as its table.
    """
    layouts = {b.name: TWITTER_I_LAYOUT if b.paper_table == "twitter_i" else "" for b in params.benchmarks}
    report = benchmark_report_markdown(report_rows(benchmark_metrics, layouts), PAPER_REFERENCE)
    if settings_selection is None or settings_selection.empty:
        return report
    return report + (
        "\nSettings chosen on the development slice of the crowd (human image labels, never trained on; "
        "mean dev AUC over each setting's fits on `benchmarking.selection.splits` + 1 train/validation splits, "
        "then `benchmarking.selection.decision_criterion` over the decision rows); "
        "MVSA figures beside, not used "
        "(`make select-settings`):\n\n" + selection_table_markdown(settings_selection) + "\n"
    )
