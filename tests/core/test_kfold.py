"""Tests for k-fold fine-tuning on cached features."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from crowd_sentiment.core.kfold import (
    FOLD_COLUMNS,
    KFoldSettings,
    kfold_finetune,
    stratified_folds,
    summarise_folds,
)
from crowd_sentiment.core.students import StudentSpec, build_head

F = 16
SPEC = StudentSpec(head_hidden=32)  # the paper's head
FAST = KFoldSettings(epochs=6, batch_size=16, lr=1e-2, optimizer="adamw")


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny heads train fastest single-threaded (and do not fight other test processes)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _binary(n=60, seed=0, shift=3.0):
    """Two classes (36 negative / 24 positive for n=60) separated along feature 0."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 5 < 2).astype(np.int64)  # 40 % positive: unbalanced
    features = rng.normal(size=(n, F)).astype(np.float32)
    features[:, 0] += np.where(labels == 1, shift, -shift)
    return features, labels


def _three_class(n=60, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    features = rng.normal(size=(n, F)).astype(np.float32)
    features[np.arange(n), labels] += 4.0
    return features, labels


def _separating_head_state(spec):
    """A linear head whose negative/positive logits follow ∓/± feature 0 (separates :func:`_binary`)."""
    head = build_head(F, spec)
    linear = head[-1]
    with torch.no_grad():
        linear.weight.zero_()
        linear.bias.zero_()
        linear.weight[0, 0], linear.weight[2, 0] = -5.0, 5.0
        linear.bias[1] = -10.0  # neutral never wins (irrelevant for binary scoring anyway)
    return {k: v.clone() for k, v in head.state_dict().items()}


def test_one_row_per_fold_with_sizes_that_partition_the_data():
    features, labels = _binary()
    frame = kfold_finetune(features, labels, head_state=None, spec=SPEC, settings=FAST, n_classes=2)
    assert list(frame.columns) == FOLD_COLUMNS
    assert frame["fold"].tolist() == [1, 2, 3, 4, 5]
    assert (frame["n_train"] + frame["n_test"] == 60).all()
    assert frame["n_test"].sum() == 60 and (frame["n_test"] == 12).all()
    assert frame[["accuracy", "macro_f1", "roc_auc"]].apply(lambda c: c.between(0, 1)).all().all()
    assert frame["accuracy"].mean() >= 0.9  # a separable problem is learned from a random head


def test_folds_are_stratified_and_partition_the_indices():
    labels = (np.arange(103) % 10 < 3).astype(np.int64)  # 31 positives, 72 negatives
    folds = stratified_folds(labels, folds=5, seed=3)
    assert len(folds) == 5
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(103))
    for train, test in folds:
        assert not set(train) & set(test) and len(train) + len(test) == 103
        positives = labels[test].sum()
        assert abs(positives - 31 / 5) <= 1 and abs((len(test) - positives) - 72 / 5) <= 1
    assert [t.tolist() for _, t in folds] != [t.tolist() for _, t in stratified_folds(labels, 5, seed=4)]


def test_same_seed_same_result_and_global_rng_untouched():
    features, labels = _binary()
    state = torch.get_rng_state()
    first = kfold_finetune(features, labels, head_state=None, spec=SPEC, settings=FAST.model_copy(update={"seed": 7}), n_classes=2)
    assert torch.equal(state, torch.get_rng_state())
    torch.manual_seed(123)  # the caller's RNG state must not matter
    second = kfold_finetune(features, labels, head_state=None, spec=SPEC, settings=FAST.model_copy(update={"seed": 7}), n_classes=2)
    pd.testing.assert_frame_equal(first, second)
    other = kfold_finetune(features, labels, head_state=None, spec=SPEC, settings=FAST.model_copy(update={"seed": 8}), n_classes=2)
    assert not first[["accuracy", "roc_auc"]].equals(other[["accuracy", "roc_auc"]])


def test_distilled_start_loads_the_given_head():
    spec = StudentSpec(head_hidden=0, dropout=0.0)
    features, labels = _binary(shift=2.0)
    state = _separating_head_state(spec)
    before = {k: v.clone() for k, v in state.items()}
    frozen = KFoldSettings(epochs=1, batch_size=16, lr=1e-8, weight_decay=0.0)
    distilled = kfold_finetune(features, labels, head_state=state, spec=spec, settings=frozen, n_classes=2)
    imagenet = kfold_finetune(features, labels, head_state=None, spec=spec, settings=frozen, n_classes=2)
    assert distilled["accuracy"].min() >= 0.9 and distilled["roc_auc"].min() >= 0.95
    assert imagenet["accuracy"].mean() < 0.85  # a random head barely moved by lr 1e-8
    assert all(torch.equal(before[k], state[k]) for k in state)  # the caller's state is not trained in place
    # epochs=0 scores the head as is
    as_is = kfold_finetune(features, labels, head_state=state, spec=spec, settings=KFoldSettings(epochs=0), n_classes=2)
    gold_is_right = (features[:, 0] > 0).astype(int) == labels
    assert as_is["accuracy"].mean() == pytest.approx(gold_is_right.mean())


def test_no_test_fold_leakage():
    """Random labels on unique random features: a head able to memorise scores ~chance on held-out folds.

    The control duplicates every sample, so a test sample's twin usually sits in the training
    folds: the same head then scores far above chance, showing the test can see leakage.
    """
    rng = np.random.default_rng(1)
    features = rng.normal(size=(80, 32)).astype(np.float32)
    labels = rng.integers(0, 2, 80)
    spec = StudentSpec(head_hidden=64, dropout=0.0)
    config = KFoldSettings(epochs=60, batch_size=16, lr=1e-2, label_smoothing=0.0, weight_decay=0.0)
    held_out = kfold_finetune(features, labels, head_state=None, spec=spec, settings=config, n_classes=2)
    twins = kfold_finetune(
        np.concatenate([features, features]),
        np.concatenate([labels, labels]),
        head_state=None,
        spec=spec,
        settings=config,
        n_classes=2,
    )
    assert held_out["accuracy"].mean() < 0.7
    assert twins["accuracy"].mean() > 0.8


def test_three_class_path():
    features, labels = _three_class()
    frame = kfold_finetune(features, labels, head_state=None, spec=SPEC, settings=FAST, n_classes=3)
    assert (frame["n_test"] == 12).all()
    assert frame["accuracy"].mean() >= 0.9
    assert frame["roc_auc"].notna().all() and frame["roc_auc"].mean() >= 0.95  # one-vs-rest macro


def test_binary_labels_train_the_polar_outputs():
    """Gold 1 must be trained as head class 2 (positive), not 1 (neutral): scoring reads 0 and 2."""
    features, labels = _binary()
    config = KFoldSettings(epochs=15, batch_size=16, lr=1e-2, optimizer="adamw")
    frame = kfold_finetune(features, labels, head_state=None, spec=SPEC, settings=config, n_classes=2)
    assert frame["accuracy"].min() >= 0.9 and frame["roc_auc"].min() >= 0.95


@pytest.mark.parametrize(
    ("labels", "n_classes", "message"),
    [
        (np.array([0, 1, 2] * 20), 2, "out of range"),
        (np.array([0, 1] * 30), 4, "n_classes"),
        (np.array([0.0, 1.0] * 30), 2, "integers"),
        (np.array([0, 1] * 29), 2, "labels must be"),
    ],
)
def test_bad_inputs_raise(labels, n_classes, message):
    features, _ = _binary()
    with pytest.raises(ValueError, match=message):
        kfold_finetune(features, labels, head_state=None, spec=SPEC, settings=FAST, n_classes=n_classes)


def test_summarise_folds_uses_population_std():
    frame = pd.DataFrame(
        {"fold": [1, 2], "accuracy": [0.8, 0.9], "macro_f1": [0.7, 0.9], "roc_auc": [0.9, float("nan")]}
    )
    summary = summarise_folds(frame)
    assert summary["folds"] == 2
    assert summary["accuracy_mean"] == pytest.approx(0.85) and summary["accuracy_std"] == pytest.approx(0.05)
    assert summary["macro_f1_mean"] == pytest.approx(0.8) and summary["macro_f1_std"] == pytest.approx(0.1)
    assert math.isnan(summary["roc_auc_mean"]) and math.isnan(summary["roc_auc_std"])
    assert math.isnan(summarise_folds(frame.iloc[:0])["accuracy_mean"])
