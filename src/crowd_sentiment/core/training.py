"""Training loop: ``train_one_epoch`` / ``evaluate`` / ``fit``, the exact linear head, feature extraction.

Works for a whole student on image batches and for a head alone on cached feature
batches: both map a batch ``(B, ...)`` to logits ``(B, 3)``; targets are teacher
probabilities ``(B, 3)``. Validation is against the teacher's argmax, never a human label.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.core.losses import LossFn, make_loss
from crowd_sentiment.core.metrics import classification_scores
from crowd_sentiment.core.polar import polar_roc_auc, polar_score
from crowd_sentiment.core.settings import Settings

log = logging.getLogger(__name__)

OptimizerName = Literal["radam", "adamw", "sgd"]


class OptimiserSettings(Settings):
    """The optimiser: RAdam (the paper's), AdamW or SGD, its learning rate and weight decay."""

    optimizer: OptimizerName = "radam"
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)


class TrainingSettings(OptimiserSettings):
    """How the student (or its head) is trained on teacher targets.

    ``head_solver``: ``lbfgs`` fits a linear head on frozen features exactly, with the
    penalty ``l2 · ||W||²`` (``epochs`` = rounds of 25 L-BFGS iterations); ``minibatch`` is
    the paper's recipe (epochs of RAdam with label smoothing 0.2), also for fine-tuning.
    ``loss``: ``hard`` = teacher argmax with label smoothing; ``soft`` = T² KL to the teacher.
    ``patience``: epochs without validation improvement before stopping; 0 = never.
    """

    head_solver: Literal["minibatch", "lbfgs"] = "lbfgs"
    l2: float = Field(0.3, ge=0)
    epochs: int = Field(20, ge=1)
    batch_size: int = Field(64, ge=1)
    loss: Literal["hard", "soft"] = "hard"
    label_smoothing: float = Field(0.2, ge=0, lt=1)
    temperature: float = Field(1.0, gt=0)
    class_weighting: Literal["none", "balanced"] = "none"
    patience: int = Field(0, ge=0)

    def loss_fn(self, class_weights: Tensor | None = None) -> LossFn:
        """The training loss with these settings bound."""
        return make_loss(
            self.loss,
            label_smoothing=self.label_smoothing,
            temperature=self.temperature,
            class_weights=class_weights,
        )


@dataclass
class FitResult:
    """Best weights (by validation macro-F1 against teacher labels) and per-epoch history."""

    best_state: dict[str, Tensor]
    best_epoch: int
    history: list[dict[str, float]] = field(default_factory=list)
    optimizer_state: dict = field(default_factory=dict)  # after the last epoch run


def resolve_device(name: str) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; anything else is passed to ``torch.device``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def make_optimizer(parameters: Iterable[nn.Parameter], settings: OptimiserSettings) -> torch.optim.Optimizer:
    """RAdam (decoupled weight decay), AdamW or SGD (momentum 0.9) over the trainable parameters."""
    name, lr, weight_decay = settings.optimizer, settings.lr, settings.weight_decay
    params = [p for p in parameters if p.requires_grad]
    if not params:
        raise ValueError("no trainable parameters")
    if name == "radam":
        return torch.optim.RAdam(params, lr=lr, weight_decay=weight_decay, decoupled_weight_decay=True)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; expected radam, adamw or sgd")


def train_one_epoch(
    model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, loss_fn: LossFn, device: torch.device
) -> dict[str, float]:
    """One pass over ``loader``; returns the sample-weighted mean ``train_loss``.

    Raises ``FloatingPointError`` on a non-finite loss instead of training on NaNs.
    """
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        loss = loss_fn(model(inputs), targets)["loss"]
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite training loss {loss.item()} after {count} samples")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(inputs)
        count += len(inputs)
    return {"train_loss": total / max(count, 1)}


@torch.inference_mode()
def predict_proba(model: nn.Module, loader: DataLoader, device: torch.device) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities ``(N, C)`` and the loader's targets ``(N, K)``, in loader order."""
    model.eval()
    probs, targets = [], []
    for inputs, target in loader:
        probs.append(torch.softmax(model(inputs.to(device)).float(), dim=1).cpu())
        targets.append(target)
    return torch.cat(probs).numpy(), torch.cat(targets).numpy()


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: LossFn, device: torch.device) -> dict[str, float]:
    """``val_loss``, accuracy and macro-F1 against the teacher's argmax, and ``val_polar_auc``.

    ``val_polar_auc``: ROC-AUC of ``p_pos - p_neg`` on the teacher's polar items, the
    benchmarks' binary protocol measured against teacher labels.
    """
    probs, teacher = predict_proba(model, loader, device)
    logits = torch.from_numpy(np.log(np.clip(probs, 1e-12, None)))
    loss = loss_fn(logits, torch.from_numpy(teacher))["loss"]
    labels = teacher.argmax(1)
    scores = classification_scores(labels, probs.argmax(1), SENTIMENTS)
    return {
        "val_loss": float(loss),
        "val_accuracy": scores["accuracy"],
        "val_macro_f1": scores["macro_f1"],
        "val_polar_auc": polar_roc_auc(labels, polar_score(probs), n_classes=3),
    }


def fit_linear_head(
    head: nn.Module,
    train: tuple[Tensor, Tensor],
    val: tuple[Tensor, Tensor],
    settings: TrainingSettings,
    *,
    iterations_per_epoch: int = 25,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> FitResult:
    """Fit a linear head on fixed features ``(N, F)`` exactly: full-batch L-BFGS on a convex loss.

    Minimises ``mean_i loss(W x_i + b, p_i) + l2 · ||W||²``. Each of ``settings.epochs``
    rounds runs up to ``iterations_per_epoch`` iterations and records the metrics; the
    final weights are kept. ``head`` must end in its only ``nn.Linear``.
    """
    linear = head[-1] if isinstance(head, nn.Sequential) else head
    layers = [m for m in head.modules() if isinstance(m, nn.Linear)]
    if not isinstance(linear, nn.Linear) or layers != [linear]:
        raise ValueError("fit_linear_head needs a head whose only weight layer is its final nn.Linear")
    features, targets = train
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    optimizer = torch.optim.LBFGS(
        linear.parameters(), lr=1, max_iter=iterations_per_epoch, line_search_fn="strong_wolfe"
    )
    loss_fn = settings.loss_fn()
    val_loader = DataLoader(TensorDataset(*val), batch_size=4096)
    head.eval()

    def closure() -> Tensor:
        optimizer.zero_grad()
        loss = loss_fn(head(features), targets)["loss"] + settings.l2 * linear.weight.pow(2).sum()
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite training loss {loss.item()}")
        loss.backward()
        return loss

    history = []
    for epoch in range(1, settings.epochs + 1):
        optimizer.step(closure)
        metrics = {"epoch": float(epoch), "train_loss": float(closure().detach())}
        metrics |= evaluate(head, val_loader, loss_fn, torch.device("cpu"))
        history.append(metrics)
        if on_epoch is not None:
            on_epoch(metrics)
    last = history[-1]
    log.info("linear head (L-BFGS, l2=%g, %d rounds): train_loss=%.4f val_polar_auc=%.3f val_macro_f1=%.3f",
             settings.l2, settings.epochs, last["train_loss"], last["val_polar_auc"], last["val_macro_f1"])  # fmt: skip
    return FitResult(copy.deepcopy(head.state_dict()), settings.epochs, history, optimizer.state_dict())


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader,
    settings: TrainingSettings,
    device: torch.device,
    *,
    class_weights: Tensor | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> FitResult:
    """Train for ``settings.epochs`` with cosine learning-rate decay; keep the best epoch.

    Best = highest validation macro-F1 against teacher labels, ties to the lowest
    validation loss. ``class_weights`` ``(3,)`` weight the training loss only.
    """
    model.to(device)
    if class_weights is not None:
        class_weights = class_weights.to(device)
    train_loss, val_loss = settings.loss_fn(class_weights), settings.loss_fn()
    optimizer = make_optimizer(model.parameters(), settings)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(settings.epochs, 1))
    best_key, best_epoch, best_state = (-math.inf, -math.inf), 0, copy.deepcopy(model.state_dict())
    history: list[dict[str, float]] = []
    for epoch in range(1, settings.epochs + 1):
        metrics = {"epoch": float(epoch), "lr": optimizer.param_groups[0]["lr"]}
        metrics |= train_one_epoch(model, train_loader, optimizer, train_loss, device)
        metrics |= evaluate(model, val_loader, val_loss, device)
        scheduler.step()
        history.append(metrics)
        key = (metrics["val_macro_f1"], -metrics["val_loss"])
        if key > best_key:
            best_key, best_epoch, best_state = key, epoch, copy.deepcopy(model.state_dict())
        log.info("epoch %d/%d train_loss=%.4f val_loss=%.4f val_acc=%.3f val_macro_f1=%.3f",
                 epoch, settings.epochs, metrics["train_loss"], metrics["val_loss"],
                 metrics["val_accuracy"], metrics["val_macro_f1"])  # fmt: skip
        if on_epoch is not None:
            on_epoch(metrics)
        if settings.patience and epoch - best_epoch >= settings.patience:
            log.info("stopping early: no validation improvement for %d epochs", settings.patience)
            break
    return FitResult(best_state, best_epoch, history, optimizer.state_dict())


@torch.inference_mode()
def extract_features(backbone: nn.Module, loader: DataLoader, device: torch.device) -> Tensor:
    """Pooled backbone features ``(N, F)`` float32 for every batch of ``loader``, in order."""
    backbone.eval().to(device)
    features = []
    done, total = 0, len(loader.dataset)
    for inputs, _ in loader:
        features.append(backbone(inputs.to(device)).float().cpu())
        done += len(inputs)
        log.info("features: %d/%d images", done, total)
    return torch.cat(features)
