"""Distillation benchmarks on CPU: frozen-backbone feature extraction (old vs new path), training images/s.

    .venv/bin/python benchmarks/bench_distillation.py            # all (make bench-distillation)
    .venv/bin/python benchmarks/bench_distillation.py features   # old vs new feature path, same images, ratio
    .venv/bin/python benchmarks/bench_distillation.py training   # head on frozen features; full Lite0 fine-tuning

Images: the first ``--images`` pictures of the MVSA image store (``data/mvsa/02_intermediate/
tweet_image_store``, written by ``make mvsa``), else of the sample's store (``make run``).
Features: the EfficientNet-Lite0 student of ``conf/base`` with its packaged weights. The old
path is the code before this change (float tensors per picture through ``ToTensor`` +
``Normalize``, contiguous NCHW, decoding in the same thread as the model); the new one is
``core.feature_cache.cached_features`` without a cache (uint8 pictures decoded ahead in a
background thread, normalised per batch, channels-last). Each path runs ``--rounds`` times,
alternating, and its best round counts; the largest absolute feature difference is printed.
Training: images/s of ``core.training.fit`` as logged per epoch (training part only).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from crowd_sentiment.core.distributed import EpochSampler
from crowd_sentiment.core.feature_cache import cached_features
from crowd_sentiment.core.image_sets import ImageFiles, ImageSet
from crowd_sentiment.core.students import StudentSpec, build_student, set_backbone_trainable
from crowd_sentiment.core.training import RuntimeSettings, TrainingSettings, fit
from crowd_sentiment.core.transforms import (
    augment_transform,
    batch_normalize,
    eval_transform,
    frame_transform,
)

ROOT = Path(__file__).resolve().parents[1]
STORES = [ROOT / "data/mvsa/02_intermediate/tweet_image_store", ROOT / "data/02_intermediate/tweet_image_store"]
CPU = torch.device("cpu")


def _images(n: int) -> ImageSet:
    for store in STORES:
        paths = sorted(store.rglob("*.jpg"))[:n] if store.is_dir() else []
        if paths:
            print(f"images: {len(paths)} from {store.relative_to(ROOT)}")
            return ImageSet.of([p.stem for p in paths], paths, np.full((len(paths), 3), 1 / 3, np.float32))
    sys.exit(f"no stored pictures under {[str(s) for s in STORES]}: run `make mvsa` or `make run` first")


@torch.inference_mode()
def _old_features(backbone, spec: StudentSpec, images: ImageSet, batch_size: int) -> torch.Tensor:
    """The feature path before this change (commit 8a78bc7), kept here as the baseline."""
    backbone.eval()
    loader = DataLoader(ImageFiles(images, eval_transform(spec)), batch_size=batch_size, shuffle=False)
    return torch.cat([backbone(inputs).float() for inputs, _ in loader])


def features(n: int, rounds: int, batch_size: int) -> None:
    images, spec = _images(n), StudentSpec(levels=0)  # old and new: the same pooled features
    backbone = build_student(spec).backbone
    levels = StudentSpec().levels
    paths = {
        "old": lambda: _old_features(backbone, spec, images, batch_size),
        "new": lambda: cached_features(backbone, spec, images, CPU, cache=None, batch_size=batch_size),
        "levels": lambda: cached_features(
            backbone, spec.model_copy(update={"levels": levels}), images, CPU, cache=None, batch_size=batch_size
        ),
    }
    best, outputs = dict.fromkeys(paths, 0.0), {}
    for _ in range(rounds):
        for name, run in paths.items():
            started = time.perf_counter()
            outputs[name] = run()
            best[name] = max(best[name], len(images) / (time.perf_counter() - started))
    diff = (outputs["old"] - outputs["new"]).abs().max().item()
    print(f"feature extraction, Lite0 224 px, {torch.get_num_threads()} torch threads, batch {batch_size}, "
          f"best of {rounds}:")  # fmt: skip
    print(f"  old path  {best['old']:7.1f} images/s")
    print(f"  new path  {best['new']:7.1f} images/s")
    print(f"  ratio     {best['new'] / best['old']:7.2f} x   (max |feature difference| {diff:.2e})")
    print(f"  new path with the default student.levels {levels} ({outputs['levels'].shape[1]} features): "
          f"{best['levels']:7.1f} images/s")  # fmt: skip


def training(n: int) -> None:
    runtime = RuntimeSettings()
    # the paper's head (Dense(32, GELU) -> Dense(3)) on frozen Lite0 features (the default levels' width), minibatch RAdam
    spec = StudentSpec(head_hidden=32, weights="none")
    student = build_student(spec)
    head, width = student.head, student.num_features
    features_, targets = torch.randn(4096, width), torch.softmax(torch.randn(4096, 3), 1)
    data = TensorDataset(features_, targets)
    train = DataLoader(data, batch_size=64, sampler=EpochSampler(len(data), seed=0))
    settings = TrainingSettings(head_solver="minibatch", epochs=3)
    result = fit(head, train, DataLoader(data, batch_size=1024), settings, CPU, runtime=runtime)
    rate = max(row["images_per_second"] for row in result.history)
    print(f"training, frozen-feature path (head {width}->32->3, batch 64, 4,096 vectors): {rate:9.0f} images/s")
    # full fine-tuning of EfficientNet-Lite0 on augmented pictures, batch 16
    images, spec = _images(n), StudentSpec()
    student = build_student(spec)
    set_backbone_trainable(student, True)
    pictures = ImageFiles(images, augment_transform(spec), seed=0)
    train = DataLoader(pictures, batch_size=16, sampler=EpochSampler(len(images), seed=0))
    val = DataLoader(ImageFiles(ImageSet.of(images.ids[:16], images.paths[:16], images.targets[:16]),
                                frame_transform(spec)), batch_size=16)  # fmt: skip
    settings = TrainingSettings(head_solver="minibatch", epochs=1, batch_size=16, optimizer="adamw", lr=1e-4)
    result = fit(student, train, val, settings, CPU, runtime=runtime, prepare=batch_normalize(spec))
    rate = result.history[-1]["images_per_second"]
    print(f"training, full Lite0 fine-tuning (224 px, batch 16, fp32, channels-last, {n} pictures): {rate:6.1f} images/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=["all", "features", "training"], default="all")
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    if args.what in ("all", "features"):
        features(args.images, args.rounds, args.batch_size)
    if args.what in ("all", "training"):
        training(min(args.images, 64))


if __name__ == "__main__":
    main()
