"""The student's MLflow pyfunc: signature, input example, probabilities equal to the project's, no project import."""

import ast
import re
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
import torch

from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.inference import student_probabilities
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.students import Student, StudentSpec
from crowd_sentiment.mlflow_model import example_jpeg, save_student_pyfunc

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.usefixtures("single_thread")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    spec = StudentSpec(arch="test_efficientnet", weights="none", image_size=32, views="flip")
    torch.manual_seed(0)
    student = Student(spec).eval()
    with torch.no_grad():
        student.head[-1].weight.mul_(20)
    stored = StoredStudent(spec, student.state_dict(), best_epoch=1)
    folder = tmp_path_factory.mktemp("model")
    return stored, save_student_pyfunc(stored, folder / "student")


def test_the_model_has_a_signature_and_a_real_jpeg_as_input_example(saved):
    _, path = saved
    model = mlflow.pyfunc.load_model(str(path))
    assert model.metadata.get_input_schema().input_names() == ["image"]
    assert model.metadata.get_output_schema().input_names() == [
        "p_negative",
        "p_neutral",
        "p_positive",
        "label",
    ]
    example = model.input_example
    assert list(example.columns) == ["image"] and example["image"][0][:3] == b"\xff\xd8\xff"  # JPEG magic


def test_probabilities_sum_to_one_and_equal_the_projects(saved, tmp_path):
    stored, path = saved
    pictures = [example_jpeg(), example_jpeg((50, 90))]
    out = mlflow.pyfunc.load_model(str(path)).predict(pd.DataFrame({"image": pictures}))
    assert list(out.columns) == ["p_negative", "p_neutral", "p_positive", "label"]
    probabilities = out[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    files = []
    for k, data in enumerate(pictures):
        files.append(tmp_path / f"{k}.jpg")
        files[-1].write_bytes(data)
    project = student_probabilities(stored, ImageSet.of(["a", "b"], files), torch.device("cpu"), cache=None)
    np.testing.assert_allclose(probabilities, project, atol=1e-5)
    assert list(out["label"]) == [["negative", "neutral", "positive"][k] for k in project.argmax(1)]


def test_the_saved_code_imports_no_project_module_and_requirements_are_pinned(saved):
    _, path = saved
    sources = list(path.rglob("*.py"))
    assert {p.name for p in sources} == {"student_model.py", "portable_student.py"}
    for source in sources:
        tree = ast.parse(source.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "crowd_sentiment"], source
    requirements = (path / "requirements.txt").read_text().split()
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][^=]*", r) for r in requirements), requirements
    assert not any(r.startswith("crowd") for r in requirements)
    pinned = dict(
        line.split("==")[:2] for line in (ROOT / "requirements.txt").read_text().split() if "==" in line
    )
    ours = dict(r.split("==") for r in requirements)
    assert {k: ours[k] for k in ("torch", "timm", "pillow", "pandas")} == {
        k: pinned[k] for k in ("torch", "timm", "pillow", "pandas")
    }
