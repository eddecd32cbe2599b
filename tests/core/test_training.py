"""Tests for the training loop, optimisers and feature extraction."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.polar import polar_roc_auc, polar_score
from crowd_sentiment.core.training import (
    OptimiserSettings,
    TrainingSettings,
    evaluate,
    extract_features,
    fit,
    fit_linear_head,
    make_optimizer,
    resolve_device,
)

CPU = torch.device("cpu")
KEYS = {"epoch", "lr", "train_loss", "images_per_second", "val_loss", "val_accuracy", "val_macro_f1", "val_polar_auc"}


def _separable(n, seed):
    """Features around three well-separated centres; teacher probabilities 0.8 on the true class."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 3
    centres = torch.eye(3, 8) * 4
    features = centres[labels] + 0.5 * torch.randn(n, 8, generator=generator)
    targets = torch.full((n, 3), 0.1)
    targets[torch.arange(n), labels] = 0.8
    return TensorDataset(features, targets)


def _loaders(train_n=90, val_n=30):
    train = DataLoader(
        _separable(train_n, 0), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    return train, DataLoader(_separable(val_n, 1), batch_size=16)


def _head():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Linear(16, 3))


def test_fit_learns_a_separable_problem_and_keeps_the_best_epoch():
    model, (train, val) = _head(), _loaders()
    config = TrainingSettings(epochs=8, lr=0.02, optimizer="adamw")
    seen = []
    result = fit(model, train, val, config, CPU, on_epoch=seen.append)
    assert len(result.history) == 8 and seen == result.history
    assert all(set(row) == KEYS for row in result.history)
    assert [row["epoch"] for row in result.history] == [float(e) for e in range(1, 9)]
    assert result.history[0]["lr"] == 0.02 and result.history[-1]["lr"] < result.history[1]["lr"]  # cosine
    keys = [(row["val_macro_f1"], -row["val_loss"]) for row in result.history]
    assert result.best_epoch == 1 + max(range(8), key=lambda i: keys[i])
    best = result.history[result.best_epoch - 1]
    assert best["val_accuracy"] >= 0.95
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    model.load_state_dict(result.best_state)
    rescored = evaluate(model, val, config.loss_fn(), CPU)
    assert rescored["val_macro_f1"] == pytest.approx(best["val_macro_f1"])
    assert rescored["val_loss"] == pytest.approx(best["val_loss"], rel=1e-5)
    assert result.optimizer_state["state"]


def test_patience_stops_when_validation_does_not_improve():
    model, (train, val) = _head(), _loaders()
    config = TrainingSettings(epochs=10, lr=1e-12, optimizer="sgd", weight_decay=0.0, patience=2)  # ~no change
    result = fit(model, train, val, config, CPU)
    assert result.best_epoch == 1
    assert len(result.history) == 3


def test_non_finite_loss_raises():
    data = _separable(12, 0)
    features = data.tensors[0].clone()
    features[5, 2] = math.nan
    train = DataLoader(TensorDataset(features, data.tensors[1]), batch_size=4)
    with pytest.raises(FloatingPointError, match="non-finite training loss nan after 4 samples"):
        fit(_head(), train, train, TrainingSettings(epochs=1), CPU)


def test_evaluate_soft_loss_matches_the_training_definition():
    model, (_, val) = _head(), _loaders()
    metrics = evaluate(model, val, TrainingSettings(loss="soft", temperature=2.0).loss_fn(), CPU)
    features, targets = val.dataset.tensors
    with torch.no_grad():
        student = torch.softmax(model(features) / 2.0, 1)
    kl = (targets * (targets.log() - student.log())).sum(1).mean()
    assert metrics["val_loss"] == pytest.approx(4 * kl.item(), rel=1e-4)


def test_make_optimizer_variants():
    model = _head()
    model[0].weight.requires_grad_(False)
    radam = make_optimizer(model.parameters(), OptimiserSettings(optimizer="radam", lr=0.1))
    assert isinstance(radam, torch.optim.RAdam) and radam.param_groups[0]["decoupled_weight_decay"]
    assert len(radam.param_groups[0]["params"]) == 3  # the frozen weight is left out
    adamw = make_optimizer(model.parameters(), OptimiserSettings(optimizer="adamw", weight_decay=0.3))
    assert isinstance(adamw, torch.optim.AdamW) and adamw.param_groups[0]["weight_decay"] == 0.3
    sgd = make_optimizer(model.parameters(), OptimiserSettings(optimizer="sgd", lr=0.5))
    assert isinstance(sgd, torch.optim.SGD) and sgd.param_groups[0]["momentum"] == 0.9
    assert sgd.param_groups[0]["lr"] == 0.5
    with pytest.raises(ValueError, match="unknown optimizer 'lion'"):
        make_optimizer(model.parameters(), OptimiserSettings.model_construct(optimizer="lion"))
    for p in model.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        make_optimizer(model.parameters(), OptimiserSettings())


def test_resolve_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("cuda:1") == torch.device("cuda", 1)


def test_extract_features_keeps_loader_order():
    torch.manual_seed(0)
    backbone = nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.Dropout(0.5))
    inputs, targets = torch.randn(7, 3, 2, 2), torch.arange(21.0).reshape(7, 3)
    features = extract_features(backbone, DataLoader(TensorDataset(inputs, targets), batch_size=3), CPU)
    assert features.shape == (7, 5)
    assert not backbone.training  # dropout off: features are deterministic
    with torch.no_grad():
        assert torch.allclose(features, backbone(inputs))
    assert np.isfinite(features.numpy()).all()


def _linear():
    return nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 3))


def test_fit_linear_head_reaches_the_l2_optimum_and_records_a_curve():
    train, val = _separable(90, 0).tensors, _separable(30, 1).tensors
    curve = []
    result = fit_linear_head(_linear(), train, val, TrainingSettings(epochs=3, l2=0.01), on_epoch=curve.append)
    steps = [row["epoch"] for row in result.history]
    assert steps == [float(k) for k in range(1, len(steps) + 1)] == [row["epoch"] for row in curve]
    objective = [row["objective"] for row in result.history]
    assert all(a > b for a, b in zip(objective, objective[1:]))  # every point is progress: no flat tail
    assert result.best_epoch == len(steps) and result.history[-1]["iterations"] <= 3 * 25
    assert result.history[-1]["val_accuracy"] == 1.0 and result.history[-1]["val_polar_auc"] == 1.0
    weight = result.best_state["1.weight"]
    # at the optimum the gradient of mean CE + l2·||W||² vanishes: refit from there changes nothing
    again = fit_linear_head(_linear(), train, val, TrainingSettings(epochs=6, l2=0.01))
    torch.testing.assert_close(again.best_state["1.weight"], weight, atol=1e-3, rtol=1e-3)
    shrunk = fit_linear_head(_linear(), train, val, TrainingSettings(epochs=3, l2=1.0)).best_state["1.weight"]
    assert shrunk.norm() < 0.5 * weight.norm()  # stronger penalty, smaller weights


def test_fit_linear_head_on_unit_length_features_ignores_their_scale():
    from crowd_sentiment.core.students import L2Normalize

    train, val = _separable(90, 0).tensors, _separable(30, 1).tensors
    head = lambda: nn.Sequential(L2Normalize(), nn.Dropout(0.2), nn.Linear(8, 3))  # noqa: E731
    plain = fit_linear_head(head(), train, val, TrainingSettings(epochs=3, l2=0.01))
    scaled = fit_linear_head(head(), (10 * train[0], train[1]), val, TrainingSettings(epochs=3, l2=0.01))
    assert plain.history[-1]["val_accuracy"] == 1.0
    torch.testing.assert_close(
        plain.best_state["2.weight"], scaled.best_state["2.weight"], atol=1e-3, rtol=1e-3
    )


def test_fit_linear_head_refuses_a_hidden_layer():
    with pytest.raises(ValueError, match="only weight layer"):
        fit_linear_head(_head(), _separable(9, 0).tensors, _separable(3, 1).tensors, TrainingSettings(epochs=1))


def test_validation_polar_auc_ignores_the_teachers_neutral_items():
    teacher = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1], [0.7, 0.2, 0.1]], np.float32)
    probs = torch.tensor([[0.6, 0.2, 0.2], [0.2, 0.2, 0.6], [0.0, 0.0, 1.0], [0.1, 0.1, 0.8]])
    logits = torch.log(probs.clamp(min=1e-9))
    loader = DataLoader(TensorDataset(logits, torch.from_numpy(teacher)), batch_size=2)
    metrics = evaluate(nn.Identity(), loader, TrainingSettings().loss_fn(), CPU)
    assert metrics["val_polar_auc"] == pytest.approx(0.5)  # one of two negatives ranked above the positive
    assert metrics["val_polar_auc"] == polar_roc_auc(teacher.argmax(1), polar_score(probs.numpy()), 3)


def test_unknown_settings_are_rejected_naming_them():
    with pytest.raises(ValueError, match="epochz"):
        TrainingSettings(epochz=3)
    with pytest.raises(ValueError, match="optimizer"):
        TrainingSettings(optimizer="lion")
