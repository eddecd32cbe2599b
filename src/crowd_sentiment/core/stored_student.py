"""A trained student as stored on disk: its spec and weights, saved atomically, loaded safely."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from crowd_sentiment.core.checkpoints import save_state
from crowd_sentiment.core.students import Student, StudentSpec


@dataclass(frozen=True)
class StoredStudent:
    """Spec + best weights of a trained student (``state_dict`` of the whole :class:`Student`)."""

    spec: StudentSpec
    state_dict: dict[str, Tensor]
    best_epoch: int

    @property
    def frozen_backbone(self) -> bool:
        """True when only the head was trained: the backbone still holds ``spec.weights``."""
        return not self.spec.train_backbone

    def head_state(self) -> dict[str, Tensor]:
        """The head's tensors (``head.`` prefix removed)."""
        return {k.removeprefix("head."): v for k, v in self.state_dict.items() if k.startswith("head.")}

    def build(self) -> Student:
        """The student with these weights, on CPU, in eval mode."""
        student = Student(self.spec)
        student.load_state_dict(self.state_dict)
        return student.eval()

    def to_state(self) -> dict:
        """Plain tensors and values only, so ``torch.load(weights_only=True)`` reads it back."""
        return {
            "spec": self.spec.model_dump(mode="json"),
            "state_dict": self.state_dict,
            "best_epoch": self.best_epoch,
        }

    @classmethod
    def from_state(cls, state: dict) -> StoredStudent:
        """The inverse of :meth:`to_state`; a key missing from ``state`` is a ``ValueError`` naming it."""
        missing = sorted({"spec", "state_dict", "best_epoch"} - set(state))
        if missing:
            raise ValueError(f"not a stored student: missing {missing} (found {sorted(state)})")
        spec = {"levels": 0} | dict(state["spec"])  # stored before student.levels existed: pooled features only
        return cls(StudentSpec.model_validate(spec), state["state_dict"], int(state["best_epoch"]))

    def save(self, path: str | Path) -> None:
        """Write with ``torch.save``, atomically (temp file, then rename)."""
        save_state(path, self.to_state())

    @classmethod
    def load(cls, path: str | Path) -> StoredStudent:
        """Read a file written by :meth:`save` (``weights_only=True``: no pickled code runs)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"stored student not found: {path} (run the distillation pipeline)")
        return cls.from_state(torch.load(path, map_location="cpu", weights_only=True))
