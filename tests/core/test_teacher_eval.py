"""Tests for measuring a text teacher against human-labelled tweets."""

import numpy as np
import pandas as pd
import pytest

from crowd_sentiment.core.teacher_eval import evaluate_teacher, teacher_agreement
from crowd_sentiment.core.teachers import VaderTeacher

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


def test_reliability_bins_and_precision_coverage_curves():
    from crowd_sentiment.core.teacher_eval import precision_coverage, reliability_table

    gold = np.array([0, 0, 2, 2, 1])
    probs = np.array([[0.9, 0.05, 0.05], [0.5, 0.1, 0.4], [0.2, 0.1, 0.7], [0.6, 0.2, 0.2], [0.1, 0.8, 0.1]])
    table = reliability_table(gold, probs, bins=5)
    assert table["n"].sum() == 5 and table.set_index("bin").loc[3, "accuracy"] == 0.5  # 0.6 wrong, 0.7 right
    curves = precision_coverage(gold, probs, np.array([0.4, 0.55, 0.95])).set_index(["class", "threshold"])
    assert curves.loc[("negative", 0.4), ["n", "precision", "coverage"]].tolist() == [3, 2 / 3, 1.0]
    assert curves.loc[("negative", 0.55), ["n", "precision"]].tolist() == [2, 0.5]
    assert np.isnan(curves.loc[("positive", 0.95), "precision"])
