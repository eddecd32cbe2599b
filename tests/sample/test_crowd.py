"""Tests for the synthetic crowd dump, media files and benchmark."""

import hashlib
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageFile
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.sample import KINDS, SampleSpec, generate_benchmark, generate_crowd

SPEC = SampleSpec(seed=3, n_tweets=300, n_benchmark=200)
TINY_SPEC = SampleSpec(seed=5, n_tweets=40, n_benchmark=10)


@pytest.fixture(scope="module")
def crowd():
    return generate_crowd(SPEC)


@pytest.fixture(scope="module")
def benchmark():
    return generate_benchmark(SPEC)


def _parse(lines):
    """(valid tweet objects, number of malformed lines)."""
    valid, bad = [], 0
    for line in lines:
        try:
            valid.append(json.loads(line))
        except json.JSONDecodeError:
            bad += 1
    return valid, bad


def _decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception:
        return False
    return True


@pytest.fixture(autouse=True)
def _strict_pillow(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)


def test_generation_is_deterministic_and_seeded():
    a, b = generate_crowd(TINY_SPEC), generate_crowd(TINY_SPEC)
    assert a.dump_lines == b.dump_lines and a.media == b.media
    pd.testing.assert_frame_equal(a.truth, b.truth)
    c, d = generate_benchmark(TINY_SPEC), generate_benchmark(TINY_SPEC)
    assert c.images == d.images and c.ground_truth == d.ground_truth
    pd.testing.assert_frame_equal(c.votes, d.votes)
    other = generate_crowd(SampleSpec(seed=6, n_tweets=40, n_benchmark=10))
    assert set(other.media.values()).isdisjoint(a.media.values())


def test_crowd_and_benchmark_are_disjoint(crowd, benchmark):
    crowd_hashes = {hashlib.sha256(b).hexdigest() for b in crowd.media.values()}
    bench_hashes = {hashlib.sha256(b).hexdigest() for b in benchmark.images.values()}
    assert crowd_hashes.isdisjoint(bench_hashes)
    bench_ids = {name.split("_")[1] for name in benchmark.images}
    assert bench_ids.isdisjoint(crowd.truth["tweet_id"])


def test_dump_lines_have_the_v2_shape(crowd):
    tweets, bad = _parse(crowd.dump_lines)
    assert len(tweets) == SPEC.n_tweets
    assert bad == round(SPEC.malformed_line_rate * SPEC.n_tweets) > 0
    ids = [t["data"]["id"] for t in tweets]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"1\d{18}", i) for i in ids)
    assert ids == crowd.truth["tweet_id"].tolist()
    for tweet in tweets:
        data, (media,) = tweet["data"], tweet["includes"]["media"]
        assert set(data) == {"id", "text", "lang", "created_at", "author_id", "attachments"}
        assert re.fullmatch(r"2022-0[456]-\d\dT\d\d:\d\d:\d\d\.000Z", data["created_at"])
        assert data["attachments"]["media_keys"] == [media["media_key"]]
        assert media["type"] == "photo" and media["media_key"].startswith("3_")
        assert media["url"].startswith("https://pbs.twimg.com/media/")
        ext = media["url"].rsplit(".", 1)[1]
        assert f"{media['media_key']}.{ext}" in crowd.media
    assert {t["data"]["lang"] for t in tweets} >= {"en", "und", "es", "it", "fr", "pt"}


def test_truth_counts_match_the_spec(crowd):
    truth = crowd.truth
    assert list(truth.columns[:5]) == ["tweet_id", "text_sentiment", "image_sentiment", "media_file", "kind"]
    assert truth["kind"].value_counts().to_dict() == {k: v for k, v in SPEC.kind_counts().items() if v}
    assert set(truth["kind"]) == set(KINDS)
    assert sorted(truth["media_file"]) == sorted(crowd.media)
    foreign = truth["lang"].isin(["es", "it", "fr", "pt"]).mean()
    assert abs(foreign - SPEC.non_english_rate) < 0.04
    assert truth["text_sentiment"].isin(SENTIMENTS).all()
    assert truth["image_sentiment"].isin(SENTIMENTS).all()


def test_text_image_agreement_close_to_spec(crowd):
    truth = crowd.truth[crowd.truth["kind"] != "mention_only"]
    agreement = (truth["text_sentiment"] == truth["image_sentiment"]).mean()
    assert abs(agreement - SPEC.agreement) < 0.08


def test_broken_files_fail_and_others_decode(crowd):
    truth = crowd.truth.set_index("media_file")
    for name, data in crowd.media.items():
        kind = truth.loc[name, "kind"]
        assert _decodes(data) == (kind != "broken"), (name, kind)
        if kind == "broken":
            continue
        with Image.open(io.BytesIO(data)) as image:
            side = min(image.size)
        assert (side <= 32) == (kind == "tiny")


def test_reposts_copy_bytes_and_near_duplicates_alter_them(crowd):
    truth = crowd.truth
    by_id = truth.set_index("tweet_id")
    for row in truth[truth["kind"].isin(["repost", "near_duplicate"])].itertuples():
        source = by_id.loc[row.source_tweet_id]
        assert int(row.source_tweet_id) < int(row.tweet_id)
        assert row.image_sentiment == source.image_sentiment
        same = crowd.media[row.media_file] == crowd.media[source.media_file]
        assert same == (row.kind == "repost")
    texts = {t["data"]["id"]: t["data"]["text"] for t in _parse(crowd.dump_lines)[0]}
    reposts = truth.loc[truth["kind"] == "repost", "tweet_id"]
    assert all(texts[i].startswith("RT @") for i in reposts)


def test_vader_reads_most_english_texts(crowd):
    tweets, _ = _parse(crowd.dump_lines)
    text = {t["data"]["id"]: t["data"]["text"] for t in tweets}
    truth = crowd.truth[(crowd.truth["lang"] == "en") & (crowd.truth["kind"] != "mention_only")]
    vader = SentimentIntensityAnalyzer()
    compound = truth["tweet_id"].map(lambda i: vader.polarity_scores(text[i])["compound"])
    polar = truth["text_sentiment"] != "neutral"
    sign_ok = np.sign(compound[polar]) == truth.loc[polar, "text_sentiment"].map(
        {"negative": -1, "positive": 1}
    )
    assert sign_ok.mean() >= 0.7
    assert (compound[~polar].abs() < 0.05).mean() >= 0.7


def test_benchmark_votes_and_subsets(benchmark):
    votes = benchmark.votes
    annotators = [f"annotator_{i}" for i in range(1, 6)]
    assert list(votes.columns) == ["file", *annotators, "label", "agreement"]
    assert len(votes) == SPEC.n_benchmark == len(benchmark.images)
    assert sorted(votes["file"]) == sorted(benchmark.images)
    assert all(re.fullmatch(r"u\d+_1\d{17,18}_[12]\.jpg", f) for f in votes["file"])
    positives = votes[annotators].sum(axis=1)
    assert (votes["label"] == (positives >= 3).astype(int)).all()
    assert (votes["agreement"] == np.maximum(positives, 5 - positives)).all()
    five = (votes["agreement"] == 5).mean()
    four = (votes["agreement"] >= 4).mean()
    assert 0.55 <= five <= 0.8 and 0.8 <= four <= 0.95
    clarity = benchmark.truth.set_index("file")["clarity"]
    mean_clarity = votes.assign(clarity=votes["file"].map(clarity)).groupby("agreement")["clarity"].mean()
    assert mean_clarity[3] < mean_clarity[4] < mean_clarity[5]  # ambiguous pictures are less clear
    assert 0.5 <= (benchmark.truth["visual_sentiment"] == "positive").mean() <= 0.8
    for name, data in list(benchmark.images.items())[:20]:
        assert _decodes(data), name


def test_ground_truth_files_match_votes_and_nest(benchmark):
    label = dict(zip(benchmark.votes["file"], benchmark.votes["label"]))
    subsets = {}
    for name in ("five", "four", "three"):
        lines = benchmark.ground_truth[f"twitter_{name}_agrees.txt"].splitlines()
        pairs = [line.split(" ") for line in lines]
        assert all(label[f] == int(v) and v in ("0", "1") for f, v in pairs)
        subsets[name] = {f for f, _ in pairs}
    assert subsets["five"] <= subsets["four"] <= subsets["three"] == set(label)
    agreement = dict(zip(benchmark.votes["file"], benchmark.votes["agreement"]))
    assert subsets["five"] == {f for f, a in agreement.items() if a == 5}
    assert subsets["four"] == {f for f, a in agreement.items() if a >= 4}
