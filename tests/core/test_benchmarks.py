"""Tests for the benchmark loaders (one fixture per layout, built in tmp_path)."""

import re
import shutil
from pathlib import Path

import pytest

from crowd_sentiment.core.benchmarks import BENCHMARK_COLUMNS, LOADERS, THREE_CLASS_LAYOUTS, load_benchmark
from crowd_sentiment.core.benchmarks.mvsa import load_mvsa_benchmark
from crowd_sentiment.core.benchmarks.path_class import (
    EMOTION_ROI_EMOTIONS,
    FI_EMOTIONS,
    load_emotion_roi,
    load_fi,
    load_twitter_testing_2,
)
from crowd_sentiment.core.benchmarks.twitter import load_twitter_agreement

TRUTH = {
    "five": "a.jpg 1\nb.jpg 0\n",
    "four": "a.jpg 1\nb.jpg 0\n\nc.jpg 1\n",
    "three": "a.jpg 1\nb.jpg 0\nc.jpg 1\nd.jpg 0\n",
}


def _images(root: Path, relative) -> None:
    for image in relative:
        (root / "images" / image).parent.mkdir(parents=True, exist_ok=True)
        (root / "images" / image).write_bytes(b"jpeg")


def _csv(path: Path, rows, header: str = "path,class") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "".join(f"{p},{c}\n" for p, c in rows))
    return path


def _layout(root, truth=TRUTH, images=("a.jpg", "b.jpg", "c.jpg", "d.jpg")):
    _images(root, images)
    (root / "ground_truth").mkdir()
    for word, text in truth.items():
        (root / "ground_truth" / f"twitter_{word}_agrees.txt").write_text(text)
    return root


TWITTER_II_ROWS = [("t1.jpg", 0), ("images/t2.png", 1), ("t3.jpg", 1)]


def _twitter_ii(root: Path, rows=TWITTER_II_ROWS) -> Path:
    _images(root, ["t1.jpg", "t2.png", "t3.jpg"])
    _csv(root / "twitter_testing_2.csv", rows)
    return root


FI_ROWS = [(f"{emotion}/{emotion}_{n}.jpg", emotion) for n in (1, 2) for emotion in FI_EMOTIONS]


def _fi(root: Path, splits=(1, 2), rows=FI_ROWS) -> Path:
    _images(root, [p for p, _ in FI_ROWS])
    _csv(root / "FI_complete.csv", rows)
    for k in splits:
        for part, chosen in (("train", FI_ROWS[:8]), ("val", FI_ROWS[8:12]), ("test", FI_ROWS[12 - k :])):
            _csv(root / f"split_{k}" / f"FI_{part}.csv", chosen)
    return root


ROI_TEST = [("joy/1.jpg", "joy"), ("anger/1.jpg", "anger"), ("surprise/2.jpg", "surprise")]
ROI_TRAIN = [
    ("fear/1.jpg", "fear"),
    ("joy/1.jpg", "joy"),
    ("sadness/3.jpg", "sadness"),
    ("disgust/1.jpg", "disgust"),
]


def _roi(root: Path, test_name: str = "test.csv", train=ROI_TRAIN) -> Path:
    _images(root, {p for p, _ in ROI_TEST + ROI_TRAIN})
    _csv(root / test_name, ROI_TEST)
    if train:
        _csv(root / "train.csv", train)
    return root


MVSA_ROWS = {"10": "positive,neutral,positive", "11": "negative,negative,", "12": "neutral,positive,negative"}
MVSA_HEADER = "guid,image_label,text_label,joint_label"


def _mvsa(root: Path, rows=MVSA_ROWS) -> Path:
    (root / "data").mkdir(parents=True)
    for guid in rows:
        (root / "data" / f"{guid}.jpg").write_bytes(b"jpeg")
    _csv(root / "splits" / "benchmark.csv", list(rows.items()), MVSA_HEADER)
    return root


BUILDERS = {
    "twitter_agreement": _layout,
    "twitter_testing_2": _twitter_ii,
    "fi": _fi,
    "emotion_roi": _roi,
    "mvsa_image": _mvsa,
    "mvsa_joint": _mvsa,
    "mvsa_image_3class": _mvsa,
}


def _subset(frame, subset):
    return frame[frame["subset"] == subset][["image", "label"]].values.tolist()


# --- every layout -------------------------------------------------------------------


def test_every_registered_layout_has_a_fixture():
    assert set(BUILDERS) == set(LOADERS)


@pytest.mark.parametrize("layout", sorted(BUILDERS))
def test_frame_convention(tmp_path, layout, monkeypatch):
    root = BUILDERS[layout](tmp_path / "bench")
    monkeypatch.chdir(tmp_path)
    frame = load_benchmark(layout, "bench", "b")  # a relative root still gives absolute paths
    assert list(frame.columns) == BENCHMARK_COLUMNS
    assert len(frame) > 0 and set(frame["benchmark"]) == {"b"}
    allowed = {0, 1, 2} if layout in THREE_CLASS_LAYOUTS else {0, 1}
    assert str(frame["label"].dtype) == "int64" and set(frame["label"]) <= allowed
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in frame["path"])
    assert all(str(root) in p for p in frame["path"])
    assert not frame.duplicated(["subset", "image"]).any()


@pytest.mark.parametrize("layout", sorted(BUILDERS))
def test_missing_root_raises_naming_it(tmp_path, layout):
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "nowhere")):
        load_benchmark(layout, tmp_path / "nowhere", "b")


def test_unknown_layout_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="unknown benchmark layout 'flickr'") as raised:
        load_benchmark("flickr", tmp_path, "x")
    assert all(layout in str(raised.value) for layout in LOADERS)


# --- Twitter I ----------------------------------------------------------------------


def test_subsets_and_labels(tmp_path):
    root = _layout(tmp_path / "twitter1")
    frame = load_benchmark("twitter_agreement", root, "twitter1")
    assert list(frame.columns) == BENCHMARK_COLUMNS
    assert frame.groupby("subset", sort=False).size().to_dict() == {
        "five_agree": 2,
        "four_agree": 3,
        "three_agree": 4,
    }
    assert _subset(frame, "three_agree") == [["a.jpg", 1], ["b.jpg", 0], ["c.jpg", 1], ["d.jpg", 0]]
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


# --- Twitter Testing Dataset II -----------------------------------------------------


def test_twitter_ii_one_subset_with_or_without_images_prefix(tmp_path):
    root = _twitter_ii(tmp_path)
    frame = load_benchmark("twitter_testing_2", root, "tw2")
    assert set(frame["subset"]) == {"all"}
    assert _subset(frame, "all") == [["t1.jpg", 0], ["t2.png", 1], ["t3.jpg", 1]]
    assert frame["path"].tolist()[1] == str(root / "images" / "t2.png")


@pytest.mark.parametrize("bad", ["2", "positive", "-1"])
def test_twitter_ii_unknown_class_names_value_and_file(tmp_path, bad):
    root = _twitter_ii(tmp_path, rows=[("t1.jpg", 0), ("t2.png", bad)])
    with pytest.raises(ValueError, match=rf"twitter_testing_2\.csv: unknown class value\(s\) \['{bad}'\]"):
        load_twitter_testing_2(root, "tw2")


@pytest.mark.parametrize("remove", ["twitter_testing_2.csv", "images/t3.jpg"])
def test_twitter_ii_missing_file_names_the_path(tmp_path, remove):
    root = _twitter_ii(tmp_path)
    (root / remove).unlink()
    with pytest.raises(FileNotFoundError, match=str(root / remove)):
        load_twitter_testing_2(root, "tw2")


@pytest.mark.parametrize(
    "content, message",
    [("", "empty file"), ("file,label\nt1.jpg,0\n", r"missing column\(s\) \['path', 'class'\]"),
     ("path,class\nt1.jpg,\n", "empty 'path' or 'class' cell"), ("path,class\n", "no rows after the header")],
)  # fmt: skip
def test_twitter_ii_malformed_csv(tmp_path, content, message):
    root = _twitter_ii(tmp_path)
    (root / "twitter_testing_2.csv").write_text(content)
    with pytest.raises(ValueError, match=message):
        load_twitter_testing_2(root, "tw2")


@pytest.mark.parametrize("bad", ["../t1.jpg", "/etc/t1.jpg", "images/../../t1.jpg", "images/"])
def test_paths_outside_the_root_are_rejected(tmp_path, bad):
    root = _twitter_ii(tmp_path, rows=[(bad, 0)])
    with pytest.raises(ValueError, match="unusable image path"):
        load_twitter_testing_2(root, "tw2")


def test_repeated_rows_kept_once_and_conflicts_raise(tmp_path):
    root = _twitter_ii(tmp_path, rows=[("t1.jpg", 0), ("images/t1.jpg", 0), ("t3.jpg", 1)])
    assert load_twitter_testing_2(root, "tw2")["image"].tolist() == ["t1.jpg", "t3.jpg"]
    _csv(root / "twitter_testing_2.csv", [("t1.jpg", 0), ("images/t1.jpg", 1)])
    with pytest.raises(ValueError, match=r"different labels: \['t1.jpg'\]"):
        load_twitter_testing_2(root, "tw2")


# --- FI -----------------------------------------------------------------------------


def test_fi_subsets_and_emotion_polarity(tmp_path):
    root = _fi(tmp_path)
    frame = load_benchmark("fi", root, "fi")
    assert frame.groupby("subset", sort=False).size().to_dict() == {
        "all": 16,
        "split_1_test": 5,
        "split_2_test": 6,
    }
    expected = {"amusement": 1, "awe": 1, "contentment": 1, "excitement": 1}
    everything = _subset(frame, "all")
    assert everything[:8] == [[f"{e}/{e}_1.jpg", expected.get(e, 0)] for e in FI_EMOTIONS]
    assert _subset(frame, "split_1_test") == [[p, FI_EMOTIONS[c]] for p, c in FI_ROWS[11:]]
    assert frame["path"].tolist()[0] == str(root / "images" / "amusement" / "amusement_1.jpg")


def test_fi_without_split_folders_has_only_all(tmp_path):
    frame = load_fi(_fi(tmp_path, splits=()), "fi")
    assert set(frame["subset"]) == {"all"}


def test_fi_split_folders_sorted_numerically(tmp_path):
    frame = load_fi(_fi(tmp_path, splits=(10, 2)), "fi")
    assert frame["subset"].unique().tolist() == ["all", "split_2_test", "split_10_test"]


def test_fi_accepts_images_prefix_case_and_the_authors_numeric_codes(tmp_path):
    rows = [
        ("images/amusement/amusement_1.jpg", "Amusement"),
        ("awe/awe_1.jpg", "2"),
        ("fear/fear_1.jpg", "0"),
    ]
    frame = load_fi(_fi(tmp_path, splits=(), rows=rows), "fi")
    assert _subset(frame, "all") == [
        ["amusement/amusement_1.jpg", 1],
        ["awe/awe_1.jpg", 1],
        ["fear/fear_1.jpg", 0],
    ]


def test_fi_unknown_emotion_names_value_and_file(tmp_path):
    root = _fi(tmp_path, splits=(), rows=[("awe/awe_1.jpg", "awe"), ("awe/awe_2.jpg", "joy")])
    with pytest.raises(ValueError, match=r"FI_complete\.csv: unknown class value\(s\) \['joy'\]"):
        load_fi(root, "fi")


def test_fi_class_contradicting_the_folder_raises(tmp_path):
    root = _fi(tmp_path, splits=(), rows=[("awe/awe_1.jpg", "0")])
    with pytest.raises(ValueError, match=r"contradicts the emotion folder for \['awe/awe_1.jpg'\]"):
        load_fi(root, "fi")


@pytest.mark.parametrize("remove", ["FI_complete.csv", "split_2/FI_test.csv", "images/fear/fear_2.jpg"])
def test_fi_missing_file_names_the_path(tmp_path, remove):
    root = _fi(tmp_path)
    (root / remove).unlink()
    with pytest.raises(FileNotFoundError, match=str(root / remove)):
        load_fi(root, "fi")


# --- EmotionROI ---------------------------------------------------------------------


def test_emotion_roi_test_and_all(tmp_path):
    root = _roi(tmp_path)
    frame = load_benchmark("emotion_roi", root, "roi")
    assert _subset(frame, "test") == [["joy/1.jpg", 1], ["anger/1.jpg", 0], ["surprise/2.jpg", 1]]
    # every root CSV in name order (test.csv, train.csv), joy/1.jpg listed twice and kept once
    assert _subset(frame, "all") == [
        ["joy/1.jpg", 1], ["anger/1.jpg", 0], ["surprise/2.jpg", 1],
        ["fear/1.jpg", 0], ["sadness/3.jpg", 0], ["disgust/1.jpg", 0],
    ]  # fmt: skip
    assert frame["path"].tolist()[1] == str(root / "images" / "anger" / "1.jpg")


def test_emotion_roi_all_omitted_when_no_larger_than_test(tmp_path):
    frame = load_emotion_roi(_roi(tmp_path, train=ROI_TEST[:2]), "roi")
    assert set(frame["subset"]) == {"test"}


def test_emotion_roi_accepts_the_authors_file_names_and_codes(tmp_path):
    root = _roi(
        tmp_path, test_name="emotion_ROI_test.csv", train=[("joy/1.jpg", "1"), ("images/fear/1.jpg", "0")]
    )
    frame = load_emotion_roi(root, "roi")
    assert len(_subset(frame, "test")) == 3
    assert _subset(frame, "all") == _subset(frame, "test") + [["fear/1.jpg", 0]]


def test_emotion_roi_missing_test_split(tmp_path):
    root = _roi(tmp_path)
    (root / "test.csv").unlink()
    with pytest.raises(FileNotFoundError, match=str(root / "test.csv")):
        load_emotion_roi(root, "roi")


def test_emotion_roi_several_test_splits(tmp_path):
    root = _roi(tmp_path)
    _csv(root / "emotion_ROI_test.csv", ROI_TEST)
    with pytest.raises(ValueError, match="several test splits"):
        load_emotion_roi(root, "roi")


def test_emotion_roi_unknown_class_and_conflicts(tmp_path):
    root = _roi(tmp_path, train=[("fear/1.jpg", "amusement")])
    with pytest.raises(ValueError, match=r"train\.csv: unknown class value\(s\) \['amusement'\]"):
        load_emotion_roi(root, "roi")
    _csv(root / "train.csv", [("images/joy/1.jpg", "1")])
    _csv(root / "other.csv", [("joy/1.jpg", "anger")])  # contradicts the folder
    with pytest.raises(ValueError, match=r"other\.csv: class contradicts the emotion folder"):
        load_emotion_roi(root, "roi")


def test_emotion_roi_missing_image(tmp_path):
    root = _roi(tmp_path)
    (root / "images" / "sadness" / "3.jpg").unlink()
    with pytest.raises(FileNotFoundError, match=str(root / "images" / "sadness" / "3.jpg")):
        load_emotion_roi(root, "roi")


def test_emotion_tables_match_the_paper():
    assert {e for e, label in FI_EMOTIONS.items() if label == 1} == {
        "amusement",
        "awe",
        "contentment",
        "excitement",
    }
    assert {e for e, label in FI_EMOTIONS.items() if label == 0} == {"anger", "disgust", "fear", "sadness"}
    assert {e for e, label in EMOTION_ROI_EMOTIONS.items() if label == 1} == {"joy", "surprise"}
    assert {e for e, label in EMOTION_ROI_EMOTIONS.items() if label == 0} == {
        "anger",
        "disgust",
        "fear",
        "sadness",
    }


# --- MVSA ---------------------------------------------------------------------------


def test_mvsa_wrappers(tmp_path):
    root = _mvsa(tmp_path / "mvsa")
    image = load_benchmark("mvsa_image", root, "m")
    assert set(image["subset"]) == {"image_label_binary"}
    assert _subset(image, "image_label_binary") == [["10.jpg", 1], ["11.jpg", 0]]
    joint = load_benchmark("mvsa_joint", root, "m")
    assert _subset(joint, "joint_label_binary") == [["10.jpg", 1], ["12.jpg", 0]]
    three = load_benchmark("mvsa_image_3class", root, "m")
    assert set(three["subset"]) == {"image_label_3class"} and set(three["label"]) <= {0, 1, 2}
    assert len(three) >= len(image)  # neutral pictures are kept


BENCH_ROWS = {
    "10": "positive,neutral,positive",
    "11": "negative,negative,",
    "12": "neutral,positive,neutral",
    "13": "Positive ,positive,negative",
    "14": "negative,neutral,",
}


@pytest.fixture
def bench_root(tmp_path):
    return _mvsa(tmp_path / "mvsa", BENCH_ROWS)


def test_mvsa_benchmark_binary(bench_root):
    frame = load_mvsa_benchmark(bench_root, "mvsa")
    assert list(frame.columns) == BENCHMARK_COLUMNS
    assert frame["image"].tolist() == ["10.jpg", "11.jpg", "13.jpg", "14.jpg"]
    assert frame["label"].tolist() == [1, 0, 1, 0]
    assert str(frame["label"].dtype) == "int64"
    assert set(frame["subset"]) == {"image_label_binary"} and set(frame["benchmark"]) == {"mvsa"}
    assert frame["path"].tolist() == [str(bench_root / "data" / image) for image in frame["image"]]


def test_mvsa_benchmark_three_class_and_empty_labels_dropped(bench_root):
    three = load_mvsa_benchmark(bench_root, "mvsa", classes="three")
    assert three["label"].tolist() == [2, 0, 1, 2, 0]
    assert set(three["subset"]) == {"image_label_3class"}
    joint = load_mvsa_benchmark(bench_root, "mvsa", label_column="joint_label", classes="three")
    assert joint["image"].tolist() == ["10.jpg", "12.jpg", "13.jpg"]
    assert joint["label"].tolist() == [2, 1, 0]
    text = load_mvsa_benchmark(bench_root, "mvsa", label_column="text_label")
    assert text[["image", "label"]].values.tolist() == [["11.jpg", 0], ["12.jpg", 1], ["13.jpg", 1]]
    assert set(text["subset"]) == {"text_label_binary"}


def test_mvsa_benchmark_missing_image_raises_naming_the_path(bench_root):
    (bench_root / "data" / "14.jpg").unlink()
    with pytest.raises(FileNotFoundError, match="14.jpg") as raised:
        load_mvsa_benchmark(bench_root, "mvsa")
    assert str(bench_root / "data" / "14.jpg") in str(raised.value)
    # an image whose row is not kept is not needed
    assert len(load_mvsa_benchmark(bench_root, "mvsa", label_column="text_label")) == 3


@pytest.mark.parametrize("missing", ["splits/benchmark.csv", "data"])
def test_mvsa_benchmark_missing_split_or_folder_raises(tmp_path, missing):
    root = _mvsa(tmp_path, {"1": "positive,positive,positive"})
    target = root / missing
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(str(target))):
        load_mvsa_benchmark(root, "mvsa")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"label_column": "guid"}, "unknown MVSA label column"),
        ({"classes": "five"}, "unknown MVSA classes"),
    ],
)
def test_mvsa_benchmark_unknown_options(bench_root, options, message):
    with pytest.raises(ValueError, match=message):
        load_mvsa_benchmark(bench_root, "mvsa", **options)


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty file"),
        ("guid,text_label\n1,positive\n", r"missing column\(s\) \['image_label'\]"),
        (MVSA_HEADER + "\n1,happy,,\n", r"unknown image_label value\(s\) \['happy'\]"),
        (MVSA_HEADER + "\n1,positive,,\n1,negative,,\n", r"guid\(s\) listed more than once: \['1'\]"),
    ],
)
def test_mvsa_benchmark_bad_split_raises_naming_the_path(tmp_path, content, message):
    root = _mvsa(tmp_path, {"1": "positive,positive,positive"})
    path = root / "splits" / "benchmark.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as raised:
        load_mvsa_benchmark(root, "mvsa")
    assert str(path) in str(raised.value)
