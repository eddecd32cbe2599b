"""Synthetic pictures whose *visual* sentiment an ImageNet CNN can pick up.

Each picture is a small scene drawn with Pillow. Its visual sentiment is carried by cues
that pretrained features respond to:

- positive: warm, saturated, bright palette; blue sky; sun; flowers; hearts; smiling faces;
- negative: dark, cold, desaturated palette; storm clouds; rain streaks; cracks and
  jagged shapes; frowning faces;
- neutral: mid-grey/beige palette; boxes; documents with text-like lines; tables;
  straight-mouthed faces.

A per-picture ``clarity`` in [0, 1] sets how strong the cues are: the palette is blended
toward an ambiguous muted middle, cue shapes fade toward the background and become fewer,
and unclear pictures get more clutter and sometimes a cue of another class. Nuisance
that has nothing to do with sentiment (random clutter in random colours, layout, scale,
pixel noise, JPEG quality, a few PNGs) keeps the task from being trivial.

All randomness comes from the ``numpy.random.Generator`` passed in; no module state.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from PIL import Image, ImageChops, ImageDraw

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]
T = TypeVar("T")

# Muted beige-grey that all palettes drift toward when clarity is low.
_MIDDLE: Color = (142, 138, 130)

# Background schemes per sentiment: (sky/top colour, ground/bottom colour).
_SCHEMES: dict[str, tuple[tuple[Color, Color], ...]] = {
    "positive": (
        ((70, 150, 240), (110, 200, 70)),  # blue sky over a green meadow
        ((255, 170, 60), (250, 110, 120)),  # warm sunset
        ((110, 190, 250), (250, 220, 120)),  # sky over a sunny beach
        ((255, 215, 90), (255, 140, 170)),  # bright party colours
    ),
    "negative": (
        ((45, 50, 66), (40, 44, 48)),  # night storm
        ((90, 96, 104), (55, 60, 62)),  # overcast, wet street
        ((28, 36, 60), (50, 52, 70)),  # cold dark blue
        ((70, 72, 74), (35, 35, 38)),  # grey gloom
    ),
    "neutral": (
        ((205, 200, 190), (170, 165, 155)),  # office wall and floor
        ((185, 185, 185), (150, 150, 150)),  # plain grey
        ((220, 210, 185), (180, 170, 150)),  # beige room
        ((200, 200, 205), (120, 120, 125)),  # desk top
    ),
}

# Main cue colour per sentiment (what the objects are painted with).
_CUE_COLOURS: dict[str, tuple[Color, ...]] = {
    "positive": ((255, 215, 40), (255, 80, 120), (255, 140, 0), (240, 60, 60)),
    "negative": ((80, 88, 110), (60, 66, 80), (120, 130, 150), (30, 30, 40)),
    "neutral": ((240, 238, 230), (120, 110, 95), (160, 160, 160), (90, 90, 90)),
}


def _lerp(a: Color, b: Color, t: float) -> Color:
    """Colour ``a`` moved a fraction ``t`` (0..1) of the way to ``b``."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))  # type: ignore[return-value]


def _jitter(colour: Color, rng: np.random.Generator, sigma: float = 12.0) -> Color:
    """``colour`` with Gaussian noise per channel, clipped to 0..255."""
    noisy = np.clip(np.asarray(colour) + rng.normal(0.0, sigma, 3), 0, 255)
    return tuple(int(v) for v in noisy)  # type: ignore[return-value]


def _pick(rng: np.random.Generator, options: tuple[T, ...]) -> T:
    """One element of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def _background(top: Color, bottom: Color, horizon: float, size: tuple[int, int]) -> Image.Image:
    """Vertical two-colour gradient of ``size``, blending around ``horizon`` (0..1 of height)."""
    width, height = size
    rows = np.linspace(0.0, 1.0, height)[:, None]
    t = 1.0 / (1.0 + np.exp(-(rows - horizon) * 12.0))  # soft step at the horizon
    column = (np.asarray(top) * (1 - t) + np.asarray(bottom) * t).astype(np.uint8)  # (H, 3)
    return Image.fromarray(column[:, None, :], "RGB").resize(size, Image.Resampling.NEAREST)


def _spot(
    rng: np.random.Generator, size: tuple[int, int], radius: int, top: float = 0.0, bottom: float = 1.0
) -> tuple[int, int]:
    """A random centre inside the picture, vertically between fractions ``top``..``bottom``."""
    width, height = size
    x = int(rng.integers(0, max(1, width)))
    y = int(height * (top + (bottom - top) * rng.random()))
    return min(max(x, radius // 2), width - 1), min(max(y, radius // 2), height - 1)


def _circle(centre: tuple[int, int], radius: int) -> Box:
    """Bounding box of a circle."""
    x, y = centre
    radius = max(1, radius)
    return x - radius, y - radius, x + radius, y + radius


# --- cue shapes -----------------------------------------------------------------------
# Each drawer: (draw, rng, size, radius, colour, line width) -> None.


def _sun(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A disc with rays, high in the picture."""
    cx, cy = _spot(rng, size, radius, 0.05, 0.35)
    draw.ellipse(_circle((cx, cy), radius), fill=colour)
    for angle in np.linspace(0, 2 * np.pi, 10, endpoint=False) + rng.random():
        x0, y0 = cx + 1.3 * radius * np.cos(angle), cy + 1.3 * radius * np.sin(angle)
        x1, y1 = cx + 1.9 * radius * np.cos(angle), cy + 1.9 * radius * np.sin(angle)
        draw.line((x0, y0, x1, y1), fill=colour, width=width)


def _flower(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """Five round petals around a yellow heart, low in the picture, on a stem."""
    cx, cy = _spot(rng, size, radius, 0.55, 0.95)
    draw.line((cx, cy, cx, cy + 3 * radius), fill=(40, 150, 40), width=width)
    for angle in np.linspace(0, 2 * np.pi, 5, endpoint=False):
        px, py = cx + radius * np.cos(angle), cy + radius * np.sin(angle)
        draw.ellipse(_circle((int(px), int(py)), int(radius * 0.7)), fill=colour)
    draw.ellipse(_circle((cx, cy), int(radius * 0.5)), fill=(255, 220, 50))


def _heart(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """Two lobes and a point."""
    cx, cy = _spot(rng, size, radius)
    half = max(1, radius // 2)
    draw.ellipse(_circle((cx - half, cy), half), fill=colour)
    draw.ellipse(_circle((cx + half, cy), half), fill=colour)
    draw.polygon(
        [(cx - radius, cy + half // 3), (cx + radius, cy + half // 3), (cx, cy + int(1.4 * radius))],
        fill=colour,
    )


def _face(
    draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int, colour: Color, mood: int, width: int
) -> None:
    """A round face; ``mood`` +1 smiles, -1 frowns, 0 has a straight mouth."""
    cx, cy = centre
    draw.ellipse(_circle(centre, radius), fill=colour, outline=(30, 30, 30), width=width)
    eye = max(1, radius // 8)
    for dx in (-radius // 3, radius // 3):
        draw.ellipse(_circle((cx + dx, cy - radius // 4), eye), fill=(20, 20, 20))
    r = max(1, radius // 2)
    if mood > 0:
        draw.arc((cx - r, cy - r // 2, cx + r, cy + r), 20, 160, fill=(20, 20, 20), width=width)
    elif mood < 0:
        draw.arc((cx - r, cy + r // 3, cx + r, cy + r + r // 2), 200, 340, fill=(20, 20, 20), width=width)
    else:
        draw.line((cx - r, cy + r // 2, cx + r, cy + r // 2), fill=(20, 20, 20), width=width)


def _happy_face(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A yellow smiling face anywhere."""
    _face(draw, _spot(rng, size, radius), radius, _lerp(colour, (255, 210, 60), 0.7), +1, width)


def _sad_face(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A pale blue-grey frowning face anywhere."""
    _face(draw, _spot(rng, size, radius), radius, _lerp(colour, (150, 160, 180), 0.7), -1, width)


def _plain_face(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A beige face with a straight mouth."""
    _face(draw, _spot(rng, size, radius), radius, _lerp(colour, (215, 200, 180), 0.7), 0, width)


def _cloud(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A dark storm cloud of overlapping blobs, high in the picture, sometimes with a bolt."""
    cx, cy = _spot(rng, size, radius, 0.05, 0.4)
    for dx in (-radius, -radius // 3, radius // 3, radius):
        draw.ellipse(
            _circle((cx + dx, cy + int(rng.integers(-radius // 3 - 1, radius // 3 + 1))), int(radius * 0.7)),
            fill=colour,
        )
    if rng.random() < 0.4:
        bolt = [
            (cx, cy + radius // 2),
            (cx - radius // 3, cy + radius + radius // 2),
            (cx + radius // 6, cy + radius + radius // 3),
            (cx - radius // 6, cy + 2 * radius),
        ]
        draw.line(bolt, fill=(230, 230, 160), width=width + 1)


def _rain(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """Many short slanted streaks in a light cold grey."""
    w, h = size
    streak = _lerp(colour, (175, 185, 200), 0.6)
    n = 20 + int(rng.integers(0, 30))
    xs, ys = rng.integers(0, max(1, w), n), rng.integers(0, max(1, h), n)
    length = max(2, radius // 2)
    for x, y in zip(xs, ys):
        draw.line(
            (int(x), int(y), int(x) - length // 3, int(y) + length), fill=streak, width=max(1, width // 2)
        )


def _crack(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A jagged dark polyline, like a crack in a wall or broken glass."""
    x, y = _spot(rng, size, radius)
    points = [(x, y)]
    for _ in range(6):
        x += int(rng.integers(-radius, radius + 1))
        y += int(rng.integers(radius // 3, radius + 1))
        points.append((x, y))
    draw.line(points, fill=_lerp(colour, (10, 10, 12), 0.6), width=width + 1)


def _box(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A cardboard-like box: a rectangle with a lighter top face."""
    cx, cy = _spot(rng, size, radius, 0.4, 0.95)
    top = _lerp(colour, (255, 255, 255), 0.3)
    d = radius // 3
    draw.polygon(
        [
            (cx - radius, cy - radius),
            (cx - radius + d, cy - radius - d),
            (cx + radius + d, cy - radius - d),
            (cx + radius, cy - radius),
        ],
        fill=top,
    )
    draw.rectangle(
        (cx - radius, cy - radius, cx + radius, cy + radius),
        fill=colour,
        outline=(60, 60, 60),
        width=max(1, width // 2),
    )


def _document(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A white page with grey text-like lines."""
    cx, cy = _spot(rng, size, radius)
    x0, y0, x1, y1 = cx - radius, cy - int(radius * 1.3), cx + radius, cy + int(radius * 1.3)
    draw.rectangle((x0, y0, x1, y1), fill=_lerp(colour, (245, 245, 240), 0.8), outline=(90, 90, 90))
    step = max(2, radius // 4)
    for y in range(y0 + step, y1 - step // 2, step):
        end = x1 - step - int(rng.integers(0, max(1, radius)))
        draw.line((x0 + step, y, max(x0 + step, end), y), fill=(100, 100, 100), width=max(1, width // 2))


def _table(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    size: tuple[int, int],
    radius: int,
    colour: Color,
    width: int,
) -> None:
    """A grid of cells, like a spreadsheet or timetable."""
    cx, cy = _spot(rng, size, radius)
    x0, y0, x1, y1 = cx - 2 * radius, cy - radius, cx + 2 * radius, cy + radius
    draw.rectangle((x0, y0, x1, y1), fill=_lerp(colour, (235, 235, 235), 0.7), outline=(70, 70, 70))
    for i in range(1, 4):
        x = x0 + (x1 - x0) * i // 4
        draw.line((x, y0, x, y1), fill=(70, 70, 70), width=1)
    for j in range(1, 3):
        y = y0 + (y1 - y0) * j // 3
        draw.line((x0, y, x1, y), fill=(70, 70, 70), width=1)


Drawer = Callable[[ImageDraw.ImageDraw, np.random.Generator, tuple[int, int], int, Color, int], None]

_CUES: dict[str, tuple[Drawer, ...]] = {
    "positive": (_sun, _flower, _heart, _happy_face, _flower, _heart),
    "negative": (_cloud, _rain, _crack, _sad_face, _cloud, _crack),
    "neutral": (_box, _document, _table, _plain_face, _box, _document),
}


def _clutter(draw: ImageDraw.ImageDraw, rng: np.random.Generator, size: tuple[int, int], n: int) -> None:
    """``n`` sentiment-free shapes (rectangles, ellipses, lines) in uniformly random colours."""
    w, h = size
    unit = max(2, min(w, h) // 6)
    for _ in range(n):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = int(rng.integers(0, max(1, w))), int(rng.integers(0, max(1, h)))
        dx, dy = (int(v) for v in rng.integers(1, unit + 1, 2))
        shape = int(rng.integers(3))
        if shape == 0:
            draw.rectangle((x, y, x + dx, y + dy), fill=colour)
        elif shape == 1:
            draw.ellipse((x, y, x + dx, y + dy), fill=colour)
        else:
            draw.line((x, y, x + 2 * dx, y - dy), fill=colour, width=max(1, unit // 8))


def _add_noise(image: Image.Image, rng: np.random.Generator, amplitude: int) -> Image.Image:
    """``image`` plus uniform luminance noise in ``[-amplitude, amplitude]`` per pixel."""
    if amplitude <= 0:
        return image
    width, height = image.size
    values = rng.integers(0, 2 * amplitude + 1, size=width * height, dtype=np.uint8)
    noise = Image.frombytes("L", image.size, values.tobytes())
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), offset=-amplitude)


def render_picture(
    sentiment: str, clarity: float, rng: np.random.Generator, size: tuple[int, int]
) -> Image.Image:
    """Render an RGB scene of visual ``sentiment`` (negative|neutral|positive).

    ``clarity`` in [0, 1]: 1 gives the full palette and 3-5 crisp cues; 0 gives a muted
    palette, one faint cue, extra clutter and possibly a cue of another class.
    ``size`` is ``(width, height)`` in pixels (any size >= 1; tiny icons work).
    Returns a ``PIL.Image.Image`` in mode RGB of exactly ``size``.
    """
    if sentiment not in _SCHEMES:
        raise ValueError(f"unknown sentiment {sentiment!r}; expected one of {tuple(_SCHEMES)}")
    if not 0.0 <= clarity <= 1.0:
        raise ValueError(f"clarity must be in [0, 1], got {clarity}")
    width, height = size
    sigma = 6.0 if sentiment == "neutral" else 12.0  # keep neutral walls grey/beige
    top, bottom = (_lerp(_MIDDLE, _jitter(c, rng, sigma), clarity) for c in _pick(rng, _SCHEMES[sentiment]))
    image = _background(top, bottom, 0.3 + 0.4 * rng.random(), size)
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    line = max(1, unit // 80)
    _clutter(draw, rng, size, int(rng.integers(2, 5)) + int(round((1 - clarity) * 4)))
    cue_classes = [sentiment] * (1 + int(round(clarity * 3 + rng.random())))
    if rng.random() < 0.5 * (1 - clarity):
        cue_classes.append(_pick(rng, tuple(s for s in _SCHEMES if s != sentiment)))
    for cue_class in cue_classes:
        radius = max(1, int(unit * (0.06 + 0.1 * rng.random())))
        colour = _lerp(bottom, _jitter(_pick(rng, _CUE_COLOURS[cue_class]), rng), 0.35 + 0.65 * clarity)
        _pick(rng, _CUES[cue_class])(draw, rng, size, radius, colour, line)
    return _add_noise(image, rng, int(rng.integers(2, 12)))


def encode(image: Image.Image, fmt: str, quality: int = 85) -> bytes:
    """File bytes of ``image`` as ``fmt`` ("jpeg"/"jpg" or "png").

    ``quality`` (1-95) applies to JPEG only. Deterministic: same image, same bytes.
    """
    fmt = fmt.lower()
    buffer = io.BytesIO()
    if fmt in ("jpeg", "jpg"):
        image.convert("RGB").save(buffer, format="JPEG", quality=int(quality))
    elif fmt == "png":
        image.save(buffer, format="PNG", compress_level=1)
    else:
        raise ValueError(f"unsupported format {fmt!r}; expected 'jpeg', 'jpg' or 'png'")
    return buffer.getvalue()
