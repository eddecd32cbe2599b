"""The ingestion slice on a small generated crowd: every item is kept or rejected with a reason."""

from __future__ import annotations

import pytest

from crowd_sentiment.core.rejections import RejectRateError
from crowd_sentiment.datasets import ImageStoreDataset
from crowd_sentiment.params import IngestionParams
from crowd_sentiment.pipelines.ingestion import create_pipeline
from crowd_sentiment.pipelines.ingestion.nodes import parse_tweet_dumps, validate_photos
from crowd_sentiment.sample import SampleSpec, generate_crowd

PARAMS = IngestionParams(languages=None, min_side=32, max_pixels=10_000_000, store_short_side=64, store_quality=85,
                         max_reject_share=0.2)  # fmt: skip


@pytest.fixture(scope="module")
def crowd():
    spec = SampleSpec(seed=11, n_tweets=60, n_benchmark=10, image_size=(96, 80), broken_image_rate=0.05,
                      tiny_image_rate=0.05, mention_only_rate=0.05, malformed_line_rate=0.05, repost_rate=0.1)  # fmt: skip
    return generate_crowd(spec)


@pytest.fixture
def outputs(crowd, run_slice, tmp_path):
    dumps = {"crowd": lambda: "\n".join(crowd.dump_lines)}
    media = {name: (lambda data=data: data) for name, data in crowd.media.items()}
    media["orphan.jpg"] = lambda: b"\xff\xd8 not referenced"
    datasets = {
        "tweet_dumps": dumps,
        "tweet_media": media,
        "params:ingestion": PARAMS,
        "tweet_image_store": ImageStoreDataset(str(tmp_path / "store")),
    }
    return run_slice(create_pipeline(), datasets)


def test_every_tweet_is_kept_or_rejected(crowd, outputs):
    rejected = outputs["rejected_inputs"]
    kept = set(outputs["tweets"]["tweet_id"])
    rejected_tweets = set(rejected.loc[rejected["item_kind"] == "tweet", "item_id"])
    assert kept | rejected_tweets == set(crowd.truth["tweet_id"])
    assert not kept & rejected_tweets
    mention_only = set(crowd.truth.loc[crowd.truth["kind"] == "mention_only", "tweet_id"])
    assert mention_only and mention_only <= set(rejected.loc[rejected["reason"] == "empty_text", "item_id"])


def test_bad_lines_and_images_are_recorded_with_reasons(crowd, outputs):
    reasons = set(outputs["rejected_inputs"]["reason"])
    assert {"malformed_json", "empty_text", "too_small", "tweet_rejected", "unreferenced_media"} <= reasons
    assert reasons & {"undecodable", "empty_file"}
    assert not outputs["rejected_inputs"].duplicated(["item_kind", "item_id"]).any()  # each item once
    malformed = (outputs["rejected_inputs"]["reason"] == "malformed_json").sum()
    assert malformed == len(crowd.dump_lines) - len(crowd.truth)


def test_valid_images_are_stored_once_per_content(crowd, outputs, tmp_path):
    images = outputs["tweet_images"]
    store = ImageStoreDataset(str(tmp_path / "store")).load()
    assert set(images["image_id"]) == set(store.ids())
    assert (images[["width", "height"]].min(axis=1) <= PARAMS.store_short_side).all()
    reposts = crowd.truth[crowd.truth["kind"] == "repost"]
    kept_reposts = images[images["tweet_id"].isin(reposts["tweet_id"])]
    assert len(kept_reposts) > 0
    assert images["image_id"].nunique() < len(images)  # reposted pictures share one id
    broken = crowd.truth.loc[crowd.truth["kind"] == "broken", "tweet_id"]
    assert not images["tweet_id"].isin(broken).any()


def test_an_empty_input_fails_before_anything_is_written():
    with pytest.raises(ValueError, match=r"no tweet kept from 1 dump file.*earlier outputs are unchanged"):
        parse_tweet_dumps({"empty.jsonl": lambda: b""}, PARAMS)


def test_the_reject_rate_guard_counts_tweets_and_pictures_apart_and_names_the_reasons(crowd):
    strict = PARAMS.model_copy(update={"max_reject_share": 0.05})
    with pytest.raises(
        RejectRateError,
        match=r"tweets and dump lines rejected .*> ingestion.max_reject_share=5.0%.*empty_text: ",
    ):
        parse_tweet_dumps({"crowd": lambda: "\n".join(crowd.dump_lines)}, strict)
    tweets, photos, _ = parse_tweet_dumps({"crowd": lambda: "\n".join(crowd.dump_lines)}, PARAMS)
    media = {name: (lambda data=data: data) for name, data in crowd.media.items()}
    with pytest.raises(RejectRateError, match=r"referenced pictures rejected .*too_small: "):
        validate_photos(photos, media, strict)
    validate_photos(photos, media, PARAMS.model_copy(update={"max_reject_share": 0.2}))
