"""Running a stored student: the cached-feature path agrees with the full forward pass."""

import numpy as np
import pytest
import torch
from PIL import Image

from crowd_sentiment.core import students
from crowd_sentiment.core.feature_cache import FeatureCache
from crowd_sentiment.core.image_sets import ImageSet
from crowd_sentiment.core.inference import starting_features, student_probabilities
from crowd_sentiment.core.stored_student import StoredStudent
from crowd_sentiment.core.students import Student, StudentSpec

# "w" names the backbone's weights in cache keys; the stored state dict holds them.
SPEC = StudentSpec(arch="test_efficientnet", weights="w", image_size=32, crop_pct=1.0, head_hidden=0)
CPU = torch.device("cpu")


def _stored(**changes):
    spec = SPEC.model_copy(update=changes)
    torch.manual_seed(0)
    return StoredStudent(spec, Student(spec).eval().state_dict(), best_epoch=1)


def _images(tmp_path, n=5):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)).save(paths[-1])
    return ImageSet.of([f"id{i}" for i in range(n)], paths)


def test_frozen_head_path_matches_the_full_forward_and_fills_the_cache(tmp_path):
    images = _images(tmp_path)
    cache = FeatureCache(tmp_path / "cache")
    via_cache = student_probabilities(_stored(views="single"), images, CPU, cache=cache)
    full = student_probabilities(_stored(train_backbone=True), images, CPU, cache=cache)
    assert via_cache.shape == (5, 3)
    np.testing.assert_allclose(via_cache, full, atol=1e-5)
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 5


def test_starting_features_share_one_tensor_when_the_backbone_is_frozen(tmp_path):
    images = _images(tmp_path, 3)
    frozen = starting_features(_stored(), images, CPU, cache=None)
    assert frozen["distilled"] is frozen["imagenet"] and frozen["distilled"].shape[0] == 3
    tuned = starting_features(_stored(train_backbone=True, weights="none"), images, CPU, cache=None)
    assert not torch.allclose(tuned["distilled"], tuned["imagenet"])  # fine-tuned: another backbone


def test_a_stored_student_round_trips_through_its_file(tmp_path):
    stored = _stored()
    stored.save(tmp_path / "student.pt")
    loaded = StoredStudent.load(tmp_path / "student.pt")
    assert loaded.spec == stored.spec and loaded.best_epoch == 1 and loaded.frozen_backbone
    assert all(torch.equal(loaded.state_dict[k], v) for k, v in stored.state_dict.items())
    assert set(loaded.head_state()) == {"2.weight", "2.bias"}  # L2Normalize, Dropout, Linear
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(loaded.build()(x), stored.build()(x))


def test_a_student_stored_before_levels_existed_loads_with_pooled_features_only(tmp_path):
    stored = _stored(levels=0)
    state = stored.to_state()
    del state["spec"]["levels"]  # the spec of a file written before student.levels
    torch.save(state, tmp_path / "old.pt")
    loaded = StoredStudent.load(tmp_path / "old.pt")
    assert loaded.spec.levels == 0 and loaded.spec == stored.spec
    assert loaded.build().head[-1].in_features == 256


def test_loading_a_missing_or_foreign_file_names_the_problem(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="run the distillation pipeline"):
        StoredStudent.load(tmp_path / "absent.pt")
    torch.save({"state_dict": {}}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match=r"missing \['best_epoch', 'spec'\]"):
        StoredStudent.load(tmp_path / "other.pt")


def test_an_ensemble_student_with_flip_views_is_stored_loaded_and_scored_from_pictures(tmp_path, monkeypatch):
    monkeypatch.setitem(students.PACKAGED_WEIGHTS, "test-package", "test_efficientnet")  # a tiny second backbone
    images = _images(tmp_path, 3)
    _stored(ensemble=("test-package",), views="flip").save(tmp_path / "student.pt")
    loaded = StoredStudent.load(tmp_path / "student.pt")
    cache = FeatureCache(tmp_path / "cache")
    probs = student_probabilities(loaded, images, CPU, cache=cache)
    assert probs.shape == (3, 3) and np.allclose(probs.sum(1), 1)
    assert len(list((tmp_path / "cache").iterdir())) == 4  # two backbones x two views: a key each
    with pytest.raises(ValueError, match="input size"):
        loaded.build()(torch.zeros(1, 3, 32, 32))


def test_flip_views_average_the_picture_and_its_mirror(tmp_path):
    images = _images(tmp_path, 2)
    plain = starting_features(_stored(), images, CPU, cache=None)["distilled"]
    both = starting_features(_stored(views="flip"), images, CPU, cache=None)["distilled"]
    mirrored = [ImageSet.of(["m"], [tmp_path / "m.png"])]
    Image.open(images.paths[0]).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(tmp_path / "m.png")
    flipped = starting_features(_stored(), mirrored[0], CPU, cache=None)["distilled"]
    torch.testing.assert_close(both[0], (plain[0] + flipped[0]) / 2, atol=1e-5, rtol=0)
