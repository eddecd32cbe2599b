"""Distillation losses. Each returns a dict of named terms; ``"loss"`` is optimised.

Class order: negative, neutral, positive. ``teacher_probs`` is ``(B, 3)``, rows sum to 1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor


def hard_target_loss(
    logits: Tensor, teacher_probs: Tensor, *, label_smoothing: float, class_weights: Tensor | None = None
) -> dict[str, Tensor]:
    """Cross-entropy on the teacher's argmax with label smoothing (Szegedy et al., 2016).

    ``L = -Σ_k q_k log softmax(z)_k`` with ``q = (1 - ε)·onehot(argmax p) + ε/K`` —
    the paper trains this way with ``ε = 0.2``.
    """
    labels = teacher_probs.argmax(dim=1)
    loss = F.cross_entropy(logits, labels, weight=class_weights, label_smoothing=label_smoothing)
    return {"loss": loss, "ce": loss.detach()}


def soft_target_loss(
    logits: Tensor, teacher_probs: Tensor, *, temperature: float, class_weights: Tensor | None = None
) -> dict[str, Tensor]:
    """Soft-target distillation (Hinton et al., 2015): ``T² · KL(p_teacher ‖ softmax(z / T))``.

    ``class_weights`` (``(K,)``) weights each sample by the weight of its teacher argmax.
    """
    log_student = F.log_softmax(logits / temperature, dim=1)
    per_sample = F.kl_div(log_student, teacher_probs, reduction="none").sum(dim=1)  # (B,)
    if class_weights is not None:
        w = class_weights[teacher_probs.argmax(dim=1)]
        kd = (per_sample * w).sum() / w.sum()
    else:
        kd = per_sample.mean()
    return {"loss": kd * temperature**2, "kl": kd.detach()}


def distillation_loss(
    kind: str,
    logits: Tensor,
    teacher_probs: Tensor,
    *,
    label_smoothing: float = 0.2,
    temperature: float = 1.0,
    class_weights: Tensor | None = None,
) -> dict[str, Tensor]:
    """Dispatch on ``kind``: ``"hard"`` (:func:`hard_target_loss`) or ``"soft"`` (:func:`soft_target_loss`)."""
    if kind == "hard":
        return hard_target_loss(
            logits, teacher_probs, label_smoothing=label_smoothing, class_weights=class_weights
        )
    if kind == "soft":
        return soft_target_loss(logits, teacher_probs, temperature=temperature, class_weights=class_weights)
    raise ValueError(f"unknown loss kind {kind!r}; expected 'hard' or 'soft'")


LossFn = Callable[[Tensor, Tensor], dict[str, Tensor]]  # (logits (B, 3), teacher_probs (B, 3)) -> terms


def make_loss(
    kind: str, *, label_smoothing: float, temperature: float, class_weights: Tensor | None = None
) -> LossFn:
    """:func:`distillation_loss` with its settings bound: ``loss_fn(logits, teacher_probs)``."""
    return functools.partial(
        distillation_loss,
        kind,
        label_smoothing=label_smoothing,
        temperature=temperature,
        class_weights=class_weights,
    )


def balanced_class_weights(labels: Tensor, num_classes: int) -> Tensor:
    """``w_k = N / (K · n_k)`` (classes absent from ``labels`` get weight 0), shape ``(K,)``."""
    counts = torch.bincount(labels, minlength=num_classes).float()
    weights = torch.where(
        counts > 0, counts.sum() / (num_classes * counts.clamp(min=1)), torch.zeros_like(counts)
    )
    return weights
