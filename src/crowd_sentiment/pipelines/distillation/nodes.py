"""Nodes training the image student on teacher targets."""

from __future__ import annotations

import logging

import pandas as pd
from matplotlib.figure import Figure

from crowd_sentiment.core import distributed
from crowd_sentiment.core.checkpoints import CheckpointStore
from crowd_sentiment.core.distill import distill_student
from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.images import ImageStore
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS
from crowd_sentiment.core.plots import training_curves_figure
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.training import resolve_device
from crowd_sentiment.params import DistillationParams
from crowd_sentiment.tracking import MetricSeries, epoch_series

log = logging.getLogger(__name__)


def train_student(
    distillation_manifest: pd.DataFrame,
    tweet_image_store: ImageStore,
    image_feature_cache: FeatureCache,
    training_checkpoints: CheckpointStore,
    params: DistillationParams,
) -> tuple[StoredStudent, dict, pd.DataFrame, StoredStudent]:
    """Distil a student from the manifest's train split, monitored (minibatch: selected) on its validation
    split; a frozen-feature head is fitted on both with ``training.fit_validation``.

    Returns the stored student (spec + best weights), the full training checkpoint, the
    per-epoch history as a table (with images/s and MFU), and the stored student again, for the portable MLflow model. Under ``torchrun`` every process trains its shard (DDP).
    """
    splits = {name: frame for name, frame in distillation_manifest.groupby("split")}
    missing = {"train", "validation"} - set(splits)
    if missing:
        raise ValueError(f"distillation_manifest has no {sorted(missing)} rows")
    train, val = (
        ImageSet.from_frame(splits[name], root=tweet_image_store.root, targets=PROBABILITY_COLUMNS)
        for name in ("train", "validation")
    )
    process = distributed.init_from_env(params.runtime.backend)
    device = distributed.device_for(process, resolve_device(params.device))
    log.info("training on %d images, validating on %d (device %s, process %d of %d)",
             len(train), len(val), device, process.rank + 1, process.world)  # fmt: skip
    result = distill_student(train, val, params, device, cache=image_feature_cache, checkpoints=training_checkpoints)
    history = result.fit.history
    return result.student, result.checkpoint, pd.DataFrame(history), result.student


def track_training(training_history: pd.DataFrame) -> MetricSeries:
    """``training_history`` as MLflow series stepped by epoch (or L-BFGS block); empty cells are skipped."""
    return epoch_series(training_history.to_dict("records"))


def draw_training_figures(training_history: pd.DataFrame, params: DistillationParams) -> dict[str, Figure]:
    """The training curves of ``training_history`` (``core.plots.training_curves_figure``); its validation
    scores are in-sample when a frozen-feature head was also fitted on the validation rows."""
    return {"training_curves": training_curves_figure(training_history, in_sample=params.training.fits_validation_rows)}
