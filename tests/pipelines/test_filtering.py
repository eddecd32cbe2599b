"""The filtering slice: fingerprints, confident labels, pooled duplicates, leakage-free split."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from kedro_datasets.pandas import ParquetDataset
from PIL import Image

from crowd_sentiment.core.images import ImageStore, content_id
from crowd_sentiment.params import BenchmarkingParams, FilteringParams
from crowd_sentiment.pipelines.filtering import create_pipeline

PARAMS = FilteringParams.model_validate({
    "min_confidence": {"negative": 0.7, "neutral": 0.9, "positive": 0.9},
    "max_hamming": 4,
    "drop_near_duplicates": True,
    "balance": "none",
    "validation_fraction": 0.25,
    "seed": 1,
})


def _picture(seed: int, size: int = 64) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).resize(
        (size, size), Image.Resampling.NEAREST
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _scene(tmp_path):
    """24 distinct pictures, plus a near-duplicate (re-encoded) copy of picture 0."""
    store = ImageStore(tmp_path / "store")
    rows, sentiment = [], []
    confident = [(0.9, 0.05, 0.05), (0.02, 0.96, 0.02), (0.03, 0.02, 0.95)]
    for i in range(24):
        data = _jpeg(_picture(i), 95)
        rows.append((content_id(data), f"t{i}", data))
        sentiment.append((f"t{i}", *confident[i % 3]))
    copy = _jpeg(_picture(0), 60)
    rows.append((content_id(copy), "t_copy", copy))
    sentiment.append(("t_copy", 0.5, 0.0, 0.5))
    sentiment[5] = ("t5", 0.4, 0.3, 0.3)  # below every threshold
    images = []
    for image_id, tweet_id, data in rows:
        store.put(image_id, data)
        images.append((image_id, tweet_id, ImageStore.relative_path(image_id), 64, 64))
    tweet_images = pd.DataFrame(images, columns=["image_id", "tweet_id", "path", "width", "height"])
    tweet_sentiment = pd.DataFrame(sentiment, columns=["tweet_id", "p_negative", "p_neutral", "p_positive"])
    return store, tweet_images, tweet_sentiment


def _benchmark(root):
    """A Twitter I layout holding a re-encoded copy of crowd picture 7 and an unrelated picture."""
    (root / "images").mkdir(parents=True)
    (root / "ground_truth").mkdir()
    _picture(7).save(root / "images" / "u_1_1.jpg", quality=70)
    _picture(1000).save(root / "images" / "u_2_1.jpg")
    for word in ("five", "four", "three"):
        (root / "ground_truth" / f"twitter_{word}_agrees.txt").write_text("u_1_1.jpg 1\nu_2_1.jpg 0\n")
    return BenchmarkingParams(benchmarks=[{"name": "bench", "layout": "twitter_agreement", "root": str(root)}])


def test_manifest_is_confident_deduplicated_and_leakage_free(run_slice, tmp_path):
    store, tweet_images, tweet_sentiment = _scene(tmp_path)
    inputs = {
        "tweet_images": tweet_images,
        "tweet_sentiment": tweet_sentiment,
        "tweet_image_store": store,
        "params:filtering": PARAMS,
        "params:benchmarking": _benchmark(tmp_path / "bench"),
        "benchmark_images": ParquetDataset(filepath=str(tmp_path / "benchmark_images.parquet")),
    }
    out = run_slice(create_pipeline(), inputs)
    manifest, funnel = out["distillation_manifest"], out["filtering_funnel"]
    benchmark = inputs["benchmark_images"].load()
    assert list(benchmark["image"]) == ["u_1_1.jpg", "u_2_1.jpg"] * 3 and set(benchmark["n_classes"]) == {2}
    assert benchmark["dhash"].str.fullmatch("[0-9a-f]{16}").all() and benchmark["image_id"].nunique() == 2
    assert funnel["distinct_images"] == 25 and funnel["after_removing_benchmark_duplicates"] == 24
    assert funnel["after_near_duplicates"] == 23
    held_out = tweet_images.loc[tweet_images["tweet_id"] == "t7", "image_id"].item()
    assert held_out not in set(manifest["image_id"])  # a benchmark picture's copy never trains
    assert funnel["above_threshold"] == 22 == len(manifest)  # t5 is below its threshold
    original = tweet_images.loc[tweet_images["tweet_id"] == "t0", "image_id"].item()
    pooled = manifest.loc[manifest["cluster_id"] == original]
    assert len(pooled) == 1 and pooled["n_tweets"].item() == 2
    np.testing.assert_allclose(
        pooled[["p_negative", "p_neutral", "p_positive"]].to_numpy(), [[0.7, 0.025, 0.275]]
    )
    assert manifest.groupby("cluster_id")["split"].nunique().max() == 1
    assert set(manifest.loc[manifest["split"] == "validation", "label"]) == {
        "negative",
        "neutral",
        "positive",
    }
    assert (manifest["confidence"] >= 0.7).all()
