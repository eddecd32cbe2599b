"""Distillation then benchmarking on tiny coloured pictures with timm's tiny test network."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro_datasets.pandas import CSVDataset
from matplotlib.figure import Figure
from PIL import Image

from crowd_sentiment.core.checkpoints import CheckpointStore
from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.images import ImageStore
from crowd_sentiment.params import BenchmarkingParams, DistillationParams
from crowd_sentiment.pipelines.benchmarking import create_pipeline as benchmarking
from crowd_sentiment.pipelines.benchmarking.nodes import confirm_benchmark_images
from crowd_sentiment.pipelines.distillation import create_pipeline as distillation
from crowd_sentiment.pipelines.filtering.nodes import load_benchmark_images

COLOURS = {0: (30, 40, 90), 1: (128, 128, 128), 2: (250, 200, 40)}  # negative, neutral, positive
DISTILLATION = DistillationParams.model_validate({
    "seed": 0,
    "device": "cpu",
    "student": {
        "arch": "test_efficientnet",
        "weights": "none",
        "image_size": 32,
        "crop_pct": 1.0,
        "head_hidden": 8,
    },
    "training": {"head_solver": "minibatch", "epochs": 3, "batch_size": 8, "lr": 0.01},
})


def _picture(label: int, rng: np.random.Generator) -> Image.Image:
    base = np.array(COLOURS[label], dtype=float) + rng.normal(0, 12, (40, 40, 3))
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


@pytest.fixture
def inputs(tmp_path):
    rng = np.random.default_rng(0)
    store = ImageStore(tmp_path / "store")
    rows = []
    for i in range(30):
        label, image_id = i % 3, f"{i:032x}"
        path = store.path(image_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        _picture(label, rng).save(path)
        probs = np.full(3, 0.05)
        probs[label] = 0.9
        rows.append((image_id, store.relative_path(image_id), *probs, "validation" if i >= 24 else "train"))
    manifest = pd.DataFrame(
        rows, columns=["image_id", "path", "p_negative", "p_neutral", "p_positive", "split"]
    )
    root = tmp_path / "benchmark"
    (root / "images").mkdir(parents=True)
    (root / "ground_truth").mkdir()
    lines = []
    for i in range(12):
        binary = i % 2
        _picture(2 if binary else 0, rng).save(root / "images" / f"u_{i}_1.jpg")
        lines.append(f"u_{i}_1.jpg {binary}")
    for word, keep in (("five", 8), ("four", 10), ("three", 12)):
        (root / "ground_truth" / f"twitter_{word}_agrees.txt").write_text("\n".join(lines[:keep]) + "\n")
    benchmarks = BenchmarkingParams.model_validate({
        "device": "cpu",
        "batch_size": 4,
        "benchmarks": [
            {"name": "tiny", "layout": "twitter_agreement", "root": str(root), "paper_table": "twitter_i"}
        ],
        "kfold": {"folds": 2, "epochs": 2, "batch_size": 4},
    })
    return {
        "benchmark_images": load_benchmark_images(benchmarks),
        "distillation_manifest": manifest,
        "tweet_image_store": store,
        "image_feature_cache": FeatureCache(tmp_path / "features"),
        "training_checkpoints": CheckpointStore(tmp_path / "checkpoints"),
        "params:distillation": DISTILLATION,
        "params:benchmarking": benchmarks,
        "settings_selection": pd.DataFrame(),  # no make select-settings table: the report shows no grid
    }


def test_student_is_trained_and_benchmarked(run_slice, inputs, tmp_path):
    kfold = CSVDataset(filepath=str(tmp_path / "kfold.csv"))
    scores = CSVDataset(filepath=str(tmp_path / "metrics.csv"))
    history = CSVDataset(filepath=str(tmp_path / "history.csv"))  # also read by the curves node
    out = run_slice(
        distillation() + benchmarking(),
        {**inputs, "kfold_results": kfold, "benchmark_metrics": scores, "training_history": history},
    )
    assert out["student_mlflow_model"].spec.model_dump(mode="json") == out["student_checkpoint"]["spec"]  # the pyfunc's
    checkpoint = out["student_checkpoint"]
    assert checkpoint["spec"]["arch"] == "test_efficientnet" and checkpoint["epochs_run"] == 3
    assert list(history.load()["epoch"]) == [1, 2, 3]
    assert [line.get_label() for line in out["training_figures"]["training_curves"].get_axes()[0].get_lines()] == [
        "train loss", "validation loss"
    ]  # fmt: skip
    assert [p["step"] for p in out["training_metrics"]["val_macro_f1"]] == [1, 2, 3]
    assert [p["step"] for p in out["training_metrics"]["images_per_second"]] == [1, 2, 3]
    assert (tmp_path / "checkpoints" / "last.pt").is_file()  # minibatch training checkpoints each epoch
    metrics = scores.load().query("protocol == 'zero_shot'").set_index("subset")
    assert list(metrics.index) == ["five_agree", "four_agree", "three_agree"]
    assert metrics.loc["three_agree", "n"] == 12 and metrics.loc["five_agree", "n"] == 8
    assert ((metrics["accuracy"] >= 0) & (metrics["accuracy"] <= 1)).all()
    assert "tiny.five_agree.zero_shot.accuracy" in out["benchmark_scores"]
    figures = out["benchmark_figures"]
    assert list(figures) == [
        "benchmark_confusion_matrix", "benchmark_roc_curves", "student_reliability", "benchmark_accuracy",
        "benchmark_examples",
    ]  # fmt: skip
    assert all(isinstance(figure, Figure) for figure in figures.values())
    folds = kfold.load()
    assert len(folds) == 3 * 2 * 2  # subsets x starts x folds
    assert set(folds["start"]) == {"distilled", "imagenet"}
    assert set(scores.load()["protocol"]) == {"zero_shot", "kfold_distilled", "kfold_imagenet"}
    report = out["benchmark_report"]
    assert "five_agree" in report and "paper (ViT-L/16)" in report and "87.8" in report


def test_predictions_drop_the_neutral_output(run_slice, inputs):
    pipeline = (distillation() + benchmarking()).to_outputs("benchmark_predictions")
    predictions = run_slice(pipeline, inputs)["benchmark_predictions"]
    probs = predictions[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(predictions["prediction"], (probs[:, 2] > probs[:, 0]).astype(int))
    np.testing.assert_allclose(predictions["score"], probs[:, 2] - probs[:, 0], rtol=1e-6)


def test_a_benchmark_the_manifest_was_not_guarded_against_is_refused(inputs, tmp_path):
    params = inputs["params:benchmarking"]
    table = inputs["benchmark_images"]
    assert confirm_benchmark_images(table, params).equals(table)
    extra = params.benchmarks[0].model_copy(update={"name": "new", "root": str(tmp_path / "new")})
    wider = params.model_copy(update={"benchmarks": [*params.benchmarks, extra]})
    with pytest.raises(ValueError, match=r"\('new', 'twitter_agreement'.*re-run filtering"):
        confirm_benchmark_images(table, wider)
    narrower = params.model_copy(update={"benchmarks": []})
    assert confirm_benchmark_images(table, narrower).empty  # fewer benchmarks than guarded: fine
