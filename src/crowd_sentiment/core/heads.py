"""Robust heads on frozen features: the class-centroid rule, shrinkage toward it, a prior-corrected decision.

Teacher labels of crowd pictures are noisy (text and picture agree on about half of the
tweets), so a head that only averages them generalises better than one that fits them.
The centroid rule scores a picture by its cosine to the mean direction of the teacher's
positive pictures minus its cosine to that of the negative ones; as a linear head its
logits are ``s·cos(x, c_neg)``, ``s·(cos(x, c_neg) + cos(x, c_pos))/2 + b``,
``s·cos(x, c_pos)``, so ``p_pos - p_neg`` ranks exactly as the rule does and neutral wins
when the two cosines are close. The prior correction moves the binary decision point
(``p_pos > p_neg``) so that the share of pictures called positive equals the teacher's
positive share among its polar crowd labels (or a given share); a temperature divides
the logits first. Noise-aware losses (:func:`noise_aware_loss`) bound the pull of a
wrong teacher label on the head.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from crowd_sentiment.core.labels import NEGATIVE, NEUTRAL, POSITIVE
from crowd_sentiment.core.losses import LossFn

GCE_Q = 0.7  # generalised cross-entropy exponent (Zhang & Sabuncu, 2018)
RCE_LOG_ZERO = -4.0  # log 0 clipped to this in the reverse cross-entropy (Wang et al., 2019)

SCALES = np.geomspace(1.0, 300.0, 25)  # candidate logit scales s of the centroid head


def split_head(head: nn.Module) -> tuple[nn.Module, nn.Linear]:
    """The head's parameter-free front (feature norm, dropout) and its only ``nn.Linear``."""
    linear = head[-1] if isinstance(head, nn.Sequential) else head
    layers = [m for m in head.modules() if isinstance(m, nn.Linear)]
    if not isinstance(linear, nn.Linear) or layers != [linear]:
        raise ValueError("a linear-head solver needs a head whose only weight layer is its final nn.Linear")
    front = head[:-1] if isinstance(head, nn.Sequential) else nn.Identity()
    return front.eval(), linear


def teacher_positive_share(targets: Tensor) -> float:
    """Share of positive among the teacher's polar argmax labels of ``targets`` ``(N, 3)``; 0.5 when none."""
    labels = targets.argmax(1)
    positive, negative = int((labels == POSITIVE).sum()), int((labels == NEGATIVE).sum())
    return positive / (positive + negative) if positive + negative else 0.5


def centroid_directions(features: Tensor, targets: Tensor) -> Tensor:
    """Unit mean directions ``(3, F)`` of the teacher's negative, neutral, positive pictures.

    ``features`` ``(N, F)`` as the head's linear layer sees them; ``targets`` ``(N, 3)``
    teacher probabilities, argmax as label. The neutral row is the mean of the two poles.
    Raises ``ValueError`` when the teacher labels no picture of a pole.
    """
    unit = nn.functional.normalize(features, dim=1)
    labels = targets.argmax(1)
    rows = {}
    for pole, name in ((NEGATIVE, "negative"), (POSITIVE, "positive")):
        chosen = unit[labels == pole]
        if len(chosen) == 0:
            raise ValueError(
                f"the centroid head needs teacher-{name} training pictures; none in {len(labels)}"
            )
        rows[pole] = nn.functional.normalize(chosen.mean(0), dim=0)
    directions = torch.zeros(3, features.shape[1])
    directions[NEGATIVE], directions[POSITIVE] = rows[NEGATIVE], rows[POSITIVE]
    directions[NEUTRAL] = (rows[NEGATIVE] + rows[POSITIVE]) / 2
    return directions


@torch.no_grad()
def fit_centroid(head: nn.Module, features: Tensor, targets: Tensor, loss_fn: LossFn) -> None:
    """Set the head's linear layer to the centroid rule, in place.

    The logit scale ``s`` (one of :data:`SCALES`) minimises ``loss_fn`` on the training
    targets; the neutral bias makes the predicted neutral share equal the teacher's.
    """
    front, linear = split_head(head)
    seen = front(features)
    directions = centroid_directions(seen, targets) / seen.norm(dim=1).mean().clamp_min(1e-12)
    cosines = seen @ directions.T  # (N, 3), ~cosines when features have one length
    half_gap = (cosines[:, POSITIVE] - cosines[:, NEGATIVE]).abs() / 2
    neutral_share = float((targets.argmax(1) == NEUTRAL).float().mean())
    best = (float("inf"), 1.0, 0.0)
    for scale in SCALES:
        bias = float(torch.quantile(half_gap * scale, neutral_share)) if neutral_share > 0 else -1e4
        logits = cosines * scale
        logits[:, NEUTRAL] += bias
        loss = float(loss_fn(logits, targets)["loss"])
        best = min(best, (loss, float(scale), bias))
    _, scale, bias = best
    linear.weight.copy_(directions * scale)
    linear.bias.zero_()
    linear.bias[NEUTRAL] = bias


@torch.no_grad()
def correct_prior(head: nn.Module, features: Tensor, targets: Tensor, share: float = 0.0) -> float:
    """Shift the positive/negative biases so the share with ``p_pos > p_neg`` equals ``share``.

    ``features`` ``(N, F)`` and ``targets`` ``(N, 3)``: the training crowd. ``share`` 0: the
    teacher's positive share there. Returns the logit shift ``t`` (added to the positive
    bias, taken from the negative one, halved).
    """
    front, linear = split_head(head)
    logits = linear(front(features))
    margin = (logits[:, POSITIVE] - logits[:, NEGATIVE]).double()
    share = share or teacher_positive_share(targets)
    shift = -float(torch.quantile(margin, 1.0 - share))
    linear.bias[POSITIVE] += shift / 2
    linear.bias[NEGATIVE] -= shift / 2
    return shift


def noise_aware_loss(kind: str, loss_fn: LossFn) -> LossFn:
    """``loss_fn`` (``none``), or a loss bounded against wrong labels on the teacher's argmax ``y``.

    ``gce``: generalised cross-entropy ``(1 - p_y^q) / q`` with ``q`` = :data:`GCE_Q`;
    ``symmetric``: ``loss_fn`` plus the reverse cross-entropy ``-A·(1 - p_y)``, ``A`` =
    :data:`RCE_LOG_ZERO`. Both on logits ``(B, 3)`` and teacher probabilities ``(B, 3)``.
    """
    if kind == "none":
        return loss_fn

    def robust(logits: Tensor, teacher_probs: Tensor) -> dict[str, Tensor]:
        p_label = torch.softmax(logits, 1).gather(1, teacher_probs.argmax(1, keepdim=True)).squeeze(1)
        if kind == "gce":
            loss = ((1 - p_label.clamp_min(1e-12) ** GCE_Q) / GCE_Q).mean()
            return {"loss": loss, "gce": loss.detach()}
        reverse = (-RCE_LOG_ZERO * (1 - p_label)).mean()
        terms = loss_fn(logits, teacher_probs)
        return terms | {"loss": terms["loss"] + reverse, "rce": reverse.detach()}

    if kind not in ("gce", "symmetric"):
        raise ValueError(f"unknown noise-aware loss {kind!r}; expected none, gce or symmetric")
    return robust


@torch.no_grad()
def scale_logits(head: nn.Module, temperature: float) -> None:
    """Divide the head's logits by ``temperature`` (its linear layer's weight and bias), in place."""
    _, linear = split_head(head)
    linear.weight /= temperature
    linear.bias /= temperature
