"""Full training state saved atomically, for an exact resume; and the stop request a signal raises.

A training state is a dict of tensors and plain values (``torch.load(weights_only=True)``
reads it): model, optimiser, scheduler and gradient-scaler states, the RNG states
(Python, NumPy, torch CPU and CUDA), epoch, optimiser step and the batches done in the
epoch, the best weights so far and the history.
"""

from __future__ import annotations

import io
import logging
import random
import threading
from pathlib import Path

import numpy as np
import torch

from crowd_sentiment.core.files import atomic_write_bytes

log = logging.getLogger(__name__)


def save_state(path: str | Path, state: dict) -> None:
    """``torch.save`` ``state`` to ``path`` atomically (temp file, then rename)."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic_write_bytes(Path(path), buffer.getvalue())


def rng_state() -> dict:
    """The Python, NumPy and torch (CPU and every CUDA device) RNG states as tensors and plain values."""
    kind, keys, position, has_gauss, cached = np.random.get_state()
    version, python_state, gauss = random.getstate()
    return {
        "python": {"version": version, "state": list(python_state), "gauss": gauss},
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "position": int(position),
                  "has_gauss": int(has_gauss), "cached": float(cached)},  # fmt: skip
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def set_rng_state(state: dict) -> None:
    """Restore what :func:`rng_state` captured."""
    python = state["python"]
    random.setstate((python["version"], tuple(python["state"]), python["gauss"]))
    numpy = state["numpy"]
    np.random.set_state(
        (numpy["kind"], numpy["keys"].numpy().astype(np.uint32), numpy["position"], numpy["has_gauss"], numpy["cached"])
    )
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


class CheckpointStore:
    """The latest training state of a run, ``<root>/last.pt``, replaced atomically (temp file, then rename)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def path(self) -> Path:
        return self.root / "last.pt"

    def write(self, state: dict) -> None:
        save_state(self.path, state)
        log.info("checkpoint: epoch %s, step %s -> %s", state.get("epoch"), state.get("step"), self.path)

    def read(self) -> dict | None:
        """The saved state (``weights_only=True``), or ``None`` when there is none."""
        if not self.path.is_file():
            return None
        return torch.load(self.path, map_location="cpu", weights_only=True)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class TrainingInterrupted(Exception):
    """Training stopped on request after a whole step; its state is in the checkpoint named."""


class StopRequest:
    """A request to stop training after the current step, set from a signal handler.

    ``listening`` is true while a training loop polls the request: only then can a
    signal wait for the step to finish.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._listeners = 0
        self.reason = ""

    @property
    def listening(self) -> bool:
        return self._listeners > 0

    def request(self, reason: str) -> None:
        self.reason = reason
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def clear(self) -> None:
        self._event.clear()
        self.reason = ""

    def __enter__(self) -> StopRequest:
        self._listeners += 1
        return self

    def __exit__(self, *exc) -> None:
        self._listeners -= 1


stop_request = StopRequest()  # the process's one request, set by the run's signal handler
