"""Tests for the hard- and soft-target distillation losses."""

import pytest
import torch
import torch.nn.functional as F

from crowd_sentiment.core.losses import (
    balanced_class_weights,
    distillation_loss,
    hard_target_loss,
    soft_target_loss,
)


def _batch(seed=0, n=6):
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, 3, generator=generator)
    teacher = torch.softmax(2 * torch.randn(n, 3, generator=generator), dim=1)
    return logits, teacher


def test_hard_loss_is_smoothed_cross_entropy_on_the_teacher_argmax():
    logits, teacher = _batch()
    labels = teacher.argmax(1)
    terms = hard_target_loss(logits, teacher, label_smoothing=0.2)
    assert torch.allclose(terms["loss"], F.cross_entropy(logits, labels, label_smoothing=0.2))
    # by hand: q = 0.8 · onehot + 0.2 / 3
    q = 0.8 * F.one_hot(labels, 3) + 0.2 / 3
    assert torch.allclose(terms["loss"], -(q * F.log_softmax(logits, 1)).sum(1).mean())
    assert not terms["ce"].requires_grad and torch.equal(terms["ce"], terms["loss"].detach())


def test_hard_loss_class_weights():
    logits, teacher = _batch(1)
    weights = torch.tensor([1.0, 2.0, 0.5])
    got = hard_target_loss(logits, teacher, label_smoothing=0.0, class_weights=weights)["loss"]
    labels = teacher.argmax(1)
    per_sample = F.cross_entropy(logits, labels, reduction="none") * weights[labels]
    assert torch.allclose(got, per_sample.sum() / weights[labels].sum())


def test_soft_loss_is_zero_when_the_student_matches_the_teacher():
    _, teacher = _batch(2)
    terms = soft_target_loss(torch.log(teacher), teacher, temperature=1.0)
    assert terms["loss"].abs() < 1e-6
    logits, _ = _batch(3)
    assert soft_target_loss(logits, teacher, temperature=1.0)["loss"] > 0.01


def test_soft_loss_is_t_squared_times_kl():
    logits, teacher = _batch(4)
    for temperature in (1.0, 2.0, 4.0):
        terms = soft_target_loss(logits, teacher, temperature=temperature)
        student = torch.softmax(logits / temperature, 1)
        kl = (teacher * (teacher.log() - student.log())).sum(1).mean()
        assert torch.allclose(terms["kl"], kl, atol=1e-6)
        assert torch.allclose(terms["loss"], temperature**2 * kl, atol=1e-5)


def test_soft_loss_class_weights_weight_samples_by_teacher_argmax():
    logits, _ = _batch(5, n=3)
    teacher = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7], [0.2, 0.6, 0.2]])
    kl = [soft_target_loss(logits[i : i + 1], teacher[i : i + 1], temperature=1.0)["kl"] for i in range(3)]
    weights = torch.tensor([1.0, 0.0, 3.0])  # the neutral sample is ignored
    got = soft_target_loss(logits, teacher, temperature=1.0, class_weights=weights)["kl"]
    assert torch.allclose(got, (kl[0] + 3 * kl[1]) / 4)


def test_distillation_loss_dispatch():
    logits, teacher = _batch(6)
    hard = distillation_loss("hard", logits, teacher, label_smoothing=0.1)
    assert torch.equal(hard["loss"], hard_target_loss(logits, teacher, label_smoothing=0.1)["loss"])
    soft = distillation_loss("soft", logits, teacher, temperature=2.0)
    assert torch.equal(soft["loss"], soft_target_loss(logits, teacher, temperature=2.0)["loss"])
    with pytest.raises(ValueError, match="unknown loss kind 'focal'"):
        distillation_loss("focal", logits, teacher)


def test_balanced_class_weights():
    weights = balanced_class_weights(torch.tensor([0, 0, 0, 1, 2, 2]), 3)
    assert torch.allclose(weights, torch.tensor([6 / 9, 6 / 3, 6 / 6]))
    assert torch.allclose(
        balanced_class_weights(torch.tensor([0, 0, 2, 2]), 3), torch.tensor([1 / 1.5, 0, 1 / 1.5])
    )
