"""Nodes selecting confident, de-duplicated images and splitting them without leakage."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from crowd_sentiment.core.benchmarks import THREE_CLASS_LAYOUTS, load_benchmark
from crowd_sentiment.core.dedup import dhash_file
from crowd_sentiment.core.embedding_search import backbone_features, cosine_matches
from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.funnel import funnel_figure, funnel_metrics
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.images import ImageStore, content_id
from crowd_sentiment.core.near_duplicates import linked_pairs, union_find
from crowd_sentiment.core.selection import build_manifest, provenance, with_provenance
from crowd_sentiment.core.settings_selection import dev_slice_held_out
from crowd_sentiment.params import BenchmarkingParams, DistillationParams, FilteringParams
from crowd_sentiment.tracking import MetricSeries, single_values

log = logging.getLogger(__name__)


def _embedding_pairs(
    crowd: ImageSet,
    benchmark: ImageSet,
    cache: FeatureCache,
    spec_params: DistillationParams,
    params: FilteringParams,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Cosine near-duplicate pairs among crowd pictures, and a mask of crowd pictures near a benchmark picture."""
    settings = params.embedding
    both = ImageSet.of(crowd.ids + benchmark.ids, crowd.paths + benchmark.paths)  # one backbone build
    embedded = backbone_features(spec_params.student, both, cache, batch_size=settings.batch_size)
    features, held = embedded[: len(crowd)], embedded[len(crowd) :]
    pairs = cosine_matches(features, features, min_cosine=settings.min_cosine, neighbours=settings.neighbours,
                           self_join=True)  # fmt: skip
    near_benchmark = np.zeros(len(crowd), dtype=bool)
    if len(benchmark):
        near_benchmark[cosine_matches(features, held, min_cosine=settings.min_cosine, neighbours=1)[0]] = True
    return pairs, near_benchmark


def fingerprint_images(
    tweet_images: pd.DataFrame,
    tweet_image_store: ImageStore,
    benchmark_images: pd.DataFrame,
    image_feature_cache: FeatureCache,
    distillation: DistillationParams,
    params: FilteringParams,
) -> pd.DataFrame:
    """Per distinct image: 64-bit dHash (hex), near-duplicate ``cluster_id`` (an image id) and
    ``near_benchmark_embedding`` (cosine match of a benchmark picture; always false when the
    embedding search is off). Clusters join dHash pairs and, when enabled, embedding pairs."""
    ids = sorted(tweet_images["image_id"].unique())
    hashes = np.array([dhash_file(tweet_image_store.path(i)) for i in ids], dtype=np.uint64)
    i, j = linked_pairs(hashes, params.max_hamming)
    near_benchmark = np.zeros(len(ids), dtype=bool)
    if params.embedding.enabled:
        crowd = ImageSet.of(ids, [tweet_image_store.path(k) for k in ids])
        distinct = benchmark_images.drop_duplicates("image_id")
        benchmark = ImageSet.of(distinct["image_id"].tolist(), distinct["path"].tolist())
        (ei, ej), near_benchmark = _embedding_pairs(
            crowd, benchmark, image_feature_cache, distillation, params
        )
        log.info(
            "embedding search: %d pairs, %d pictures near a benchmark picture", len(ei), near_benchmark.sum()
        )
        i, j = np.r_[i, ei], np.r_[j, ej]
    labels = union_find(len(ids), i, j)
    clusters = np.asarray(ids, dtype=object)[labels]
    log.info(
        "%d images in %d near-duplicate clusters (max_hamming=%d)",
        len(ids),
        len(set(labels)),
        params.max_hamming,
    )
    return pd.DataFrame(
        {"image_id": ids, "dhash": [f"{int(h):016x}" for h in hashes], "cluster_id": clusters,
         "near_benchmark_embedding": near_benchmark}
    )  # fmt: skip


def load_benchmark_images(params: BenchmarkingParams) -> pd.DataFrame:
    """Every configured benchmark picture, read once for both uses: the leakage guard here and benchmarking.

    Rows ``benchmark, subset, image, path, label, layout, root, n_classes, image_id, dhash``:
    ``n_classes`` 2 (labels 0 negative, 1 positive) or 3; ``image_id`` the content hash, as
    for crowd pictures; ``dhash`` the 64-bit difference hash (hex).
    """
    frames = [
        load_benchmark(b.layout, b.root, b.name).assign(
            layout=b.layout, root=b.root, n_classes=3 if b.layout in THREE_CLASS_LAYOUTS else 2
        )
        for b in params.benchmarks
    ]
    table = pd.concat(frames, ignore_index=True)
    paths = table["path"].unique()
    table["image_id"] = table["path"].map({p: content_id(Path(p).read_bytes()) for p in paths})
    table["dhash"] = table["path"].map({p: f"{dhash_file(p):016x}" for p in paths})
    log.info("benchmark images: %s", table.groupby(["benchmark", "subset"]).size().to_dict())
    return table


def build_distillation_manifest(
    tweet_images: pd.DataFrame,
    tweet_sentiment: pd.DataFrame,
    image_fingerprints: pd.DataFrame,
    benchmark_images: pd.DataFrame,
    params: FilteringParams,
    benchmarking: BenchmarkingParams,
) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Training manifest (one row per kept image, with ``split``), the funnel summary, and the
    funnel per class as a table (``step, unit, negative, neutral, positive, unlabelled, total``).

    The development slice of ``benchmarking.selection`` (when set) is held out like a benchmark."""
    held_out = [int(h, 16) for h in benchmark_images["dhash"].unique()]
    near = image_fingerprints.get(
        "near_benchmark_embedding", pd.Series(False, index=image_fingerprints.index)
    )
    held_out_ids = image_fingerprints.loc[near.astype(bool), "image_id"].tolist()
    if benchmarking.selection is not None:
        held_out_ids += dev_slice_held_out(tweet_images, image_fingerprints, benchmarking.selection)
    manifest, summary, table = build_manifest(
        tweet_images, tweet_sentiment, image_fingerprints, held_out, params,
        guarded_against=benchmark_images["benchmark"].unique().tolist(), held_out_ids=held_out_ids,
    )  # fmt: skip
    summary["near_duplicate_search"] = {
        "max_hamming": params.max_hamming,
        "embedding_min_cosine": params.embedding.min_cosine if params.embedding.enabled else None,
    }
    upstream = provenance(tweet_images) | provenance(tweet_sentiment)  # what ingestion and labelling ran with
    with_provenance(manifest, **upstream, filtering=params.model_dump(mode="json"), funnel=summary)
    return manifest, summary, table


def draw_filtering_figures(filtering_funnel_table: pd.DataFrame) -> dict[str, Figure]:
    """The funnel as bars: pictures and tweets per class after each step."""
    return {"filtering_funnel": funnel_figure(filtering_funnel_table)}


def track_funnel(filtering_funnel_table: pd.DataFrame) -> MetricSeries:
    """The funnel counts as MLflow series ``funnel.<unit>.<step>.<class>`` (one value each)."""
    return single_values(funnel_metrics(filtering_funnel_table))
