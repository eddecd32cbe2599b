"""Image validation, resizing and the content-addressed store of validated copies.

An image's id is the SHA-256 of its *original* bytes (first 32 hex digits), so the same
file reposted by several tweets gets one id. Validation is a *full* decode: PIL's
``verify()`` accepts truncated JPEGs, so only ``load()`` catches them. Pixel counts
above ``max_pixels`` are refused before decoding (decompression bombs).
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from crowd_sentiment.core.files import atomic_write_bytes

ID_LENGTH = 32


class InvalidImageError(ValueError):
    """An image that cannot be used; ``reason`` is a short code for the rejection table."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def content_id(data: bytes) -> str:
    """Content hash of original bytes: first 32 hex digits of SHA-256."""
    return hashlib.sha256(data).hexdigest()[:ID_LENGTH]


def decode_image(data: bytes, *, min_side: int, max_pixels: int) -> Image.Image:
    """Fully decode image bytes to an RGB picture with EXIF orientation applied.

    Raises:
        InvalidImageError: ``empty_file``, ``undecodable`` (not an image, truncated,
            corrupt), ``too_large`` (more than ``max_pixels``) or ``too_small`` (short
            side below ``min_side``).
    """
    if not data:
        raise InvalidImageError("empty_file", "0 bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise InvalidImageError("too_large", f"{image.width}x{image.height} > {max_pixels} pixels")
            image.load()
    except InvalidImageError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as err:
        raise InvalidImageError("undecodable", f"{type(err).__name__}: {err}"[:200]) from None
    image = ImageOps.exif_transpose(image).convert("RGB")
    if min(image.size) < min_side:
        raise InvalidImageError("too_small", f"{image.width}x{image.height}, short side < {min_side}")
    return image


def resize_short_side(image: Image.Image, short_side: int) -> Image.Image:
    """Downscale so the short side is ``short_side`` px (bicubic); never upscale."""
    scale = short_side / min(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=3.0)


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    """JPEG bytes of an RGB picture."""
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


@dataclass(frozen=True)
class StoredImage:
    """A validated image ready for the store: its id, stored JPEG bytes and size."""

    image_id: str
    jpeg: bytes
    width: int
    height: int


def prepare_image(
    data: bytes, *, min_side: int, max_pixels: int, short_side: int, quality: int
) -> StoredImage:
    """Validate original bytes and produce the resized copy to store (see :func:`decode_image`)."""
    image = resize_short_side(decode_image(data, min_side=min_side, max_pixels=max_pixels), short_side)
    return StoredImage(content_id(data), encode_jpeg(image, quality), image.width, image.height)


class ImageStore:
    """Content-addressed folder of validated JPEGs: ``<root>/<id[:2]>/<id>.jpg``.

    Writes are atomic and idempotent (an id already stored is not rewritten), so an
    interrupted run leaves only complete files and a rerun resumes.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @staticmethod
    def relative_path(image_id: str) -> str:
        """Path of an image inside the store, e.g. ``ab/ab12….jpg``."""
        return f"{image_id[:2]}/{image_id}.jpg"

    def path(self, image_id: str) -> Path:
        """Absolute path of a stored image."""
        return self.root / self.relative_path(image_id)

    def __contains__(self, image_id: object) -> bool:
        return isinstance(image_id, str) and self.path(image_id).is_file()

    def put(self, image_id: str, jpeg: bytes) -> bool:
        """Store bytes under an id; returns False when the id was already stored."""
        if image_id in self:
            return False
        atomic_write_bytes(self.path(image_id), jpeg)
        return True

    def ids(self) -> list[str]:
        """Ids of all stored images, sorted."""
        return sorted(p.stem for p in self.root.glob("*/*.jpg"))

    def open(self, image_id: str) -> Image.Image:
        """The stored picture as RGB; raises ``FileNotFoundError`` naming the path."""
        path = self.path(image_id)
        if not path.is_file():
            raise FileNotFoundError(f"image {image_id} is not in the store at {path}")
        with Image.open(path) as image:
            return image.convert("RGB")
