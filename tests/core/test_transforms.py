"""Tests for student image transforms, image sets and the image-file dataset."""

import numpy as np
import pytest
import torch
from PIL import Image

from crowd_sentiment.core.image_sets import ImageFiles, ImageSet
from crowd_sentiment.core.students import StudentSpec
from crowd_sentiment.core.transforms import (
    augment_transform,
    batch_normalize,
    eval_transform,
    frame_transform,
    train_transform,
)

SPEC = StudentSpec(
    arch="test_efficientnet", image_size=32, crop_pct=0.8, framing="crop", mean=(0.5, 0.5, 0.5), std=(0.25, 0.5, 1.0)
)


def _save(tmp_path, name, size, colour):
    path = tmp_path / name
    Image.new("RGB", size, colour).save(path)
    return path


def test_eval_transform_shape_and_normalisation():
    image = Image.new("RGB", (80, 50), (255, 128, 0))
    tensor = eval_transform(SPEC)(image)
    assert tensor.shape == (3, 32, 32) and tensor.dtype == torch.float32
    expected = [(1.0 - 0.5) / 0.25, (128 / 255 - 0.5) / 0.5, (0.0 - 0.5) / 1.0]
    np.testing.assert_allclose(tensor.mean(dim=(1, 2)).numpy(), expected, atol=1e-3)


def test_eval_transform_centre_crops_after_resizing_the_short_side():
    # short side 50 → 40 (= 32 / 0.8), long side 100 → 80, centre 32 of 80 columns: only the middle band
    image = Image.new("L", (100, 50), 0)
    image.paste(255, (45, 0, 55, 50))  # a white vertical band in the middle 10%
    tensor = eval_transform(StudentSpec(image_size=32, crop_pct=0.8, framing="crop"))(image.convert("RGB"))
    column = tensor[0].mean(dim=0)
    assert column[15:17].min() > 0.9 and column[0] < -0.9 and column[-1] < -0.9


def _band_image():
    """100 × 50 black picture with white 10-pixel bands at both ends and in the middle."""
    image = Image.new("L", (100, 50), 0)
    for left in (0, 45, 90):
        image.paste(255, (left, 0, left + 10, 50))
    return image.convert("RGB")


def test_squash_framing_keeps_the_whole_picture():
    tensor = eval_transform(StudentSpec(image_size=32, framing="squash"))(_band_image())
    column = tensor[0].mean(dim=0)  # 100 columns → 32: bands at 0-3, 14-17, 29-31
    assert column[0] > 0.9 and column[-1] > 0.9 and column[15:17].min() > 0.9
    assert column[8] < -0.9 and column[23] < -0.9
    row = tensor[0].mean(dim=1)
    assert torch.allclose(row, row[0].expand_as(row), atol=1e-3)  # every row alike: no padding


def test_pad_framing_keeps_the_aspect_ratio_on_grey():
    tensor = eval_transform(StudentSpec(image_size=32, framing="pad"))(_band_image())
    row = tensor[0].mean(dim=1)  # the 50-pixel-high picture sits in the middle 16 rows
    assert abs(row[0]) < 0.02 and abs(row[-1]) < 0.02  # mid-grey 128 is about 0 after normalisation
    column = tensor[0, 16]  # a row through the picture: end bands and middle band all visible
    assert column[0] > 0.9 and column[-1] > 0.9 and column[15:17].min() > 0.9


def test_crop_framing_cuts_the_sides():
    column = eval_transform(StudentSpec(image_size=32, crop_pct=1.0, framing="crop"))(_band_image())[0].mean(dim=0)
    assert column[0] < -0.9 and column[-1] < -0.9 and column[15:17].min() > 0.9


def test_unknown_framing_is_refused():
    with pytest.raises(ValueError, match="framing"):
        StudentSpec(framing="stretch")


@pytest.mark.parametrize("framing", ["crop", "squash", "pad"])
def test_train_transform_frames_then_augments(framing):
    torch.manual_seed(0)
    spec = StudentSpec(image_size=32, framing=framing)
    assert train_transform(spec)(Image.new("RGB", (90, 30), "white")).shape == (3, 32, 32)


def test_train_transform_shape():
    torch.manual_seed(0)
    tensor = train_transform(SPEC)(Image.new("RGB", (64, 40), "white"))
    assert tensor.shape == (3, 32, 32)
    np.testing.assert_allclose(tensor[2].numpy(), 0.5, atol=1e-4)  # (1 - 0.5) / 1


def test_image_files_returns_image_and_target(tmp_path):
    paths = [_save(tmp_path, "a.png", (40, 40), "red"), _save(tmp_path, "b.jpg", (60, 30), "blue")]
    targets = np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
    dataset = ImageFiles(ImageSet.of(["a", "b"], [str(p) for p in paths], targets), eval_transform(SPEC))
    assert len(dataset) == 2
    image, target = dataset[1]
    assert image.shape == (3, 32, 32)
    assert target.dtype == torch.float32 and torch.allclose(target, torch.tensor([0.6, 0.3, 0.1]))
    assert image[2].mean() > image[0].mean()  # blue picture
    empty = ImageFiles(ImageSet.of(["a", "b"], paths), eval_transform(SPEC))
    assert empty[0][1].shape == (0,)


def test_image_set_rejects_a_length_mismatch(tmp_path):
    with pytest.raises(ValueError, match="got 2 ids, 2 paths and 1 target rows"):
        ImageSet.of(["a", "b"], [tmp_path / "a.png", tmp_path / "b.png"], np.zeros((1, 3)))


def test_image_set_from_a_frame_joins_paths_to_a_root(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"image_id": ["x", "y"], "path": ["x.jpg", "y.jpg"], "p": [0.25, 0.75]})
    images = ImageSet.from_frame(frame, root=tmp_path, targets=["p"])
    assert images.ids == ("x", "y") and images.paths == (tmp_path / "x.jpg", tmp_path / "y.jpg")
    assert images.targets.dtype == np.float32 and images.targets.tolist() == [[0.25], [0.75]]
    assert ImageSet.from_frame(frame).targets.shape == (2, 0)


@pytest.mark.parametrize("framing", ["crop", "squash", "pad"])
def test_uint8_pictures_normalised_per_batch_equal_the_per_picture_path(framing):
    spec = StudentSpec(image_size=32, crop_pct=0.8, framing=framing, mean=(0.4, 0.5, 0.6), std=(0.2, 0.3, 0.25))
    pictures = [_band_image(), Image.new("RGB", (50, 70), (10, 200, 90))]
    per_picture = torch.stack([eval_transform(spec)(p) for p in pictures])
    raw = torch.stack([frame_transform(spec)(p) for p in pictures])
    assert raw.dtype == torch.uint8 and raw.shape == (2, 32, 32, 3)
    batched = batch_normalize(spec)(raw)
    assert batched.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(batched, per_picture)  # the same float operations: bit-identical


def test_seeded_augmentation_depends_on_seed_epoch_and_index_only(tmp_path):
    path = tmp_path / "a.png"
    _band_image().save(path)
    files = ImageFiles(ImageSet.of(["a", "b"], [path, path], np.zeros((2, 3))), augment_transform(SPEC), seed=7)
    first = files[0][0]
    torch.manual_seed(123)  # the global RNG plays no part
    assert torch.equal(files[0][0], first)
    files.set_epoch(1)
    assert not torch.equal(files[0][0], first) or not torch.equal(files[1][0], first)
