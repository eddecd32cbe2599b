"""Tests for the Twitter I benchmark loader and the zero-shot binary protocol."""

import numpy as np
import pytest

from crowd_sentiment.core.benchmarks import (
    BENCHMARK_COLUMNS,
    binary_zero_shot,
    load_benchmark,
    load_twitter_agreement,
)

TRUTH = {
    "five": "a.jpg 1\nb.jpg 0\n",
    "four": "a.jpg 1\nb.jpg 0\n\nc.jpg 1\n",
    "three": "a.jpg 1\nb.jpg 0\nc.jpg 1\nd.jpg 0\n",
}


def _layout(root, truth=TRUTH, images=("a.jpg", "b.jpg", "c.jpg", "d.jpg")):
    (root / "images").mkdir(parents=True)
    for name in images:
        (root / "images" / name).write_bytes(b"jpeg")
    (root / "ground_truth").mkdir()
    for word, text in truth.items():
        (root / "ground_truth" / f"twitter_{word}_agrees.txt").write_text(text)
    return root


def test_subsets_and_labels(tmp_path):
    root = _layout(tmp_path / "twitter1")
    frame = load_benchmark("twitter_agreement", root, "twitter1")
    assert list(frame.columns) == BENCHMARK_COLUMNS
    assert frame.groupby("subset", sort=False).size().to_dict() == {
        "five_agree": 2,
        "four_agree": 3,
        "three_agree": 4,
    }
    three = frame[frame["subset"] == "three_agree"]
    assert three[["image", "label"]].values.tolist() == [
        ["a.jpg", 1],
        ["b.jpg", 0],
        ["c.jpg", 1],
        ["d.jpg", 0],
    ]
    assert set(frame["benchmark"]) == {"twitter1"}
    assert frame["path"].tolist()[0] == str(root / "images" / "a.jpg")


@pytest.mark.parametrize(
    "remove, missing",
    [("images/c.jpg", "images/c.jpg"), ("ground_truth/twitter_four_agrees.txt", "twitter_four_agrees.txt")],
)
def test_missing_file_raises_naming_the_path(tmp_path, remove, missing):
    root = _layout(tmp_path)
    (root / remove).unlink()
    with pytest.raises(FileNotFoundError, match=missing):
        load_twitter_agreement(root, "t1")


def test_missing_images_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"images folder not found: {tmp_path / 'images'}"):
        load_twitter_agreement(tmp_path, "t1")


@pytest.mark.parametrize("bad", ["c.jpg positive", "c.jpg", "c.jpg 1 extra", "c.jpg 2"])
def test_malformed_line_raises_with_file_and_line(tmp_path, bad):
    root = _layout(tmp_path, truth={**TRUTH, "four": f"a.jpg 1\n\n{bad}\n"})
    with pytest.raises(ValueError, match=r"twitter_four_agrees\.txt:3: expected"):
        load_twitter_agreement(root, "t1")


def test_unknown_layout_raises(tmp_path):
    with pytest.raises(ValueError, match="unknown benchmark layout 'flickr'"):
        load_benchmark("flickr", tmp_path, "x")


def test_binary_zero_shot_drops_neutral():
    probs = np.array([[0.2, 0.7, 0.1], [0.1, 0.8, 0.1 + 1e-3], [0.5, 0.0, 0.5], [0.0, 0.1, 0.9]])
    predicted, score = binary_zero_shot(probs)
    assert predicted.tolist() == [0, 1, 0, 1]  # neutral mass ignored; a tie is negative
    assert predicted.dtype == np.int64
    np.testing.assert_allclose(score, [-0.1, 1e-3, 0.0, 0.9])
