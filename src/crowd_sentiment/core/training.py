"""Training loop: ``train_one_epoch`` / ``evaluate`` / ``fit``, the exact linear head, feature extraction.

Works for a whole student on image batches and for a head alone on cached feature
batches: both map a batch ``(B, ...)`` to logits ``(B, 3)``; targets are teacher
probabilities ``(B, 3)``. Validation is against the teacher's argmax, never a human label.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from pydantic import Field
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core import distributed
from crowd_sentiment.core.checkpoints import (
    CheckpointStore,
    TrainingInterrupted,
    rng_state,
    set_rng_state,
    stop_request,
)
from crowd_sentiment.core.flops import mfu, peak_flops
from crowd_sentiment.core.heads import fit_centroid, noise_aware_loss, split_head
from crowd_sentiment.core.image_sets import background
from crowd_sentiment.core.labels import SENTIMENTS
from crowd_sentiment.core.losses import LossFn, make_loss
from crowd_sentiment.core.metrics import classification_scores
from crowd_sentiment.core.polar import polar_roc_auc, polar_score
from crowd_sentiment.core.progress import progress_bar
from crowd_sentiment.core.schedules import warmup_cosine_scheduler
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
    penalty ``l2 · ||W - W₀||²`` (at most 25 · ``epochs`` L-BFGS iterations; it stops when converged); ``centroid``
    sets it to the class-centroid rule (``core.heads``); ``minibatch`` is the paper's recipe
    (epochs of RAdam with label smoothing 0.2), also for fine-tuning.
    ``shrink_to``: ``W₀`` of the lbfgs penalty: ``zero`` (plain L2) or ``centroid`` (the
    centroid head's weights: a strong penalty pulls the head toward the centroid rule).
    ``decision``: ``argmax`` = the binary call is ``p_pos > p_neg``; ``prior`` = its bias is
    shifted so the share called positive on the training crowd equals the teacher's positive
    share there, or ``positive_share`` when it is above 0.
    ``calibration_temperature``: the head's logits are divided by it (before ``decision``):
    calibrates probabilities, changes no ranking. Both: frozen-feature heads only (a
    fine-tuned student keeps ``argmax`` and its own logits).
    ``fit_validation``: frozen-feature heads (lbfgs, centroid) are fitted on the validation rows
    too, which then only monitor the fit (their history figures are in-sample); neither solver
    selects anything on them. ``minibatch`` ignores it: it selects its best epoch there.
    ``noise_loss``: lbfgs heads only (the centroid rule has no fitted weights): ``none`` (``loss``), ``gce`` or ``symmetric``
    (``core.heads.noise_aware_loss``: bounded losses against wrong teacher labels).
    ``loss``: ``hard`` = teacher argmax with label smoothing; ``soft`` = T² KL to the teacher.
    ``patience``: epochs without validation improvement before stopping; 0 = never.
    ``warmup_epochs``: linear learning-rate warm-up (fractions allowed), then cosine decay per step.
    ``accumulation_steps``: micro-batches per optimiser step (effective batch = ``batch_size`` × this).
    """

    head_solver: Literal["minibatch", "lbfgs", "centroid"] = "lbfgs"
    l2: float = Field(3.0, ge=0)
    shrink_to: Literal["zero", "centroid"] = "zero"
    decision: Literal["argmax", "prior"] = "prior"
    positive_share: float = Field(0.75, ge=0, lt=1)
    calibration_temperature: float = Field(0.19, gt=0)
    noise_loss: Literal["none", "gce", "symmetric"] = "none"
    fit_validation: bool = True
    epochs: int = Field(20, ge=1)
    batch_size: int = Field(64, ge=1)
    loss: Literal["hard", "soft"] = "hard"
    label_smoothing: float = Field(0.2, ge=0, lt=1)
    temperature: float = Field(1.0, gt=0)
    class_weighting: Literal["none", "balanced"] = "none"
    patience: int = Field(0, ge=0)
    warmup_epochs: float = Field(0.0, ge=0)
    accumulation_steps: int = Field(1, ge=1)

    @property
    def fits_validation_rows(self) -> bool:
        """Whether the head is fitted on the validation rows too (``fit_validation``; ``minibatch`` ignores it)."""
        return self.fit_validation and self.head_solver != "minibatch"

    def loss_fn(self, class_weights: Tensor | None = None) -> LossFn:
        """The training loss with these settings bound."""
        return make_loss(
            self.loss,
            label_smoothing=self.label_smoothing,
            temperature=self.temperature,
            class_weights=class_weights,
        )


class RuntimeSettings(Settings):
    """How training uses its hardware; none of these changes what is learnt beyond rounding.

    ``precision``: ``auto`` = bf16 autocast on CUDA, fp32 elsewhere; ``fp16`` adds a gradient scaler.
    ``compile``: ``torch.compile`` the model (opt-in: the first steps compile).
    ``channels_last``: NHWC memory format for convolutional students.
    ``checkpoint_every``: optimiser steps between checkpoints; 0 = at the end of each epoch only.
    ``resume``: continue exactly from the last checkpoint, when there is one.
    ``backend``: ``torch.distributed`` backend under ``torchrun``; ``auto`` = nccl on CUDA, else gloo.
    ``peak_tflops``: one device's peak for MFU; 0 = looked up from the GPU's name (none on CPU).
    """

    precision: Literal["auto", "bf16", "fp16", "fp32"] = "auto"
    compile: bool = False
    channels_last: bool = True
    checkpoint_every: int = Field(0, ge=0)
    resume: bool = False
    backend: Literal["auto", "nccl", "gloo"] = "auto"
    peak_tflops: float = Field(0.0, ge=0)


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


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype of ``precision`` on ``device``; ``None`` = plain fp32."""
    if precision == "auto":
        return torch.bfloat16 if device.type == "cuda" else None
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": None}[precision]


def _autocast(device: torch.device, dtype: torch.dtype | None):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def is_convolutional(model: nn.Module) -> bool:
    """More than one 2-D convolution (a CNN, not a ViT with its one patch-embedding convolution)."""
    return sum(isinstance(m, nn.Conv2d) for m in model.modules()) > 1


def make_optimizer(
    parameters: Iterable[nn.Parameter], settings: OptimiserSettings, *, fused: bool = False
) -> torch.optim.Optimizer:
    """RAdam (decoupled weight decay), AdamW or SGD (momentum 0.9) over the trainable parameters.

    ``fused``: one fused CUDA kernel per step for AdamW and SGD, multi-tensor (foreach) for RAdam.
    """
    name, lr, weight_decay = settings.optimizer, settings.lr, settings.weight_decay
    params = [p for p in parameters if p.requires_grad]
    if not params:
        raise ValueError("no trainable parameters")
    fast = {"fused": True} if fused else {}
    if name == "radam":
        return torch.optim.RAdam(
            params, lr=lr, weight_decay=weight_decay, decoupled_weight_decay=True, foreach=fused or None
        )
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, **fast)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay, **fast)
    raise ValueError(f"unknown optimizer {name!r}; expected radam, adamw or sgd")


def train_one_epoch(
    model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, loss_fn: LossFn, device: torch.device
) -> dict[str, float]:
    """One plain fp32 pass over ``loader``; returns the sample-weighted mean ``train_loss``.

    Raises ``FloatingPointError`` on a non-finite loss instead of training on NaNs.
    """
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        loss = loss_fn(model(inputs), targets)["loss"]
        _check_finite(loss, count)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(inputs)
        count += len(inputs)
    return {"train_loss": total / max(count, 1)}


def _check_finite(loss: Tensor, count: int) -> None:
    if not torch.isfinite(loss):
        raise FloatingPointError(f"non-finite training loss {loss.item()} after {count} samples")


Prepare = Callable[[Tensor], Tensor]


@torch.inference_mode()
def predict_proba(
    model: nn.Module,
    loader: DataLoader,
    device: torch.device,
    *,
    prepare: Prepare | None = None,
    dtype: torch.dtype | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities ``(N, C)`` and the loader's targets ``(N, K)``, in loader order.

    ``prepare`` maps a batch on the device to model input (e.g. ``uint8`` → normalised float).
    """
    model.eval()
    probs, targets = [], []
    for inputs, target in loader:
        inputs = inputs.to(device, non_blocking=True)
        with _autocast(device, dtype):
            logits = model(prepare(inputs) if prepare else inputs)
        probs.append(torch.softmax(logits.float(), dim=1).cpu())
        targets.append(target)
    return torch.cat(probs).numpy(), torch.cat(targets).numpy()


def evaluate(
    model: nn.Module,
    loader: DataLoader,
    loss_fn: LossFn,
    device: torch.device,
    *,
    prepare: Prepare | None = None,
    dtype: torch.dtype | None = None,
) -> dict[str, float]:
    """``val_loss``, accuracy and macro-F1 against the teacher's argmax, and ``val_polar_auc``.

    ``val_polar_auc``: ROC-AUC of ``p_pos - p_neg`` on the teacher's polar items, the
    benchmarks' binary protocol measured against teacher labels.
    """
    probs, teacher = predict_proba(model, loader, device, prepare=prepare, dtype=dtype)
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
    block_iterations: int = 5,
    relative_tolerance: float = 1e-6,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> FitResult:
    """Fit a linear head on fixed features ``(N, F)`` exactly: full-batch L-BFGS on a convex loss.

    Minimises ``mean_i loss(W x_i + b, p_i) + l2 · ||W||²`` with at most ``settings.epochs ·
    iterations_per_epoch`` iterations, in blocks of ``block_iterations``. Each block that
    lowers the objective by more than ``relative_tolerance`` (relative) is one history row
    (``epoch`` = block, ``iterations`` so far, ``objective``, ``train_loss`` without the
    penalty, validation metrics); the first block that does not ends the fit (converged), so
    the curve stops where the optimum is reached. The final weights are kept. ``head`` must
    end in its only ``nn.Linear``.
    """
    _, linear = split_head(head)
    features, targets = train
    loss_fn = noise_aware_loss(settings.noise_loss, settings.loss_fn())
    anchor = torch.zeros_like(linear.weight)
    if settings.shrink_to == "centroid":
        fit_centroid(head, features, targets, loss_fn)
        anchor = linear.weight.detach().clone()
    with torch.no_grad():
        linear.weight.copy_(anchor)
    nn.init.zeros_(linear.bias)
    optimizer = torch.optim.LBFGS(
        linear.parameters(), lr=1, max_iter=block_iterations, line_search_fn="strong_wolfe"
    )
    val_loader = DataLoader(TensorDataset(*val), batch_size=4096)
    head.eval()

    def penalised() -> tuple[Tensor, Tensor]:  # (objective, its data term)
        data = loss_fn(head(features), targets)["loss"]
        return data + settings.l2 * (linear.weight - anchor).pow(2).sum(), data

    def closure() -> Tensor:
        optimizer.zero_grad()
        loss = penalised()[0]
        if not torch.isfinite(loss):
            raise FloatingPointError(f"non-finite training loss {loss.item()}")
        loss.backward()
        return loss

    def iterations() -> int:
        return int(optimizer.state[linear.weight].get("n_iter", 0))

    history: list[dict[str, float]] = []
    blocks = -(-settings.epochs * iterations_per_epoch // block_iterations)
    with torch.no_grad():
        start = previous = float(penalised()[0])
    converged = False
    for block in progress_bar(range(1, blocks + 1), desc="linear head (L-BFGS)", unit="block"):
        optimizer.step(closure)
        with torch.no_grad():
            objective, data_loss = (float(value) for value in penalised())
        converged = previous - objective <= relative_tolerance * max(abs(previous), 1e-12)
        if converged and history:
            break
        previous = objective
        metrics = {"epoch": float(block), "iterations": float(iterations()), "objective": objective,
                   "train_loss": data_loss} | evaluate(head, val_loader, loss_fn, torch.device("cpu"))  # fmt: skip
        history.append(metrics)
        if on_epoch is not None:
            on_epoch(metrics)
    last = history[-1]
    log.info("linear head (L-BFGS, l2=%g): %s after %d iterations (%d curve points, one per %d iterations); objective %.4f → %.4f, "
             "train_loss=%.4f val_polar_auc=%.3f val_macro_f1=%.3f; final weights kept",
             settings.l2, "converged" if converged else "stopped at the iteration budget", iterations(), len(history),
             block_iterations, start, previous, last["train_loss"], last["val_polar_auc"],
             last["val_macro_f1"])  # fmt: skip
    return FitResult(copy.deepcopy(head.state_dict()), len(history), history, optimizer.state_dict())


def fit_centroid_head(
    head: nn.Module, train: tuple[Tensor, Tensor], val: tuple[Tensor, Tensor], settings: TrainingSettings, *,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> FitResult:  # fmt: skip
    """Set a linear head to the class-centroid rule of ``train`` (features ``(N, F)``, targets ``(N, 3)``).

    One history entry (epoch 1): training loss and the validation metrics against teacher labels.
    """
    loss_fn = settings.loss_fn()
    head.eval()
    fit_centroid(head, *train, loss_fn)
    with torch.no_grad():
        metrics = {"epoch": 1.0, "train_loss": float(loss_fn(head(train[0]), train[1])["loss"])}
    metrics |= evaluate(head, DataLoader(TensorDataset(*val), batch_size=4096), loss_fn, torch.device("cpu"))
    if on_epoch is not None:
        on_epoch(metrics)
    log.info("centroid head: train_loss=%.4f val_polar_auc=%.3f", metrics["train_loss"], metrics["val_polar_auc"])
    return FitResult(copy.deepcopy(head.state_dict()), 1, [metrics])




@dataclass
class _Progress:
    """Where a fit stands: the part of the training state that is not a module's ``state_dict``."""

    epoch: int = 1  # the epoch being run (1-based)
    batches_done: int = 0  # micro-batches of ``epoch`` already trained
    step: int = 0  # optimiser steps so far
    loss_sum: float = 0.0  # this epoch's sample-weighted training loss so far (all processes)
    samples: int = 0  # this epoch's training samples so far (all processes)
    seconds: float = 0.0  # this epoch's training time so far
    best_key: tuple[float, float] = (-math.inf, -math.inf)
    best_epoch: int = 0
    best_state: dict[str, Tensor] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)
    finished: bool = False


class _Loop:
    """One :func:`fit`: the model, its optimiser, schedule and scaler, and their checkpoints."""

    bar = None  # fit's progress bar over micro-batches, when it runs one

    def __init__(self, model, train_loader, val_loader, settings, device, class_weights, runtime, checkpoints,
                 prepare, flops_per_item):  # fmt: skip
        self.process = distributed.current()
        self.model, self.settings, self.device, self.runtime = model.to(device), settings, device, runtime
        self.train_loader, self.val_loader, self.prepare = train_loader, val_loader, prepare
        self.checkpoints = checkpoints if self.process.is_main else None
        self.channels_last = runtime.channels_last and is_convolutional(model)
        if self.channels_last:
            model.to(memory_format=torch.channels_last)
        self.dtype = autocast_dtype(runtime.precision, device)
        weights = None if class_weights is None else class_weights.to(device)
        self.train_loss, self.val_loss = settings.loss_fn(weights), settings.loss_fn()
        self.optimizer = make_optimizer(model.parameters(), settings, fused=device.type == "cuda")
        _set_epoch(train_loader, 1, 0)
        self.batches = len(train_loader)
        self.steps_per_epoch = -(-self.batches // settings.accumulation_steps)
        warmup = round(settings.warmup_epochs * self.steps_per_epoch)
        self.scheduler = warmup_cosine_scheduler(self.optimizer, self.steps_per_epoch * settings.epochs, warmup)
        self.scaler = torch.amp.GradScaler(device.type, enabled=self.dtype is torch.float16)
        self.peak = peak_flops(device, low_precision=self.dtype is not None, override_tflops=runtime.peak_tflops)
        self.flops_per_item = flops_per_item
        self.progress = _Progress(best_state=copy.deepcopy(model.state_dict()))
        net = model
        if self.process.distributed:
            ids = [device.index] if device.type == "cuda" else None
            net = nn.parallel.DistributedDataParallel(model, device_ids=ids)
        self.net = torch.compile(net) if runtime.compile else net

    # ---------------------------------------------------------------- checkpoints
    def state(self) -> dict:
        progress = self.progress
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": rng_state(),
            "epoch": progress.epoch,
            "batches_done": progress.batches_done,
            "step": progress.step,
            "totals": [progress.loss_sum, float(progress.samples), progress.seconds],
            "best": {"key": list(progress.best_key), "epoch": progress.best_epoch, "state": progress.best_state},
            "history": progress.history,
            "finished": progress.finished,
            "world": self.process.world,
        }

    def restore(self, state: dict) -> None:
        if state["world"] != self.process.world:
            raise ValueError(
                f"the checkpoint was written by {state['world']} processes, this run has {self.process.world}: "
                "resume with the same number of processes, or set runtime.resume false"
            )
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        set_rng_state(state["rng"])
        loss_sum, samples, seconds = state["totals"]
        best = state["best"]
        self.progress = _Progress(
            state["epoch"], state["batches_done"], state["step"], loss_sum, int(samples), seconds,
            tuple(best["key"]), best["epoch"], best["state"], state["history"], state["finished"],
        )  # fmt: skip
        log.info("resuming at epoch %d, batch %d (step %d)", self.progress.epoch, self.progress.batches_done,
                 self.progress.step)  # fmt: skip

    def save(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.write(self.state())
        distributed.barrier()

    # ---------------------------------------------------------------- training
    def _micro_batch(self, inputs: Tensor, targets: Tensor, scale: float, sync: bool, seen: int) -> float:
        inputs = inputs.to(self.device, non_blocking=True)
        targets = targets.to(self.device, non_blocking=True)
        if self.prepare is not None:
            inputs = self.prepare(inputs)
        elif inputs.dim() == 4 and self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        no_sync = getattr(self.net, "no_sync", None)
        context = no_sync() if (no_sync is not None and not sync) else contextlib.nullcontext()
        with context:
            with _autocast(self.device, self.dtype):
                logits = self.net(inputs)
            loss = self.train_loss(logits.float(), targets)["loss"]
            _check_finite(loss, seen)
            self.scaler.scale(loss * scale).backward()
        return loss.item() * len(inputs)

    def _optimiser_step(self) -> None:
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.step()
        self.progress.step += 1

    def train_epoch(self) -> None:
        """Train the rest of ``progress.epoch``; checkpoints and stop requests fall between optimiser steps."""
        progress, accumulate = self.progress, self.settings.accumulation_steps
        batch_size = self.train_loader.batch_size or 1
        _set_epoch(self.train_loader, progress.epoch, progress.batches_done * batch_size)
        self.net.train()
        self.optimizer.zero_grad(set_to_none=True)
        started, loss_sum, samples = time.perf_counter(), 0.0, 0
        for inputs, targets in self.train_loader:
            group_start = progress.batches_done - progress.batches_done % accumulate
            group = min(accumulate, self.batches - group_start)
            progress.batches_done += 1
            if self.bar is not None:
                self.bar.update()
            last_of_group = progress.batches_done - group_start == group
            loss_sum += self._micro_batch(inputs, targets, 1.0 / group, last_of_group, self.progress.samples + samples)
            samples += len(inputs)
            if not last_of_group:
                continue
            self._optimiser_step()
            stop = distributed.any_process(stop_request.is_set(), self.device)
            every = self.runtime.checkpoint_every
            if stop or (every and progress.step % every == 0 and progress.batches_done < self.batches):
                loss_sum, samples, started = self._bank(loss_sum, samples, started)
                self.save()
            if stop:
                where = self.checkpoints.path if self.checkpoints else "rank 0's checkpoint"
                raise TrainingInterrupted(
                    f"training stopped by {stop_request.reason or 'a stop request'} after step {progress.step} "
                    f"(epoch {progress.epoch}); its state is in {where}: rerun with runtime.resume true to continue"
                )
        self._bank(loss_sum, samples, started)

    def _bank(self, loss_sum: float, samples: int, started: float) -> tuple[float, int, float]:
        """Add this process's running sums to the epoch's totals (over every process); restart them."""
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        totals = distributed.all_reduce_sum(torch.tensor([loss_sum, float(samples)], dtype=torch.float64,
                                                         device=self.device))  # fmt: skip
        self.progress.loss_sum += float(totals[0])
        self.progress.samples += int(totals[1])
        self.progress.seconds += time.perf_counter() - started
        return 0.0, 0, time.perf_counter()

    def end_epoch(self) -> dict[str, float]:
        progress = self.progress
        metrics = {
            "epoch": float(progress.epoch),
            "lr": self.settings.lr * self.scheduler.lr_lambdas[0]((progress.epoch - 1) * self.steps_per_epoch),
            "train_loss": progress.loss_sum / max(progress.samples, 1),
            "images_per_second": progress.samples / max(progress.seconds, 1e-9),
        }
        if self.flops_per_item and self.peak:
            metrics["mfu"] = mfu(metrics["images_per_second"], self.flops_per_item, self.peak, self.process.world)
        metrics |= evaluate(self.model, self.val_loader, self.val_loss, self.device, prepare=self.prepare,
                            dtype=self.dtype)  # fmt: skip
        progress.history.append(metrics)
        key = (metrics["val_macro_f1"], -metrics["val_loss"])
        if key > progress.best_key:
            progress.best_key, progress.best_epoch = key, progress.epoch
            progress.best_state = copy.deepcopy(self.model.state_dict())
        log.info("epoch %d/%d train_loss=%.4f val_loss=%.4f val_acc=%.3f val_macro_f1=%.3f images/s=%.1f",
                 progress.epoch, self.settings.epochs, metrics["train_loss"], metrics["val_loss"],
                 metrics["val_accuracy"], metrics["val_macro_f1"], metrics["images_per_second"])  # fmt: skip
        patience = self.settings.patience
        if progress.epoch >= self.settings.epochs or (patience and progress.epoch - progress.best_epoch >= patience):
            progress.finished = True
            if progress.epoch < self.settings.epochs:
                log.info("stopping early: no validation improvement for %d epochs", patience)
        progress.epoch, progress.batches_done = progress.epoch + 1, 0
        progress.loss_sum, progress.samples, progress.seconds = 0.0, 0, 0.0
        return metrics


def _set_epoch(loader: DataLoader, epoch: int, skip: int) -> None:
    """Point the loader's sampler (and dataset) at ``epoch``, skipping ``skip`` samples of this process."""
    sampler = loader.sampler
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(epoch, skip)
        # the iterator's worker seed comes from here, not from the global RNG a checkpoint restores
        loader.generator = torch.Generator().manual_seed(1_000_003 * epoch + skip)
    elif skip:
        raise ValueError("resuming within an epoch needs a loader whose sampler is a core.distributed.EpochSampler")
    if hasattr(loader.dataset, "set_epoch"):
        loader.dataset.set_epoch(epoch)


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader,
    settings: TrainingSettings,
    device: torch.device,
    *,
    class_weights: Tensor | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
    runtime: RuntimeSettings | None = None,
    checkpoints: CheckpointStore | None = None,
    prepare: Prepare | None = None,
    flops_per_item: float = 0.0,
) -> FitResult:
    """Train for ``settings.epochs`` with warm-up and per-step cosine decay; keep the best epoch.

    Best = highest validation macro-F1 against teacher labels, ties to the lowest
    validation loss. ``class_weights`` ``(3,)`` weight the training loss only. With
    ``checkpoints``, the full state is saved every ``runtime.checkpoint_every`` optimiser
    steps and after each epoch, and ``runtime.resume`` continues from it exactly. A stop
    request (``core.checkpoints.stop_request``) ends the run after the current step with a
    checkpoint, raising :class:`TrainingInterrupted`. Under ``torch.distributed`` the model
    is wrapped in DDP and every process must call this. ``flops_per_item``: training FLOPs
    of one item, for the ``mfu`` metric.
    """
    runtime = runtime or RuntimeSettings()
    stop_request.clear()
    loop = _Loop(model, train_loader, val_loader, settings, device, class_weights, runtime, checkpoints, prepare,
                 flops_per_item)  # fmt: skip
    saved = checkpoints.read() if (checkpoints is not None and runtime.resume) else None
    if saved is not None:
        loop.restore(saved)
        for metrics in loop.progress.history if on_epoch is not None else ():
            on_epoch(metrics)
    done = (loop.progress.epoch - 1) * loop.batches + loop.progress.batches_done
    with stop_request, progress_bar(total=settings.epochs * loop.batches, initial=done, desc="training",
                                    unit="batch") as loop.bar:  # fmt: skip
        while not loop.progress.finished:
            loop.train_epoch()
            metrics = loop.end_epoch()
            if on_epoch is not None:
                on_epoch(metrics)
            if checkpoints is not None:
                loop.save()
    progress = loop.progress
    return FitResult(progress.best_state, progress.best_epoch, progress.history, loop.optimizer.state_dict())


@torch.inference_mode()
def extract_features(
    backbone: nn.Module, loader: DataLoader, device: torch.device, *,
    prepare: Prepare | None = None, dtype: torch.dtype | None = None, prefetch: bool = True,
) -> Tensor:  # fmt: skip
    """Pooled backbone features ``(N, F)`` float32 for every batch of ``loader``, in order.

    Convolutional backbones run channels-last; with ``prefetch`` (and no loader workers)
    a background thread decodes the next batches while the backbone runs.
    """
    backbone.eval().to(device)
    channels_last = is_convolutional(backbone)
    if channels_last:
        backbone.to(memory_format=torch.channels_last)
    features, bar = [], progress_bar(total=len(loader.dataset), desc="features", unit="img")
    batches = background(loader) if (prefetch and loader.num_workers == 0) else loader
    try:
        for inputs, _ in batches:
            inputs = inputs.to(device, non_blocking=True)
            inputs = prepare(inputs) if prepare is not None else inputs
            if channels_last and inputs.dim() == 4:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            with _autocast(device, dtype):
                features.append(backbone(inputs).float().cpu())
            bar.update(len(inputs))
    finally:
        bar.close()
        if channels_last:
            backbone.to(memory_format=torch.contiguous_format)
    return torch.cat(features)
