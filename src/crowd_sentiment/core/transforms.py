"""Picture → normalised tensor for students: framing, resizing, augmentation.

How a picture becomes the square ``image_size`` input is the student's ``framing``:

* ``"crop"`` — resize the short side to ``image_size / crop_pct`` and centre-crop
  ``image_size`` (timm's recipe for ImageNet backbones); the sides of a wide or tall
  picture are cut off;
* ``"squash"`` — resize the whole picture to ``image_size × image_size``, aspect ratio
  not kept: nothing is cut off (text overlays, faces near the edge);
* ``"pad"`` — pad the picture to a square with mid-grey, then resize: whole picture,
  aspect ratio kept, smaller content.

Training with a trainable backbone frames the picture the same way (``"crop"`` frames
nothing first), then takes a random resized crop and a horizontal flip.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image
from torch import Tensor
from torchvision import transforms as T

from crowd_sentiment.core.students import StudentSpec


def _interpolation(name: str) -> T.InterpolationMode:
    return T.InterpolationMode(name)


class PadToSquare:
    """Centre a picture on a mid-grey square canvas whose side is its long side."""

    def __call__(self, image: Image.Image) -> Image.Image:
        width, height = image.size
        if width == height:
            return image
        side = max(width, height)
        canvas = Image.new(image.mode, (side, side), (128,) * len(image.getbands()))
        canvas.paste(image, ((side - width) // 2, (side - height) // 2))
        return canvas


def _framing(spec: StudentSpec) -> list[Callable]:
    """The ``(S, S)`` framing steps of the module docstring, before tensor conversion."""
    interpolation = _interpolation(spec.interpolation)
    size = spec.image_size
    if spec.framing == "crop":
        return [T.Resize(int(round(size / spec.crop_pct)), interpolation=interpolation), T.CenterCrop(size)]
    if spec.framing == "squash":
        return [T.Resize((size, size), interpolation=interpolation)]
    return [PadToSquare(), T.Resize((size, size), interpolation=interpolation)]


def _to_tensor(spec: StudentSpec) -> list[Callable]:
    return [T.ToTensor(), T.Normalize(spec.mean, spec.std)]


def eval_transform(spec: StudentSpec) -> Callable[[Image.Image], Tensor]:
    """PIL picture → normalised tensor ``(3, S, S)`` with ``S = image_size``, framed by ``spec.framing``."""
    return T.Compose(_framing(spec) + _to_tensor(spec))


def train_transform(spec: StudentSpec) -> Callable[[Image.Image], Tensor]:
    """Augmenting transform for fine-tuning: framing, random resized crop (scale 0.5–1), flip."""
    framing = [] if spec.framing == "crop" else _framing(spec)
    return T.Compose(
        framing
        + [
            T.RandomResizedCrop(
                spec.image_size, scale=(0.5, 1.0), interpolation=_interpolation(spec.interpolation)
            ),
            T.RandomHorizontalFlip(),
        ]
        + _to_tensor(spec)
    )
