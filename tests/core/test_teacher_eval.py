"""Tests for measuring a text teacher against human-labelled tweets."""

import re

import numpy as np
import pandas as pd
import pytest

from crowd_sentiment.core.teacher_eval import (
    TEACHER_SETS,
    evaluate_teacher,
    load_mvsa_text_labels,
    load_teacher_set,
    load_tweeteval,
    teacher_agreement,
)
from crowd_sentiment.core.teachers import VaderTeacher

# --- fixtures -----------------------------------------------------------------------


def _write_tweeteval(root, texts, labels, split="val"):
    folder = root / "datasets" / "sentiment"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}_text.txt").write_bytes("".join(f"{t}\n" for t in texts).encode("utf-8"))
    (folder / f"{split}_labels.txt").write_text("".join(f"{label}\n" for label in labels), encoding="utf-8")
    (folder / "mapping.txt").write_text("0\tnegative\n1\tneutral\n2\tpositive\n", encoding="utf-8")
    return folder


GBK_TEXT = "今天很开心 “好” @amy"

MVSA_ROWS = [
    # guid, image_label, text_label, joint_label, text bytes
    ("1", "positive", "positive", "positive", b"RT @ann: I love it http://t.co/x\n"),
    ("2", "negative", "Negative", "", GBK_TEXT.encode("gbk")),
    ("3", "neutral", "", "", b"no text label here"),
    ("4", "positive", "neutral", "neutral", "caf\u00e9 at 9 \u2026".encode()),
    ("5", "negative", "negative", "negative", b"don\x92t \x93go\x94"),
]


def _write_mvsa(root, rows=MVSA_ROWS, crowd=("1", "2", "3")):
    (root / "data").mkdir(parents=True)
    (root / "splits").mkdir()
    lines = ["guid,image_label,text_label,joint_label"]
    for guid, image, text_label, joint, data in rows:
        lines.append(f"{guid},{image},{text_label},{joint}")
        (root / "data" / f"{guid}.txt").write_bytes(data)
        (root / "data" / f"{guid}.jpg").write_bytes(b"not read")
    (root / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "splits" / "crowd.csv").write_text("guid\n" + "".join(f"{g}\n" for g in crowd), encoding="utf-8")
    return root


# --- TweetEval ----------------------------------------------------------------------


def test_load_tweeteval_reads_aligned_lines(tmp_path):
    texts = ["I love it ", "@bob meh", 'He said "hi"\u2028then left', ""]
    _write_tweeteval(tmp_path, texts, [2, 1, 1, 0])
    frame = load_tweeteval(tmp_path)
    assert list(frame.columns) == ["text", "label"]
    assert frame["text"].tolist() == texts  # U+2028 does not split a tweet; blank line kept
    assert frame["label"].tolist() == [2, 1, 1, 0]
    assert frame["label"].dtype == np.int64


def test_load_tweeteval_other_split_and_crlf(tmp_path):
    folder = tmp_path / "datasets" / "sentiment"
    folder.mkdir(parents=True)
    (folder / "test_text.txt").write_bytes(b"good\r\nbad\r\n")
    (folder / "test_labels.txt").write_bytes(b"2\r\n0")  # no final newline
    frame = load_tweeteval(tmp_path, split="test")
    assert frame.to_dict("list") == {"text": ["good", "bad"], "label": [2, 0]}


def test_load_tweeteval_mismatched_line_counts_name_both_files(tmp_path):
    folder = _write_tweeteval(tmp_path, ["a", "b", "c"], [0, 1])
    with pytest.raises(ValueError, match="line counts differ") as info:
        load_tweeteval(tmp_path)
    assert str(folder / "val_text.txt") in str(info.value)
    assert str(folder / "val_labels.txt") in str(info.value)


@pytest.mark.parametrize("missing", ["val_text.txt", "val_labels.txt"])
def test_load_tweeteval_missing_file_names_path(tmp_path, missing):
    folder = _write_tweeteval(tmp_path, ["a"], [0])
    (folder / missing).unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(str(folder / missing))):
        load_tweeteval(tmp_path)
    with pytest.raises(FileNotFoundError, match="train_text.txt"):
        load_tweeteval(tmp_path, split="train")


def test_load_tweeteval_rejects_bad_label(tmp_path):
    _write_tweeteval(tmp_path, ["a", "b"], [0, 3])
    with pytest.raises(ValueError, match="line 2"):
        load_tweeteval(tmp_path)


# --- MVSA ---------------------------------------------------------------------------


def test_load_mvsa_text_labels_decodes_gbk_and_drops_unlabelled(tmp_path):
    _write_mvsa(tmp_path)
    frame = load_mvsa_text_labels(tmp_path)
    assert list(frame.columns) == ["guid", "text", "label"]
    assert frame["guid"].tolist() == ["1", "2", "4", "5"]  # guid 3 has no text_label
    assert frame["label"].tolist() == [2, 0, 1, 0]
    assert frame["label"].dtype == np.int64
    texts = dict(zip(frame["guid"], frame["text"]))
    assert texts["1"] == "RT @ann: I love it http://t.co/x"  # raw (normalised), not cleaned
    assert texts["2"] == GBK_TEXT  # GBK bytes recovered, not cp1252 mojibake
    assert texts["4"] == "caf\u00e9 at 9 \u2026"  # UTF-8 stays UTF-8
    assert texts["5"] == "don\u2019t \u201cgo\u201d"  # not GBK either: cp1252


def test_load_mvsa_text_labels_restricted_to_guids(tmp_path):
    _write_mvsa(tmp_path)
    frame = load_mvsa_text_labels(tmp_path, guids=["5", "3", " 2 "])
    assert frame["guid"].tolist() == ["2", "5"]  # labels.csv order; 3 dropped (no text_label)
    assert frame["label"].tolist() == [0, 0]
    with pytest.raises(ValueError, match="not listed"):
        load_mvsa_text_labels(tmp_path, guids=["1", "99"])


def test_load_mvsa_text_labels_errors(tmp_path):
    _write_mvsa(tmp_path)
    (tmp_path / "data" / "4.txt").unlink()
    with pytest.raises(FileNotFoundError, match="4.txt"):
        load_mvsa_text_labels(tmp_path)
    assert load_mvsa_text_labels(tmp_path, guids=["1"])["guid"].tolist() == ["1"]  # only kept rows are read
    (tmp_path / "labels.csv").unlink()
    with pytest.raises(FileNotFoundError, match="labels.csv"):
        load_mvsa_text_labels(tmp_path)


def test_load_mvsa_text_labels_unknown_label(tmp_path):
    rows = [*MVSA_ROWS[:2], ("9", "positive", "happy", "", b"x")]
    _write_mvsa(tmp_path, rows=rows)
    with pytest.raises(ValueError, match="happy"):
        load_mvsa_text_labels(tmp_path)


# --- registry -----------------------------------------------------------------------


def test_load_teacher_set_layouts(tmp_path):
    _write_tweeteval(tmp_path / "te", ["good", "bad"], [2, 0])
    _write_mvsa(tmp_path / "mvsa")
    assert sorted(TEACHER_SETS) == ["mvsa_text", "tweeteval"]
    tweeteval = load_teacher_set("tweeteval", tmp_path / "te")
    assert tweeteval.to_dict("list") == {"text": ["good", "bad"], "label": [2, 0]}
    crowd = load_teacher_set("mvsa_text", tmp_path / "mvsa", split_csv="splits/crowd.csv")
    assert list(crowd.columns) == ["text", "label"]
    assert crowd["label"].tolist() == [2, 0]  # guids 1, 2 (3 unlabelled); 4, 5 not in the crowd
    assert crowd["text"].tolist()[1] == GBK_TEXT
    everything = load_teacher_set("mvsa_text", tmp_path / "mvsa")
    assert len(everything) == 4


def test_load_teacher_set_unknown_layout_lists_known(tmp_path):
    with pytest.raises(ValueError, match=r"'imdb'.*\['mvsa_text', 'tweeteval'\]"):
        load_teacher_set("imdb", tmp_path)
    with pytest.raises(FileNotFoundError, match="crowd.csv"):
        load_teacher_set("mvsa_text", tmp_path, split_csv="splits/crowd.csv")


# --- metrics ------------------------------------------------------------------------


def test_teacher_agreement_hand_computed_with_a_class_never_predicted():
    gold = np.array([0, 0, 1, 1, 2, 2])
    probs = np.array(
        [
            [0.6, 0.3, 0.1],  # → negative  (right)
            [0.2, 0.3, 0.5],  # → positive  (wrong)
            [0.1, 0.2, 0.7],  # → positive  (wrong)
            [0.5, 0.4, 0.1],  # → negative  (wrong)
            [0.1, 0.3, 0.6],  # → positive  (right)
            [0.4, 0.35, 0.25],  # → negative  (wrong); neutral never predicted
        ]
    )
    scores = teacher_agreement(gold, probs)
    # recalls 1/2, 0/2, 1/2; precisions neg 1/3 (rows 0,3,5), pos 1/3 (rows 1,2,4), neutral 0
    # F1 = 2·(1/3)(1/2)/(1/3 + 1/2) = 2/5 for both poles, 0 for neutral
    expected = {
        "macro_recall": 1 / 3,
        "accuracy": 2 / 6,
        "macro_f1": (2 / 5 + 0 + 2 / 5) / 3,
        "negative_recall": 0.5,
        "neutral_recall": 0.0,
        "positive_recall": 0.5,
        # polar items rows 0, 1, 4, 5: right, wrong, right, wrong
        "polar_accuracy": 0.5,
        "negative_accuracy": 0.5,
        "positive_accuracy": 0.5,
        "polar_n": 4.0,
        "n": 6.0,
    }
    assert scores.keys() == expected.keys()
    assert all(isinstance(v, float) for v in scores.values())
    for key, value in expected.items():
        assert scores[key] == pytest.approx(value), key


def test_polar_scores_ignore_neutral_and_break_ties_to_negative():
    gold = np.array([0, 2, 2, 1, 2])
    probs = np.array(
        [
            [0.2, 0.7, 0.1],  # 3-class neutral (wrong); polar 0.1 < 0.2 → negative (right)
            [0.1, 0.6, 0.3],  # 3-class neutral (wrong); polar positive (right)
            [0.3, 0.1, 0.6],  # positive both ways (right)
            [0.3, 0.4, 0.3],  # gold neutral: 3-class right, not a polar item
            [0.2, 0.6, 0.2],  # 3-class neutral (wrong); polar tie → negative (wrong)
        ]
    )
    scores = teacher_agreement(gold, probs)
    assert scores["accuracy"] == pytest.approx(2 / 5)
    assert scores["neutral_recall"] == 1.0
    assert scores["positive_recall"] == pytest.approx(1 / 3)
    assert scores["macro_recall"] == pytest.approx((0 + 1 + 1 / 3) / 3)
    assert scores["polar_n"] == 4.0
    assert scores["polar_accuracy"] == pytest.approx(3 / 4)
    assert scores["negative_accuracy"] == 1.0
    assert scores["positive_accuracy"] == pytest.approx(2 / 3)


def test_polar_scores_are_nan_without_polar_items():
    scores = teacher_agreement(np.array([1, 1]), np.array([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]]))
    assert scores["accuracy"] == 0.5 and scores["polar_n"] == 0.0
    assert np.isnan(scores["polar_accuracy"]) and np.isnan(scores["positive_accuracy"])


@pytest.mark.parametrize(
    ("gold", "probs", "match"),
    [
        (np.array([], dtype=int), np.zeros((0, 3)), "non-empty"),
        (np.array([0, 1]), np.full((3, 3), 1 / 3), "shape"),
        (np.array([0, 1]), np.full((2, 2), 0.5), "shape"),
        (np.array([0, 3]), np.full((2, 3), 1 / 3), "0, 1 or 2"),
        (np.array([0, 1]), np.array([[np.nan, 0.5, 0.5], [0.2, 0.3, 0.5]]), "finite"),
    ],
)
def test_teacher_agreement_rejects_bad_input(gold, probs, match):
    with pytest.raises(ValueError, match=match):
        teacher_agreement(gold, probs)


# --- evaluate_teacher ---------------------------------------------------------------


class _RecordingTeacher:
    name = "recording"

    def __init__(self):
        self.seen = None

    def predict_proba(self, texts):
        self.seen = list(texts)
        return np.tile([0.1, 0.2, 0.7], (len(self.seen), 1))


def test_evaluate_teacher_cleans_texts_first():
    teacher = _RecordingTeacher()
    scores = evaluate_teacher(teacher, ["RT @ann: so good @bob https://t.co/x", "meh"], np.array([2, 1]))
    assert teacher.seen == ["so good @user http", "meh"]
    assert scores["accuracy"] == 0.5 and scores["polar_accuracy"] == 1.0
    with pytest.raises(ValueError, match="gold"):
        evaluate_teacher(teacher, ["a"], np.array([0, 1]))


def test_vader_on_obvious_sentences_is_perfect():
    frame = pd.DataFrame(
        [
            ("RT @ann: I love this, it is wonderful and amazing! http://t.co/x", 2),
            ("What a great, happy day :)", 2),
            ("I hate this. It is terrible, awful and sad.", 0),
            ("@bob worst service ever, disgusting and horrible", 0),
            ("The bus leaves at 9 from platform 4.", 1),
            ("@user the meeting is on Tuesday http://t.co/y", 1),
        ],
        columns=["text", "label"],
    )
    scores = evaluate_teacher(VaderTeacher(), frame["text"].tolist(), frame["label"].to_numpy())
    assert scores["accuracy"] == 1.0
    assert scores["macro_recall"] == 1.0 and scores["polar_accuracy"] == 1.0
    assert scores["n"] == 6.0
