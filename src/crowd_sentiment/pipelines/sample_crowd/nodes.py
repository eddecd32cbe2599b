"""Nodes writing the embedded sample: a crowd dump with media, and a labelled benchmark."""

from __future__ import annotations

import logging

import pandas as pd

from crowd_sentiment.sample import SampleSpec, generate_benchmark, generate_crowd

log = logging.getLogger(__name__)
DUMP_NAME = "sample_crowd.jsonl"  # the file name in tweet_dumps (read as bytes, format detected)


def generate_sample_crowd(params: SampleSpec) -> tuple[dict[str, str], dict[str, bytes], pd.DataFrame]:
    """Tweet dump (one JSON-lines partition), media files by name, latent truth table."""
    crowd = generate_crowd(params)
    log.info("sample crowd: %d dump lines, %d media files", len(crowd.dump_lines), len(crowd.media))
    return {DUMP_NAME: "\n".join(crowd.dump_lines) + "\n"}, crowd.media, crowd.truth


def generate_sample_benchmark(params: SampleSpec) -> tuple[dict[str, bytes], dict[str, str], pd.DataFrame]:
    """Benchmark images, ground-truth files (Twitter I layout), annotator votes."""
    benchmark = generate_benchmark(params)
    log.info("sample benchmark: %d images", len(benchmark.images))
    return benchmark.images, benchmark.ground_truth, benchmark.votes
