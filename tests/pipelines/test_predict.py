"""The predict pipeline: a folder of pictures scored by a stored student, broken pictures counted, not fatal."""

import click
import numpy as np
import pytest
import torch
from kedro.io import DataCatalog, MemoryDataset
from PIL import Image

from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.inference import student_probabilities
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.students import Student, StudentSpec
from crowd_sentiment.hooks import PreflightHook
from crowd_sentiment.params import PredictParams
from crowd_sentiment.pipelines.predict import create_pipeline

pytestmark = pytest.mark.usefixtures("single_thread")


@pytest.fixture
def folder(tmp_path):
    spec = StudentSpec(arch="test_efficientnet", weights="none", image_size=32)
    torch.manual_seed(0)
    StoredStudent(spec, Student(spec).eval().state_dict(), best_epoch=1).save(tmp_path / "student.pt")
    images = tmp_path / "pictures"
    (images / "nested").mkdir(parents=True)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (40, 60, 3), dtype=np.uint8)).save(images / "a.jpg")
    Image.fromarray(rng.integers(0, 255, (50, 30, 4), dtype=np.uint8), "RGBA").save(
        images / "nested" / "b.png"
    )
    (images / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    (images / "empty.png").write_bytes(b"")
    (images / "notes.txt").write_text("not a picture: not listed")
    return tmp_path


def test_a_folder_is_scored_and_broken_pictures_are_listed_with_their_reason(run_slice, folder):
    params = PredictParams(images=str(folder / "pictures"), student=str(folder / "student.pt"), batch_size=1)
    out = run_slice(create_pipeline(), {"params:predict": params})
    scored, rejected = out["picture_predictions"], out["picture_rejections"]
    assert list(scored.columns) == ["path", "p_negative", "p_neutral", "p_positive", "label"]
    assert list(scored["path"]) == ["a.jpg", "nested/b.png"]
    np.testing.assert_allclose(scored[["p_negative", "p_neutral", "p_positive"]].sum(axis=1), 1.0, atol=1e-9)
    assert dict(zip(rejected["path"], rejected["reason"])) == {
        "broken.jpg": "undecodable",
        "empty.png": "empty_file",
    }
    stored = StoredStudent.load(folder / "student.pt")
    jpeg = ImageSet.of(["a"], [folder / "pictures" / "a.jpg"])
    expected = student_probabilities(stored, jpeg, torch.device("cpu"), cache=None)[0]
    np.testing.assert_allclose(scored.iloc[0, 1:4].to_numpy(float), expected, atol=1e-5)


def test_a_missing_folder_or_student_stops_the_run_before_any_node(folder):
    pipeline = create_pipeline()
    for images, student, message in [
        ("nope", "student.pt", r"^predict.images='nope' is not a folder"),
        ("pictures", "missing.pt", r"^predict.student='missing.pt' is not a file"),
    ]:
        catalog = DataCatalog(
            {"parameters": MemoryDataset({"predict": {"images": images, "student": student}})}
        )
        with pytest.raises(click.ClickException, match=message):
            PreflightHook().before_pipeline_run({"project_path": str(folder)}, pipeline, catalog)
