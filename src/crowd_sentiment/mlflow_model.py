"""The student as an MLflow pyfunc model: picture bytes in, (negative, neutral, positive) probabilities out.

The logged model holds ``core/portable_student.py`` as its code, the model file
``pyfunc/student_model.py``, the whole student's weights as the artifact ``student``
(backbone included, so no weights package is needed), a signature, a small JPEG as its
input example, and pip requirements pinned to this environment's versions
(:data:`REQUIREMENTS`); it does not need ``crowd_sentiment``.
"""

from __future__ import annotations

import io
import tempfile
from importlib.metadata import version
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema
from PIL import Image

from crowd_sentiment.core import portable_student
from crowd_sentiment.core.portable_student import IMAGE_COLUMN, PROBABILITY_COLUMNS, save_student_file
from crowd_sentiment.core.prediction import portable_content
from crowd_sentiment.core.stored_student import StoredStudent

MODEL_CODE = Path(__file__).parent / "pyfunc" / "student_model.py"
PORTABLE_CODE = Path(portable_student.__file__)
# What the model imports, pinned to the installed versions (requirements.txt's pins); mlflow-skinny loads pyfuncs.
REQUIREMENTS = ("mlflow-skinny", "torch", "torchvision", "timm", "pillow", "pandas", "numpy")
SIGNATURE = ModelSignature(
    inputs=Schema([ColSpec("binary", IMAGE_COLUMN)]),
    outputs=Schema([*(ColSpec("double", c) for c in PROBABILITY_COLUMNS), ColSpec("string", "label")]),
)


def pip_requirements() -> list[str]:
    """``name==version`` of each of :data:`REQUIREMENTS`, as installed here."""
    return [f"{name}=={version(name)}" for name in REQUIREMENTS]


def example_jpeg(size: tuple[int, int] = (96, 64)) -> bytes:
    """A small JPEG (a colour gradient with a disc): the model's input example."""
    y, x = np.mgrid[0 : size[1], 0 : size[0]]
    pixels = np.stack([x * 255 // size[0], y * 255 // size[1], np.full_like(x, 96)], axis=-1)
    pixels[(x - size[0] / 2) ** 2 + (y - size[1] / 2) ** 2 < (size[1] / 3) ** 2] = (230, 200, 40)
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _arguments(stored: StoredStudent, scratch: str) -> dict:
    """MLflow's save/log arguments; the portable weights are written into the folder ``scratch``."""
    weights = save_student_file(portable_content(stored), Path(scratch) / "student.pt")
    return {
        "python_model": str(MODEL_CODE),
        "artifacts": {"student": str(weights)},
        "code_paths": [str(PORTABLE_CODE)],
        "signature": SIGNATURE,
        "input_example": pd.DataFrame({IMAGE_COLUMN: [example_jpeg()]}),
        "pip_requirements": pip_requirements(),
    }


def save_student_pyfunc(stored: StoredStudent, path: str | Path) -> Path:
    """Write ``stored`` as an MLflow pyfunc model folder at ``path`` (which must not exist yet)."""
    with tempfile.TemporaryDirectory() as scratch:
        mlflow.pyfunc.save_model(path=str(path), **_arguments(stored, scratch))
    return Path(path)


def log_student_pyfunc(stored: StoredStudent, name: str = "student"):
    """Log ``stored`` as the pyfunc model ``name`` of the active MLflow run; returns MLflow's ``ModelInfo``."""
    with tempfile.TemporaryDirectory() as scratch:
        return mlflow.pyfunc.log_model(name=name, **_arguments(stored, scratch))
