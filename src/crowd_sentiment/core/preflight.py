"""Checks of user settings that need no data: run before any node, each failure one line naming the value and the fix."""

from __future__ import annotations

import difflib
from pathlib import Path

import timm
import torch

from crowd_sentiment.core.portable_student import stage_channels
from crowd_sentiment.core.students import HUB, PACKAGED_WEIGHTS


class SettingsError(ValueError):
    """A setting that cannot work; the message names the value and the fix."""


def check_student(
    arch: str, weights: str, root: Path, key: str = "distillation.student", *, levels: int = 0
) -> None:
    """``arch`` is a timm model name with at least ``levels`` feature stages; ``weights`` is ``none``,
    ``hub``, a packaged name that fits ``arch``, or an existing path."""
    if not arch.startswith(("hf-hub:", "hf_hub:")) and not timm.is_model(arch):
        close = difflib.get_close_matches(arch.split(".")[0], timm.list_models(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise SettingsError(f"{key}.arch={arch!r} is not a timm model name{hint}: see timm.list_models()")
    if levels and timm.is_model(arch):
        with torch.device("meta"):  # the architecture only: no memory, no weights
            backbone = timm.create_model(arch, pretrained=False, num_classes=0)
        stages = len(stage_channels(backbone))
        if levels > stages:
            raise SettingsError(
                f"{key}.levels={levels}: {arch} has {stages} feature stages; set {key}.levels to at most {stages}"
            )
    if weights in ("none", HUB):
        return
    if weights in PACKAGED_WEIGHTS:
        if PACKAGED_WEIGHTS[weights] != arch.split(".")[0]:
            raise SettingsError(
                f"{key}.weights={weights!r} fits arch {PACKAGED_WEIGHTS[weights]!r}, not {arch!r}: "
                f"set {key}.arch={PACKAGED_WEIGHTS[weights]} or other weights (a checkpoint path, hub or none)"
            )
        return
    if not (root / Path(weights).expanduser()).exists():
        raise SettingsError(
            f"{key}.weights={weights!r} is neither a file or folder that exists nor one of "
            f"{', '.join([*PACKAGED_WEIGHTS, HUB, 'none'])}: give an existing checkpoint path"
        )


def check_benchmark_roots(benchmarks: list[dict], root: Path) -> None:
    """Each benchmark's ``root`` folder exists (relative paths from the project root)."""
    for spec in benchmarks:
        if not (root / Path(spec["root"]).expanduser()).is_dir():
            raise SettingsError(
                f"benchmarking.benchmarks: the root of benchmark {spec['name']!r} does not exist: {spec['root']} "
                "(put the benchmark there, set its root, or run `kedro run --pipelines sample_crowd` for the sample)"
            )


def check_hf_teacher(model: str, root: Path, key: str = "teacher_labeling.hf.model") -> None:
    """A teacher ``model`` that is written as a local path (``/``, ``./``, ``~``-prefixed, or existing) is a folder."""
    local = model.startswith(("/", "./", "../", "~")) or (root / model).exists()
    if local and not (root / Path(model).expanduser()).is_dir():
        raise SettingsError(
            f"{key}={model!r} is a local path but no such folder exists: "
            "give the folder of a saved transformers model, or a hub id"
        )
