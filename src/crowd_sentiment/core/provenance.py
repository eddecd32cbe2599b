"""What a run ran on: git commit, a hash of its parameters, its devices (as MLflow-style string tags)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from pathlib import Path

import torch


def git_commit(root: Path) -> str:
    """The checked-out commit of ``root`` (with ``+dirty`` when the tree has changes), or ``unknown``."""
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def params_hash(parameters: dict) -> str:
    """16 hex digits of SHA-256 over the parameters as sorted JSON: equal parameters, equal hash."""
    return hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()[:16]


def device_tags() -> dict[str, str]:
    """The accelerator's name and count (CUDA), else the CPU's, and the ``torchrun`` world size."""
    if torch.cuda.is_available():
        name, count = torch.cuda.get_device_name(0), torch.cuda.device_count()
    else:
        name, count = platform.processor() or platform.machine() or "cpu", 1
        name = f"cpu ({name}, {os.cpu_count()} cores)"
    return {"device.name": name, "device.count": str(count), "world_size": os.environ.get("WORLD_SIZE", "1")}


def run_tags(parameters: dict, root: Path) -> dict[str, str]:
    """``git.commit``, ``params.hash`` and :func:`device_tags`."""
    return {"git.commit": git_commit(root), "params.hash": params_hash(parameters)} | device_tags()


def threshold_label(thresholds: str | dict[str, float], presets: dict[str, dict[str, float]]) -> str:
    """A preset's name, the name of the preset with these per-class values, or ``neg/neu/pos``."""
    if isinstance(thresholds, str):
        return thresholds
    for name, values in presets.items():
        if values == {k: float(v) for k, v in thresholds.items()}:
            return name
    return "/".join(f"{thresholds[k]:g}" for k in ("negative", "neutral", "positive"))


def head_label(training: dict, train_backbone: bool = False) -> str:
    """How the student's head is fitted: ``lbfgs l2=3``, ``centroid``, ``minibatch hard lr=0.001``, …"""
    solver = training["head_solver"]
    if solver == "lbfgs":
        label = f"lbfgs l2={training['l2']:g}" + (
            " to centroid" if training.get("shrink_to") == "centroid" else ""
        )
    elif solver == "minibatch":
        label = f"minibatch {training['loss']} lr={training['lr']:g}" + (
            " fine-tuned" if train_backbone else ""
        )
    else:
        label = solver
    return label + (" prior" if training.get("decision") == "prior" else "")


def run_name(pipeline: str, env: str, parts: list[str | None], description: str | None = None) -> str:
    """``<pipeline> · <part> · … · env <env>``, then `` · <description>`` when one is given (parts None are left out)."""
    name = " · ".join([pipeline, *(p for p in parts if p), f"env {env}"])
    return f"{name} · {description}" if description else name


def flatten(value: object, prefix: str) -> dict[str, str]:
    """Nested dicts and lists as ``prefix.key.subkey`` → string (lists of scalars joined by commas)."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flatten(item, f"{prefix}.{key}").items()}
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        return {k: v for i, item in enumerate(value) for k, v in flatten(item, f"{prefix}.{i}").items()}
    return {prefix: ",".join(map(str, value)) if isinstance(value, list) else str(value)}


def manifest_params(funnel: dict) -> dict[str, str]:
    """The persisted filtering funnel as ``manifest.*`` params: thresholds, guarded benchmarks, counts per step.

    Counts: ``manifest.funnel.<unit>.<step>.<class|total>``, as the filtering run's metrics ``funnel.*``.
    """
    steps: dict[str, dict] = {}
    for step in funnel.get("steps", []):
        counts = {k: v for k, v in step.items() if k not in ("step", "unit")}
        steps.setdefault(step["unit"], {})[step["step"]] = counts
    rest = {k: v for k, v in funnel.items() if k != "steps"}
    return flatten(rest, "manifest") | flatten(steps, "manifest.funnel")
