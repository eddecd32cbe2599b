"""The filtering slice: fingerprints, confident labels, pooled duplicates, leakage-free split."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from kedro_datasets.pandas import CSVDataset, ParquetDataset
from PIL import Image

from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.images import ImageStore, content_id
from crowd_sentiment.params import BenchmarkingParams, DistillationParams, FilteringParams
from crowd_sentiment.pipelines.filtering import create_pipeline

PARAMS = FilteringParams.model_validate(
    {
        "min_confidence": "paper",
        "max_hamming": 4,
        "drop_near_duplicates": True,
        "balance": "none",
        "validation_fraction": 0.25,
        "seed": 1,
    }
)


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
    """24 distinct pictures, plus a near-duplicate (re-encoded) copy of picture 0; tweet t8 also posts picture 11."""
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
    images.append((rows[11][0], "t8", ImageStore.relative_path(rows[11][0]), 64, 64))
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
    return BenchmarkingParams(
        benchmarks=[{"name": "bench", "layout": "twitter_agreement", "root": str(root)}]
    )


def test_manifest_is_confident_deduplicated_and_leakage_free(run_slice, tmp_path):
    store, tweet_images, tweet_sentiment = _scene(tmp_path)
    inputs = {
        "tweet_images": tweet_images,
        "tweet_sentiment": tweet_sentiment,
        "tweet_image_store": store,
        "params:filtering": PARAMS,
        "params:benchmarking": _benchmark(tmp_path / "bench"),
        "benchmark_images": ParquetDataset(filepath=str(tmp_path / "benchmark_images.parquet")),
        "image_feature_cache": FeatureCache(tmp_path / "cache"),
        "params:distillation": DistillationParams(),
        "filtering_funnel_table": CSVDataset(filepath=str(tmp_path / "funnel.csv")),  # also read by two nodes
    }
    out = run_slice(create_pipeline(), inputs)
    manifest, funnel, table = (
        out["distillation_manifest"],
        out["filtering_funnel"],
        inputs["filtering_funnel_table"].load(),
    )
    assert funnel["guarded_against"] == ["bench"] and set(manifest["guarded_against"]) == {"bench"}
    counts = table.set_index(["step", "unit"])["total"]
    benchmark = inputs["benchmark_images"].load()
    assert list(benchmark["image"]) == ["u_1_1.jpg", "u_2_1.jpg"] * 3 and set(benchmark["n_classes"]) == {2}
    assert benchmark["dhash"].str.fullmatch("[0-9a-f]{16}").all() and benchmark["image_id"].nunique() == 2
    assert counts["ingested", "tweets"] == 25 and counts["confident", "tweets"] == 23  # t5 and t_copy are not
    assert counts["distinct", "pictures"] == 25 and counts["benchmark_guard", "pictures"] == 24
    assert counts["near_duplicates", "pictures"] == 23 and funnel["benchmark_duplicates"]["by_hash"] == 1
    held_out = tweet_images.loc[tweet_images["tweet_id"] == "t7", "image_id"].item()
    assert held_out not in set(manifest["image_id"])  # a benchmark picture's copy never trains
    assert counts["confident", "pictures"] == 22 == len(manifest)  # t5 is below its threshold
    assert counts["train", "pictures"] + counts["validation", "pictures"] == 22
    assert (table[["negative", "neutral", "positive", "unlabelled"]].sum(axis=1) == table["total"]).all()
    assert out["filtering_metrics"]["funnel.pictures.train.total"] == [
        {"step": 0, "value": float(counts["train", "pictures"])}
    ]
    assert out["filtering_figures"]["filtering_funnel"].axes  # a matplotlib figure
    eight, eleven = (
        tweet_images.loc[tweet_images["tweet_id"] == t, "image_id"].iloc[0] for t in ("t8", "t11")
    )
    in_manifest = manifest.set_index("image_id")
    assert (
        in_manifest.loc[eight, "split_group"] == in_manifest.loc[eleven, "split_group"]
    )  # one tweet, one group
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


def test_embedding_search_joins_clusters_and_guards_benchmarks(run_slice, tmp_path, monkeypatch):
    store, tweet_images, tweet_sentiment = _scene(tmp_path)
    ids = {t: i for i, t in zip(tweet_images["image_id"], tweet_images["tweet_id"])}
    bench = _benchmark(tmp_path / "bench")
    twin = {ids["t3"]: ids["t2"]}  # crowd 3 looks like crowd 2 (a flip, say)

    def fake_features(spec, images, cache, *, batch_size):
        unrelated = content_id((tmp_path / "bench" / "images" / "u_2_1.jpg").read_bytes())
        alias = {**twin, unrelated: ids["t4"]}  # the unrelated benchmark picture looks like crowd 4
        return np.stack(
            [np.random.default_rng(int(alias.get(i, i)[:8], 16)).normal(size=32) for i in images.ids]
        )

    monkeypatch.setattr("crowd_sentiment.pipelines.filtering.nodes.backbone_features", fake_features)
    params = PARAMS.model_copy(update={"embedding": PARAMS.embedding.model_copy(update={"enabled": True})})
    out = run_slice(create_pipeline(), {
        "tweet_images": tweet_images, "tweet_sentiment": tweet_sentiment, "tweet_image_store": store,
        "params:filtering": params, "params:benchmarking": bench, "image_feature_cache": FeatureCache(tmp_path / "c"),
        "params:distillation": DistillationParams(),
        "image_fingerprints": ParquetDataset(filepath=str(tmp_path / "fingerprints.parquet")),
    })  # fmt: skip
    fingerprints = pd.read_parquet(tmp_path / "fingerprints.parquet").set_index("image_id")
    assert fingerprints.loc[ids["t3"], "cluster_id"] == fingerprints.loc[ids["t2"], "cluster_id"]
    assert (
        fingerprints["near_benchmark_embedding"].sum() == 1
        and fingerprints.loc[ids["t4"], "near_benchmark_embedding"]
    )
    assert out["filtering_funnel"]["benchmark_duplicates"] == {"by_hash": 1, "by_embedding": 1}
    assert ids["t4"] not in set(out["distillation_manifest"]["image_id"])


def test_the_manifest_records_the_settings_that_made_it(run_slice, tmp_path):
    from crowd_sentiment.core.selection import provenance, with_provenance
    from crowd_sentiment.hooks import recorded_params

    store, tweet_images, tweet_sentiment = _scene(tmp_path)
    with_provenance(tweet_images, ingestion={"store_short_side": 256, "languages": None})
    with_provenance(tweet_sentiment, teacher_labeling={"teacher": "vader", "hf": {"model": "m"}},
                    teacher={"main.teacher": "vader", "main.version": "3.3.2"})  # fmt: skip
    manifest_file = ParquetDataset(filepath=str(tmp_path / "manifest.parquet"))
    run_slice(create_pipeline(), {
        "tweet_images": tweet_images, "tweet_sentiment": tweet_sentiment, "tweet_image_store": store,
        "params:filtering": PARAMS, "params:benchmarking": _benchmark(tmp_path / "bench"),
        "image_feature_cache": FeatureCache(tmp_path / "cache"), "params:distillation": DistillationParams(),
        "distillation_manifest": manifest_file,
    })  # fmt: skip
    recorded = provenance(manifest_file.load())  # read back from the parquet file itself
    assert recorded["filtering"] == PARAMS.model_dump(mode="json") and recorded["ingestion"]["store_short_side"] == 256
    assert recorded["funnel"]["thresholds"]["negative"] == 0.7 and recorded["funnel"]["guarded_against"] == ["bench"]
    params = recorded_params(recorded)  # the names a full run logs these settings under
    assert params["ingestion.store_short_side"] == 256 and params["ingestion.languages"] is None
    assert params["teacher_labeling.hf.model"] == "m" and params["teacher.main.version"] == "3.3.2"
    assert params["filtering.max_hamming"] == 4 and params["filtering.embedding.enabled"] is False
