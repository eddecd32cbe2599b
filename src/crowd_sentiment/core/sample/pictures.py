"""Synthetic pictures whose *visual* sentiment an ImageNet CNN can pick up.

Each picture is a small scene drawn with Pillow. Its visual sentiment is carried by cues
that pretrained features respond to:

- positive: warm, saturated, bright palette; blue sky; sun; flowers; hearts; smiling faces;
- negative: dark, cold, desaturated palette; storm clouds; rain streaks; cracks and
  jagged shapes; frowning faces;
- neutral: mid-grey/beige palette; boxes; documents with text-like lines; tables;
  straight-mouthed faces.

A per-picture ``clarity`` in [0, 1] bounds how strong the cues are. Each cue (the palette
and every cue shape) gets its own strength, ``clarity`` times a factor drawn in [0.5, 1],
so no single cue, the palette included, decides on its own: the palette is blended toward
an ambiguous muted middle, cue shapes fade toward the background. Unclear pictures have
fewer cues of their class, more clutter and more often a distractor cue of another class;
at clarity 0 a picture carries on average as many distractor cues as own ones (nothing
readable is left).

Real photos carry nuisance that has nothing to do with sentiment; so do these:

- framing: in 30 % of pictures the scene fills only part of the frame (a poster, a
  window, a screen) inside a busy background of everyday colours, blotchy texture,
  façades and clutter;
- scale: cue shapes from 4 % to 20 % of the short side (log-uniform), any layout;
- occlusion: a third of the pictures have a foreground object (a head and shoulders, a
  sticker, a caption bar) covering up to about a fifth of the frame;
- camera: every picture gets a random colour cast (white balance), exposure, contrast
  and saturation; a quarter are soft (out of focus or upscaled);
- random clutter in random colours, pixel noise, JPEG quality, a few PNGs.

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


# --- sentiment-free nuisance ----------------------------------------------------------


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


def _everyday_colour(rng: np.random.Generator) -> Color:
    """A colour of ordinary surroundings: any hue, mostly moderate saturation, any brightness."""
    hue = rng.random()
    sat = rng.uniform(0.0, 0.7)
    val = rng.uniform(0.15, 0.95)
    rgb = Image.new("HSV", (1, 1), (int(hue * 255), int(sat * 255), int(val * 255))).convert("RGB")
    return rgb.getpixel((0, 0))  # type: ignore[return-value]


def _add_texture(image: Image.Image, rng: np.random.Generator, strength: float) -> Image.Image:
    """``image`` plus low-frequency colour blotches (lighting, foliage, stains) of amplitude ``strength`` (0..1)."""
    cells = (int(rng.integers(3, 9)), int(rng.integers(3, 7)))
    grid = 128.0 + rng.uniform(-127.0, 127.0, (cells[1], cells[0], 3)) * strength
    blotches = Image.fromarray(grid.astype(np.uint8), "RGB").resize(image.size, Image.Resampling.BILINEAR)
    return ImageChops.add(image, blotches, offset=-128)


def _busy_background(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """A sentiment-free surrounding: everyday colours, blotchy texture, façades and clutter."""
    width, height = size
    image = _background(_everyday_colour(rng), _everyday_colour(rng), rng.uniform(0.2, 0.8), size)
    image = _add_texture(image, rng, rng.uniform(0.05, 0.25))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(0, 4))):  # buildings, shelves, furniture: blocks with windows
        colour = _everyday_colour(rng)
        x0 = int(rng.integers(0, max(1, width)))
        bw = max(1, int(width * rng.uniform(0.08, 0.3)))
        y0 = int(height * rng.uniform(0.1, 0.7))
        draw.rectangle((x0, y0, x0 + bw, height), fill=colour)
        step = max(2, bw // 4)
        window = _lerp(colour, _everyday_colour(rng), 0.6)
        for y in range(y0 + step // 2, height - step, step * 2):
            for x in range(x0 + step // 2, x0 + bw - step // 2, step * 2):
                draw.rectangle((x, y, x + step // 2, y + step // 2), fill=window)
    _clutter(draw, rng, size, int(rng.integers(3, 10)))
    return image


def _occlude(draw: ImageDraw.ImageDraw, rng: np.random.Generator, size: tuple[int, int]) -> None:
    """One foreground object in front of the scene: a silhouette, a sticker or a caption bar."""
    width, height = size
    colour = _everyday_colour(rng)
    kind = int(rng.integers(3))
    if kind == 0:  # someone's head and shoulders close to the lens
        cx = int(width * rng.uniform(0.0, 1.0))
        r = max(1, int(min(width, height) * rng.uniform(0.1, 0.2)))
        draw.ellipse(_circle((cx, height), int(1.6 * r)), fill=colour)
        draw.ellipse(_circle((cx, height - 2 * r), r), fill=_lerp(colour, _everyday_colour(rng), 0.3))
    elif kind == 1:  # a sticker, logo or thumb over part of the picture
        x, y = int(rng.integers(0, max(1, width))), int(rng.integers(0, max(1, height)))
        dx = max(1, int(width * rng.uniform(0.05, 0.15)))
        dy = max(1, int(height * rng.uniform(0.05, 0.15)))
        draw.rounded_rectangle((x - dx, y - dy, x + dx, y + dy), radius=max(1, min(dx, dy) // 3), fill=colour)
    else:  # a caption bar with text-like marks at the top or bottom
        bar = max(1, int(height * rng.uniform(0.08, 0.15)))
        y0 = 0 if rng.random() < 0.5 else height - bar
        ink = (255, 255, 255) if sum(colour) < 380 else (15, 15, 15)
        draw.rectangle((0, y0, width, y0 + bar), fill=colour)
        x = max(1, width // 20)
        while x < width - width // 20:
            word = max(1, int(width * rng.uniform(0.03, 0.1)))
            draw.rectangle((x, y0 + bar // 3, x + word, y0 + 2 * bar // 3), fill=ink)
            x += word + max(1, width // 40)


def _camera(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Global photometric nuisance: white balance, exposure, contrast, saturation, focus.

    Log-normal factors around 1 (one sigma: ~8 % per-channel colour cast, ~1/2 stop
    exposure, ~20 % contrast, ~30 % saturation), applied as one colour matrix; a quarter
    of the pictures are also soft (out of focus or upscaled from a smaller upload).
    """
    gains = np.exp(rng.normal(0.0, 0.08, 3)) * np.exp(rng.normal(0.0, 0.35))
    contrast = float(np.exp(rng.normal(0.0, 0.2)))
    saturation = float(np.exp(rng.normal(0.0, 0.3)))
    mixing = saturation * np.eye(3) + (1 - saturation) / 3  # toward (or away from) each pixel's grey
    matrix = contrast * mixing * gains[None, :]
    offset = (1 - contrast) * 128.0  # contrast pivots on mid-grey
    image = image.convert("RGB", tuple(float(v) for row in matrix for v in (*row, offset)))
    if rng.random() < 0.25:
        width, height = image.size
        factor = rng.uniform(1.5, 4.0)
        small = (max(1, int(width / factor)), max(1, int(height / factor)))
        image = image.resize(small, Image.Resampling.BILINEAR).resize(image.size, Image.Resampling.BILINEAR)
    return image


def _add_noise(image: Image.Image, rng: np.random.Generator, amplitude: int) -> Image.Image:
    """``image`` plus uniform luminance noise in ``[-amplitude, amplitude]`` per pixel."""
    if amplitude <= 0:
        return image
    width, height = image.size
    values = rng.integers(0, 2 * amplitude + 1, size=width * height, dtype=np.uint8)
    noise = Image.frombytes("L", image.size, values.tobytes())
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), offset=-amplitude)


# --- composing a picture --------------------------------------------------------------


def _cue_strength(clarity: float, rng: np.random.Generator) -> float:
    """How strongly one cue shows: ``clarity`` scaled by its own factor in [0.5, 1]."""
    return clarity * float(rng.uniform(0.5, 1.0))


def _scene(sentiment: str, clarity: float, rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """The sentiment-bearing scene of ``size``: palette, clutter and cues."""
    width, height = size
    sigma = 6.0 if sentiment == "neutral" else 12.0  # keep neutral walls grey/beige
    palette = _cue_strength(clarity, rng)
    top, bottom = (_lerp(_MIDDLE, _jitter(c, rng, sigma), palette) for c in _pick(rng, _SCHEMES[sentiment]))
    image = _background(top, bottom, 0.3 + 0.4 * rng.random(), size)
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    line = max(1, unit // 80)
    _clutter(draw, rng, size, int(rng.integers(2, 6)) + int(round((1 - clarity) * 4)))
    cue_classes = [sentiment] * int(round(clarity * 4 + rng.random()))  # 0-1 at clarity 0, 4-5 at 1
    if rng.random() < 0.5 * (1 - clarity):  # a distractor: as likely as an own cue at clarity 0
        cue_classes.insert(
            int(rng.integers(len(cue_classes) + 1)), _pick(rng, tuple(s for s in _SCHEMES if s != sentiment))
        )
    for cue_class in cue_classes:
        radius = max(1, int(unit * np.exp(rng.uniform(np.log(0.04), np.log(0.2)))))
        strength = _cue_strength(clarity, rng)
        colour = _lerp(bottom, _jitter(_pick(rng, _CUE_COLOURS[cue_class]), rng), 0.35 + 0.65 * strength)
        _pick(rng, _CUES[cue_class])(draw, rng, size, radius, colour, line)
    return image


def render_picture(
    sentiment: str, clarity: float, rng: np.random.Generator, size: tuple[int, int]
) -> Image.Image:
    """Render an RGB scene of visual ``sentiment`` (negative|neutral|positive).

    ``clarity`` in [0, 1] bounds how strong the sentiment cues are: near 1 the palette and
    4-5 cues of the class are strong (each cue's own strength is drawn in [0.5, 1] x
    clarity); 0 gives a muted palette, extra clutter, and faint cues that are as likely
    of another class as of ``sentiment`` (0 or 1 own cue, a distractor half the time).
    Sentiment-free nuisance comes on top: in 30 % of pictures the scene fills only 30-80 %
    of the frame inside a busy background, a third get a foreground occluder (a head, a
    sticker or a caption bar covering up to about a fifth of the frame), and every
    picture gets a random colour cast, exposure, contrast and saturation, sometimes blur.
    ``size`` is ``(width, height)`` in pixels (any size >= 1; tiny icons work).
    Returns a ``PIL.Image.Image`` in mode RGB of exactly ``size``.
    """
    if sentiment not in _SCHEMES:
        raise ValueError(f"unknown sentiment {sentiment!r}; expected one of {tuple(_SCHEMES)}")
    if not 0.0 <= clarity <= 1.0:
        raise ValueError(f"clarity must be in [0, 1], got {clarity}")
    width, height = size
    if rng.random() < 0.3:  # the scene is a part of the frame: a poster, a window, a screen
        fx, fy = rng.uniform(0.55, 0.9, 2)
        inner = (max(1, int(round(width * fx))), max(1, int(round(height * fy))))
        image = _busy_background(rng, size)
        corner = (int(rng.integers(0, width - inner[0] + 1)), int(rng.integers(0, height - inner[1] + 1)))
        image.paste(_scene(sentiment, clarity, rng, inner), corner)
    else:
        image = _scene(sentiment, clarity, rng, size)
    if rng.random() < 1 / 3:
        _occlude(ImageDraw.Draw(image), rng, size)
    image = _camera(image, rng)
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
