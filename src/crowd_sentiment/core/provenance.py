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
