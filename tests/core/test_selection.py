"""Tests for image targets, duplicate pooling, confident labels and the grouped split."""

import numpy as np
import pandas as pd
import pytest

from crowd_sentiment.core.selection import (
    FilteringSettings,
    build_manifest,
    confident_labels,
    grouped_stratified_split,
    image_targets,
    pool_near_duplicates,
    split_groups,
    undersample_to_minority,
)

PROBS = ["p_negative", "p_neutral", "p_positive"]


def _sentiment(rows):
    return pd.DataFrame(rows, columns=["tweet_id", *PROBS])


def test_image_targets_average_over_the_tweets_that_posted_an_image():
    tweet_images = pd.DataFrame(
        {
            "image_id": ["b", "a", "a", "c"],
            "tweet_id": ["t3", "t1", "t2", "t9"],
            "path": ["b.jpg", "a.jpg", "a.jpg", "c.jpg"],
            "width": [20, 10, 10, 5],
            "height": [20, 10, 10, 5],
        }
    )
    sentiment = _sentiment(
        [("t1", 0.8, 0.1, 0.1), ("t2", 0.2, 0.1, 0.7), ("t3", 0.1, 0.8, 0.1), ("t9", None, None, None)]
    )
    targets = image_targets(tweet_images, sentiment)  # the teacher abstained on t9: image c is dropped
    assert list(targets.columns) == ["image_id", "path", "width", "height", "n_tweets", *PROBS]
    assert targets["image_id"].tolist() == ["a", "b"]
    assert targets["n_tweets"].tolist() == [2, 1]
    np.testing.assert_allclose(targets[PROBS].to_numpy(), [[0.5, 0.1, 0.4], [0.1, 0.8, 0.1]])
    assert targets[["path", "width"]].values.tolist() == [["a.jpg", 10], ["b.jpg", 20]]


def _targets():
    return pd.DataFrame(
        {
            "image_id": ["a", "b", "c", "d"],
            "path": ["a.jpg", "b.jpg", "c.jpg", "d.jpg"],
            "width": [10, 30, 50, 8],
            "height": [10, 20, 50, 8],
            "n_tweets": [1, 3, 2, 1],
            "p_negative": [0.8, 0.0, 0.1, 0.3],
            "p_neutral": [0.2, 0.2, 0.1, 0.3],
            "p_positive": [0.0, 0.8, 0.8, 0.4],
        }
    )


def test_pool_keeps_the_largest_image_with_tweet_weighted_probabilities():
    clusters = pd.Series({"a": 0, "b": 0, "c": 2, "d": 0})
    pooled = pool_near_duplicates(_targets(), clusters).set_index("cluster_id")
    assert pooled["image_id"].to_dict() == {0: "b", 2: "c"}  # b: 600 px beats a and d
    assert pooled["n_tweets"].to_dict() == {0: 5, 2: 2}
    np.testing.assert_allclose(pooled.loc[0, PROBS].to_numpy(float), [(0.8 + 0.3) / 5, 1.1 / 5, 2.8 / 5])
    np.testing.assert_allclose(pooled.loc[2, PROBS].to_numpy(float), [0.1, 0.1, 0.8])
    assert pooled.loc[0, "path"] == "b.jpg"


def test_pool_with_singleton_clusters_is_the_identity():
    targets = _targets()
    pooled = pool_near_duplicates(targets, pd.Series({i: k for k, i in enumerate("abcd")}))
    pd.testing.assert_frame_equal(pooled.drop(columns="cluster_id"), targets, check_dtype=False)


def test_pool_raises_on_an_image_without_cluster():
    with pytest.raises(ValueError, match="without a fingerprint cluster.*'d'"):
        pool_near_duplicates(_targets(), pd.Series({"a": 0, "b": 0, "c": 2}))


def test_confident_labels_use_the_threshold_of_the_argmax_class():
    probs = np.array(
        [[0.72, 0.2, 0.08], [0.1, 0.85, 0.05], [0.02, 0.03, 0.95], [0.05, 0.05, 0.9], [0.6, 0.3, 0.1]]
    )
    labels, keep = confident_labels(probs, {"negative": 0.7, "neutral": 0.9, "positive": 0.9})
    assert labels.tolist() == [0, 1, 2, 2, 0]
    assert keep.tolist() == [True, False, True, True, False]


def _split_problem(seed=0):
    rng = np.random.default_rng(seed)
    group_labels = rng.choice(3, size=90, p=[0.5, 0.3, 0.2])
    groups = rng.integers(0, 90, size=400)
    groups[:90] = np.arange(90)  # every group has an item
    return group_labels[groups], groups


def test_grouped_split_is_seeded_and_keeps_groups_whole():
    labels, groups = _split_problem()
    split = grouped_stratified_split(labels, groups, validation_fraction=0.2, seed=7)
    assert set(split) == {"train", "validation"} and len(split) == len(labels)
    assert np.array_equal(split, grouped_stratified_split(labels, groups, validation_fraction=0.2, seed=7))
    assert not np.array_equal(
        split, grouped_stratified_split(labels, groups, validation_fraction=0.2, seed=8)
    )
    frame = pd.DataFrame({"group": groups, "split": split, "label": labels})
    assert (frame.groupby("group")["split"].nunique() == 1).all()
    per_label = (
        frame.drop_duplicates("group")
        .groupby("label")["split"]
        .agg(lambda s: (s == "validation").sum() / len(s))
    )
    assert per_label.between(0.1, 0.3).all()


def test_grouped_split_sends_one_group_of_each_label_to_validation():
    labels = np.array([0, 0, 1, 1, 2, 2, 2])
    groups = np.array(["a", "b", "c", "d", "e", "e", "f"])
    split = grouped_stratified_split(labels, groups, validation_fraction=0.01, seed=0)
    validation = set(groups[split == "validation"])
    assert len(validation & {"a", "b"}) == 1 and len(validation & {"c", "d"}) == 1
    assert len(validation & {"e", "f"}) == 1
    # a label with one group: round(0.3 · 1) = 0 groups to validation; with two, one of them
    single = grouped_stratified_split(
        np.array([0, 1, 1]), np.array([1, 2, 3]), validation_fraction=0.3, seed=0
    )
    assert single[0] == "train" and sorted(single[1:].tolist()) == ["train", "validation"]


def test_group_label_is_its_most_frequent_label():
    labels = np.array([2, 2, 0] + [0, 0] * 3)
    groups = np.array([0, 0, 0, 1, 1, 2, 2, 3, 3])  # group 0 is the only "positive" group
    for seed in range(10):  # round(0.6 · 1) = 1: the lone positive group always goes to validation
        split = grouped_stratified_split(labels, groups, validation_fraction=0.6, seed=seed)
        assert set(split[:3]) == {"validation"}
        assert (split[3:] == "validation").sum() == 4  # round(0.6 · 3) = 2 of the 3 negative groups


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5])
def test_grouped_split_rejects_a_bad_fraction(fraction):
    with pytest.raises(ValueError, match="validation_fraction"):
        grouped_stratified_split(np.array([0, 1]), np.array([0, 1]), validation_fraction=fraction, seed=0)


def test_undersample_to_minority():
    labels = np.array([0] * 10 + [1] * 3 + [2] * 6)
    keep = undersample_to_minority(labels, seed=1)
    assert np.bincount(labels[keep]).tolist() == [3, 3, 3]
    assert np.array_equal(keep, undersample_to_minority(labels, seed=1))
    assert keep[10:13].all()  # the minority class is kept whole
    assert undersample_to_minority(np.array([2, 2, 0]), seed=0).sum() == 2


def test_presets_resolve_and_bad_settings_name_the_value():
    assert FilteringSettings().thresholds == {"negative": 0.7, "neutral": 0.9, "positive": 0.9}
    assert set(FilteringSettings(min_confidence="argmax").thresholds.values()) == {0}
    learned = FilteringSettings(min_confidence="learned").thresholds
    assert learned == {"negative": 0.54, "neutral": 0.34, "positive": 0.34}
    custom = {"negative": 0.5, "neutral": 0.6, "positive": 0.7}
    assert FilteringSettings(min_confidence=custom).thresholds == custom
    with pytest.raises(ValueError, match="neutral"):
        FilteringSettings(min_confidence={"negative": 0.5, "positive": 0.5})
    with pytest.raises(ValueError, match="test_fraction"):
        FilteringSettings(validation_fraction=0.5, test_fraction=0.5)


def test_grouped_split_with_a_test_share_keeps_groups_whole_and_train_nonempty():
    labels, groups = _split_problem(1)
    split = grouped_stratified_split(labels, groups, validation_fraction=0.2, test_fraction=0.1, seed=3)
    frame = pd.DataFrame({"group": groups, "split": split, "label": labels})
    assert set(split) == {"train", "validation", "test"}
    assert (frame.groupby("group")["split"].nunique() == 1).all()
    assert (frame.groupby("label")["split"].agg(lambda s: (s == "train").sum()) > 0).all()
    two_split = grouped_stratified_split(labels, groups, validation_fraction=0.2, seed=3)
    assert np.array_equal(split == "validation", two_split == "validation")  # test comes after validation


def test_split_groups_join_clusters_that_share_a_tweet():
    tweet_images = pd.DataFrame(
        {"image_id": ["a", "b", "c", "d", "e"], "tweet_id": ["t1", "t1", "t2", "t3", "t3"]}
    )
    clusters = pd.Series({"a": "a", "b": "b", "c": "c", "d": "d", "e": "c"})
    groups = split_groups(["b", "a", "c", "d"], tweet_images, clusters)  # t3 joins clusters d and c
    assert groups.tolist() == ["a", "a", "c", "c"]


def _crowd():
    rng = np.random.default_rng(0)
    n = 60
    ids = [f"{k:04x}" for k in range(n)]
    tweet_images = pd.DataFrame(
        {"image_id": ids + ids[:10], "tweet_id": [f"t{k}" for k in range(n)] + [f"t{k + 30}" for k in range(10)],
         "path": ids + ids[:10], "width": 10, "height": 10}
    )  # fmt: skip
    probs = rng.dirichlet([0.3, 0.3, 0.3], n)
    sentiment = pd.DataFrame(probs, columns=PROBS).assign(tweet_id=[f"t{k}" for k in range(n)])
    hashes = rng.integers(0, 2**63, n)
    hashes[5] = hashes[4] ^ 1  # a near-duplicate pair
    fingerprints = pd.DataFrame(
        {"image_id": ids, "dhash": [f"{h:016x}" for h in hashes], "cluster_id": ids[:5] + [ids[4]] + ids[6:]}
    )
    return tweet_images, sentiment, fingerprints, [int(hashes[7]) ^ 3]


def test_manifest_is_identical_on_every_run_with_the_same_seed_and_leakage_free():
    tweet_images, sentiment, fingerprints, held_out = _crowd()
    settings = FilteringSettings(min_confidence="argmax", test_fraction=0.2)
    inputs = (tweet_images, sentiment, fingerprints, held_out, settings)
    first, summary, table = build_manifest(*inputs, guarded_against=["b", "a"], held_out_ids=["0009"])
    again, _, _ = build_manifest(*inputs, guarded_against=["b", "a"], held_out_ids=["0009"])
    pd.testing.assert_frame_equal(first, again)
    assert not {"0007", "0009"} & set(first["image_id"])  # by hash, by embedding
    assert summary["benchmark_duplicates"] == {"by_hash": 1, "by_embedding": 1}
    assert summary["guarded_against"] == ["a", "b"] and set(first["guarded_against"]) == {"a,b"}
    occurrences = tweet_images.merge(first[["image_id", "split"]], on="image_id")
    assert (occurrences.groupby("tweet_id")["split"].nunique() == 1).all()
    assert (first.groupby("cluster_id")["split"].nunique() == 1).all()
    assert table["step"].tolist()[-3:] == ["train", "validation", "test"]
    assert table.iloc[-3:]["total"].sum() == len(first) == 57  # 60 - 2 held out - 1 pooled
