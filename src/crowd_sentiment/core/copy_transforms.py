"""The copies a crawl makes of a picture, for measuring near-duplicate search.

Each transform takes an RGB picture and returns the copy as a crawler would fetch it:
exact bytes, a JPEG re-encode at quality 70, a 50 % resize, a 10 % crop (5 % off each
side), a horizontal flip, and a meme-style text overlay (white caption with a black
outline across the top and bottom, about a tenth of the height).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

SHARED_DATA_ENV = "CROWD_SENTIMENT_SHARED_DATA"


def _reencode(image: Image.Image, quality: int = 70) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _resize(image: Image.Image) -> Image.Image:
    return image.resize((max(1, image.width // 2), max(1, image.height // 2)), Image.Resampling.LANCZOS)


def _crop(image: Image.Image) -> Image.Image:
    dx, dy = round(image.width * 0.05), round(image.height * 0.05)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def _overlay(image: Image.Image) -> Image.Image:
    copy = image.copy()
    draw = ImageDraw.Draw(copy)
    size = max(8, image.height // 10)
    font = ImageFont.load_default(size=size)
    outline = max(1, size // 12)
    for text, y in (("WHEN YOU SEE IT", size // 3), ("NOBODY: ... ME:", image.height - size - size // 2)):
        draw.text(
            (image.width // 20, y), text, font=font, fill="white", stroke_width=outline, stroke_fill="black"
        )
    return copy


COPY_TRANSFORMS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "exact": lambda image: image.copy(),
    "reencode_q70": _reencode,
    "resize_50": _resize,
    "crop_10": _crop,
    "flip": ImageOps.mirror,
    "text_overlay": _overlay,
}


def shared_mvsa_pictures(project_root: str | Path, n: int) -> list[Path]:
    """The first ``n`` MVSA pictures (by guid) under ``$CROWD_SENTIMENT_SHARED_DATA`` (default ``../shared/data``).

    Raises ``FileNotFoundError`` naming the folder and the variable when they are missing.
    """
    shared = Path(os.environ.get(SHARED_DATA_ENV, "../shared/data"))
    folder = (shared if shared.is_absolute() else Path(project_root) / shared) / "mvsa" / "data"
    paths = sorted(folder.glob("*.jpg"), key=lambda p: (len(p.stem), p.stem)) if folder.is_dir() else []
    if len(paths) < n:
        raise FileNotFoundError(
            f"need {n} MVSA pictures (*.jpg) in {folder}, found {len(paths)}; put the MVSA data there or set "
            f"{SHARED_DATA_ENV} to the folder holding mvsa/data (see ../shared/data/README.md)"
        )
    return paths[:n]
