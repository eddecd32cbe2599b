"""Image validation, resizing and the content-addressed store of validated copies.

A stored image's id is the SHA-256 of its *original* bytes and of the settings that
shape the stored copy (short side, JPEG quality, decoding), first 32 hex digits: the same
file reposted by several tweets gets one id, and other resize settings give other ids
(so neither the store nor features computed from it can go stale). Validation is a *full* decode: PIL's
``verify()`` accepts truncated JPEGs, so only ``load()`` catches them. Pixel counts
above ``max_pixels`` are refused before decoding (decompression bombs).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import multiprocessing
import os
import struct
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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


def stored_image_id(data: bytes, *, short_side: int, quality: int) -> str:
    """Id of the stored copy of ``data``: SHA-256 of the bytes and every setting that shapes the copy."""
    digest = hashlib.sha256(data)
    digest.update(f"\0store:short_side={short_side};quality={quality};decode=draft-bicubic".encode())
    return digest.hexdigest()[:ID_LENGTH]


_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I"})


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels of a decoded picture: 16-bit scaled to 8-bit, transparency over white, CMYK converted.

    Raises:
        InvalidImageError: ``unsupported_mode`` for float pixels (no agreed range) and
            32-bit integers beyond 16 bits.
    """
    if image.mode in _SIXTEEN_BIT_MODES:
        pixels = np.asarray(image, dtype=np.int64)
        if pixels.min() < 0 or pixels.max() > 65535:
            raise InvalidImageError("unsupported_mode", f"{image.mode} pixels outside 0..65535")
        return Image.fromarray((pixels // 257).astype(np.uint8), "L").convert("RGB")
    if image.mode == "F":
        raise InvalidImageError("unsupported_mode", "floating-point pixels have no agreed range")
    if image.mode == "P" and "transparency" in image.info or image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def decode_image(
    data: bytes, *, min_side: int, max_pixels: int, draft_side: int | None = None
) -> Image.Image:
    """Fully decode image bytes (first frame) to an RGB picture with EXIF orientation applied.

    ``draft_side`` lets a JPEG be decoded at 1/2, 1/4 or 1/8 scale (DCT scaling, every byte
    still read) while its short side stays at least ``draft_side`` px; size checks use
    the file's own size. 16-bit pictures are scaled to 8 bits; transparent pixels become
    white.

    Raises:
        InvalidImageError: ``empty_file``, ``undecodable`` (not an image, truncated,
            corrupt), ``too_large`` (more than ``max_pixels``, decompression bombs),
            ``too_small`` (short side below ``min_side``) or ``unsupported_mode``.
    """
    if not data:
        raise InvalidImageError("empty_file", "0 bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise InvalidImageError("too_large", f"{width}x{height} > {max_pixels} pixels")
            if min(width, height) < min_side:
                raise InvalidImageError("too_small", f"{width}x{height}, short side < {min_side}")
            if draft_side and image.format == "JPEG" and image.mode in ("RGB", "L", "CMYK"):
                scale = min(width, height) / draft_side
                image.draft(image.mode, (max(1, int(width / scale)), max(1, int(height / scale))))
            image.load()
            image = ImageOps.exif_transpose(image)
    except InvalidImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InvalidImageError("too_large", f"{type(err).__name__}: {err}"[:200]) from None
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, struct.error) as err:
        raise InvalidImageError("undecodable", f"{type(err).__name__}: {err}"[:200]) from None
    return _to_rgb(image)


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
    image.save(buffer, format="JPEG", quality=quality)
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
    image = decode_image(data, min_side=min_side, max_pixels=max_pixels, draft_side=short_side)
    image = resize_short_side(image, short_side)
    image_id = stored_image_id(data, short_side=short_side, quality=quality)
    return StoredImage(image_id, encode_jpeg(image, quality), image.width, image.height)


def _prepare_or_reason(args: tuple[bytes, dict]) -> StoredImage | tuple[str, str]:
    data, settings = args
    try:
        return prepare_image(data, **settings)
    except InvalidImageError as err:  # returned, not raised: it crosses a process boundary
        return err.reason, err.detail


def prepare_images(
    datas: Iterable[bytes], *, workers: int = 1, chunk: int = 64, **settings: int
) -> Iterator[StoredImage | InvalidImageError]:
    """:func:`prepare_image` of each of ``datas``, in order: the stored copy or the error, never raised.

    With ``workers > 1`` pictures are decoded and resized in that many forked processes,
    ``chunk`` pictures in flight per worker at most (memory stays bounded on a crawl).
    ``settings`` are :func:`prepare_image`'s keyword arguments.
    """
    for outcome in _prepare_outcomes(iter(datas), workers, chunk, settings):
        yield outcome if isinstance(outcome, StoredImage) else InvalidImageError(*outcome)


def _prepare_outcomes(
    datas: Iterator[bytes], workers: int, chunk: int, settings: dict
) -> Iterator[StoredImage | tuple[str, str]]:
    if workers <= 1:
        yield from map(_prepare_or_reason, ((d, settings) for d in datas))
        return
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        while batch := list(itertools.islice(datas, workers * chunk)):
            yield from pool.map(
                _prepare_or_reason, [(d, settings) for d in batch], chunksize=max(1, chunk // 4)
            )


class ImageStore:
    """Content-addressed folder of validated JPEGs: ``<root>/<id[:2]>/<id[2:4]>/<id>.jpg``.

    Two levels of 256 sub-folders keep about 15 files per folder at a million images.
    Writes are atomic and idempotent (an id already stored is not rewritten), so an
    interrupted run leaves only complete files and a rerun resumes.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @staticmethod
    def relative_path(image_id: str) -> str:
        """Path of an image inside the store, e.g. ``ab/12/ab12….jpg``."""
        return f"{image_id[:2]}/{image_id[2:4]}/{image_id}.jpg"

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
        return sorted(p.stem for p in self.root.glob("*/*/*.jpg"))

    def open(self, image_id: str) -> Image.Image:
        """The stored picture as RGB; raises ``FileNotFoundError`` naming the path."""
        path = self.path(image_id)
        if not path.is_file():
            raise FileNotFoundError(f"image {image_id} is not in the store at {path}")
        with Image.open(path) as image:
            return image.convert("RGB")
