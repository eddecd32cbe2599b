"""Nodes training the image student on teacher targets."""

from __future__ import annotations

import logging

import pandas as pd
from torch import nn

from crowd_sentiment.core.distill import DistillationSetup, distill_student
from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.images import ImageStore
from crowd_sentiment.core.labels import PROBABILITY_COLUMNS
from crowd_sentiment.core.students import StudentSpec
from crowd_sentiment.core.training import TrainConfig, resolve_device
from crowd_sentiment.params import DistillationParams, parse

log = logging.getLogger(__name__)


def _setup(config: DistillationParams) -> DistillationSetup:
    student = config.student
    training = config.training
    return DistillationSetup(
        spec=StudentSpec(**student.model_dump(exclude={"weights", "train_backbone"})),
        weights=student.weights,
        train_backbone=student.train_backbone,
        train=TrainConfig(**training.model_dump(exclude={"class_weighting", "head_solver"})),
        class_weighting=training.class_weighting,
        head_solver=training.head_solver,
        seed=config.seed,
        num_workers=config.num_workers,
        feature_batch_size=config.feature_batch_size,
    )


def train_student(
    distillation_manifest: pd.DataFrame,
    tweet_image_store: ImageStore,
    image_feature_cache: FeatureCache,
    params: dict,
) -> tuple[dict, dict, pd.DataFrame, dict, nn.Module]:
    """Distil a student from the manifest's train split, selecting on its validation split.

    Returns:
        ``student_model`` (spec + best weights), ``student_checkpoint`` (full training
        state), ``training_history`` (one row per epoch), the same history as MLflow
        metric series, and the student module for MLflow's model registry format.
    """
    config = parse(DistillationParams, params)
    device = resolve_device(config.device)
    splits = {name: frame for name, frame in distillation_manifest.groupby("split")}
    missing = {"train", "validation"} - set(splits)
    if missing:
        raise ValueError(f"distillation_manifest has no {sorted(missing)} rows")
    paths = {name: [tweet_image_store.root / p for p in frame["path"]] for name, frame in splits.items()}
    targets = {name: frame[list(PROBABILITY_COLUMNS)].to_numpy("float32") for name, frame in splits.items()}
    log.info(
        "training on %d images, validating on %d (device %s)",
        len(paths["train"]),
        len(paths["validation"]),
        device,
    )
    result = distill_student(
        paths["train"],
        targets["train"],
        paths["validation"],
        targets["validation"],
        _setup(config),
        device,
        image_ids=(splits["train"]["image_id"].tolist(), splits["validation"]["image_id"].tolist()),
        cache=image_feature_cache,
    )
    history = pd.DataFrame(result.fit.history)
    series = {
        name: [{"step": int(row["epoch"]), "value": float(row[name])} for row in result.fit.history]
        for name in history.columns
        if name != "epoch"
    }
    keys = ("spec", "state_dict", "trained_module", "backbone_weights", "best_epoch")
    model = {key: result.checkpoint[key] for key in keys}
    return model, result.checkpoint, history, series, result.student
