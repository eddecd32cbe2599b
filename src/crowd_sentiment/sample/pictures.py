"""Synthetic pictures whose visual sentiment an ImageNet CNN can pick up.

A Pillow scene (palette, cue shapes, clutter) whose cues fade with ``clarity``, plus
sentiment-free nuisance: framing, occlusion, colour cast, exposure, blur and noise.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from crowd_sentiment.sample._random import pick

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]

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


def _background(top: Color, bottom: Color, horizon: float, size: tuple[int, int]) -> Image.Image:
    """Vertical two-colour gradient of ``size``, blending around ``horizon`` (0..1 of height)."""
    width, height = size
    rows = np.linspace(0.0, 1.0, height)[:, None]
    t = 1.0 / (1.0 + np.exp(-(rows - horizon) * 12.0))  # soft step at the horizon
    column = (np.asarray(top) * (1 - t) + np.asarray(bottom) * t).astype(np.uint8)  # (H, 3)
    return Image.fromarray(column[:, None, :], "RGB").resize(size, Image.Resampling.NEAREST)


def _circle(centre: tuple[int, int], radius: int) -> Box:
    """Bounding box of a circle."""
    x, y = centre
    radius = max(1, radius)
    return x - radius, y - radius, x + radius, y + radius


# --- cue shapes -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Pen:
    """What every cue drawer gets: the canvas, the randomness, and the cue's size and paint."""

    draw: ImageDraw.ImageDraw
    rng: np.random.Generator
    size: tuple[int, int]  # (width, height) of the canvas in px
    radius: int  # size of the cue in px
    colour: Color
    width: int  # line width in px

    def spot(self, top: float = 0.0, bottom: float = 1.0) -> tuple[int, int]:
        """A random centre inside the canvas, vertically between fractions ``top``..``bottom``."""
        width, height = self.size
        x = int(self.rng.integers(0, max(1, width)))
        y = int(height * (top + (bottom - top) * self.rng.random()))
        return min(max(x, self.radius // 2), width - 1), min(max(y, self.radius // 2), height - 1)


Drawer = Callable[[_Pen], None]


def _sun(p: _Pen) -> None:
    """A disc with rays, high in the picture."""
    cx, cy = p.spot(0.05, 0.35)
    p.draw.ellipse(_circle((cx, cy), p.radius), fill=p.colour)
    for angle in np.linspace(0, 2 * np.pi, 10, endpoint=False) + p.rng.random():
        x0, y0 = cx + 1.3 * p.radius * np.cos(angle), cy + 1.3 * p.radius * np.sin(angle)
        x1, y1 = cx + 1.9 * p.radius * np.cos(angle), cy + 1.9 * p.radius * np.sin(angle)
        p.draw.line((x0, y0, x1, y1), fill=p.colour, width=p.width)


def _flower(p: _Pen) -> None:
    """Five round petals around a yellow heart, low in the picture, on a stem."""
    cx, cy = p.spot(0.55, 0.95)
    p.draw.line((cx, cy, cx, cy + 3 * p.radius), fill=(40, 150, 40), width=p.width)
    for angle in np.linspace(0, 2 * np.pi, 5, endpoint=False):
        px, py = cx + p.radius * np.cos(angle), cy + p.radius * np.sin(angle)
        p.draw.ellipse(_circle((int(px), int(py)), int(p.radius * 0.7)), fill=p.colour)
    p.draw.ellipse(_circle((cx, cy), int(p.radius * 0.5)), fill=(255, 220, 50))


def _heart(p: _Pen) -> None:
    """Two lobes and a point."""
    cx, cy = p.spot()
    radius, half = p.radius, max(1, p.radius // 2)
    p.draw.ellipse(_circle((cx - half, cy), half), fill=p.colour)
    p.draw.ellipse(_circle((cx + half, cy), half), fill=p.colour)
    p.draw.polygon(
        [(cx - radius, cy + half // 3), (cx + radius, cy + half // 3), (cx, cy + int(1.4 * radius))],
        fill=p.colour,
    )


def _face(p: _Pen, tint: Color, mood: int) -> None:
    """A round face anywhere, painted toward ``tint``; ``mood`` +1 smiles, -1 frowns, 0 is straight."""
    centre = p.spot()
    cx, cy = centre
    radius, width, ink = p.radius, p.width, (20, 20, 20)
    skin = _lerp(p.colour, tint, 0.7)
    p.draw.ellipse(_circle(centre, radius), fill=skin, outline=(30, 30, 30), width=width)
    eye = max(1, radius // 8)
    for dx in (-radius // 3, radius // 3):
        p.draw.ellipse(_circle((cx + dx, cy - radius // 4), eye), fill=ink)
    r = max(1, radius // 2)
    if mood > 0:
        p.draw.arc((cx - r, cy - r // 2, cx + r, cy + r), 20, 160, fill=ink, width=width)
    elif mood < 0:
        p.draw.arc((cx - r, cy + r // 3, cx + r, cy + r + r // 2), 200, 340, fill=ink, width=width)
    else:
        p.draw.line((cx - r, cy + r // 2, cx + r, cy + r // 2), fill=ink, width=width)


_happy_face: Drawer = partial(_face, tint=(255, 210, 60), mood=+1)  # yellow, smiling
_sad_face: Drawer = partial(_face, tint=(150, 160, 180), mood=-1)  # pale blue-grey, frowning
_plain_face: Drawer = partial(_face, tint=(215, 200, 180), mood=0)  # beige, straight mouth


def _cloud(p: _Pen) -> None:
    """A dark storm cloud of overlapping blobs, high in the picture, sometimes with a bolt."""
    cx, cy = p.spot(0.05, 0.4)
    radius = p.radius
    for dx in (-radius, -radius // 3, radius // 3, radius):
        dy = int(p.rng.integers(-radius // 3 - 1, radius // 3 + 1))
        p.draw.ellipse(_circle((cx + dx, cy + dy), int(radius * 0.7)), fill=p.colour)
    if p.rng.random() < 0.4:
        bolt = [
            (cx, cy + radius // 2),
            (cx - radius // 3, cy + radius + radius // 2),
            (cx + radius // 6, cy + radius + radius // 3),
            (cx - radius // 6, cy + 2 * radius),
        ]
        p.draw.line(bolt, fill=(230, 230, 160), width=p.width + 1)


def _rain(p: _Pen) -> None:
    """Many short slanted streaks in a light cold grey."""
    w, h = p.size
    streak = _lerp(p.colour, (175, 185, 200), 0.6)
    n = 20 + int(p.rng.integers(0, 30))
    xs, ys = p.rng.integers(0, max(1, w), n), p.rng.integers(0, max(1, h), n)
    length = max(2, p.radius // 2)
    for x, y in zip(xs, ys):
        line = (int(x), int(y), int(x) - length // 3, int(y) + length)
        p.draw.line(line, fill=streak, width=max(1, p.width // 2))


def _crack(p: _Pen) -> None:
    """A jagged dark polyline, like a crack in a wall or broken glass."""
    x, y = p.spot()
    points = [(x, y)]
    for _ in range(6):
        x += int(p.rng.integers(-p.radius, p.radius + 1))
        y += int(p.rng.integers(p.radius // 3, p.radius + 1))
        points.append((x, y))
    p.draw.line(points, fill=_lerp(p.colour, (10, 10, 12), 0.6), width=p.width + 1)


def _box(p: _Pen) -> None:
    """A cardboard-like box: a rectangle with a lighter top face."""
    cx, cy = p.spot(0.4, 0.95)
    radius, d = p.radius, p.radius // 3
    top = [(cx - radius, cy - radius), (cx - radius + d, cy - radius - d), (cx + radius + d, cy - radius - d)]
    p.draw.polygon([*top, (cx + radius, cy - radius)], fill=_lerp(p.colour, (255, 255, 255), 0.3))
    p.draw.rectangle(
        (cx - radius, cy - radius, cx + radius, cy + radius),
        fill=p.colour,
        outline=(60, 60, 60),
        width=max(1, p.width // 2),
    )


def _document(p: _Pen) -> None:
    """A white page with grey text-like lines."""
    cx, cy = p.spot()
    radius = p.radius
    x0, y0, x1, y1 = cx - radius, cy - int(radius * 1.3), cx + radius, cy + int(radius * 1.3)
    p.draw.rectangle((x0, y0, x1, y1), fill=_lerp(p.colour, (245, 245, 240), 0.8), outline=(90, 90, 90))
    step = max(2, radius // 4)
    for y in range(y0 + step, y1 - step // 2, step):
        end = x1 - step - int(p.rng.integers(0, max(1, radius)))
        p.draw.line((x0 + step, y, max(x0 + step, end), y), fill=(100, 100, 100), width=max(1, p.width // 2))


def _table(p: _Pen) -> None:
    """A grid of cells, like a spreadsheet or timetable."""
    cx, cy = p.spot()
    x0, y0, x1, y1 = cx - 2 * p.radius, cy - p.radius, cx + 2 * p.radius, cy + p.radius
    p.draw.rectangle((x0, y0, x1, y1), fill=_lerp(p.colour, (235, 235, 235), 0.7), outline=(70, 70, 70))
    for i in range(1, 4):
        x = x0 + (x1 - x0) * i // 4
        p.draw.line((x, y0, x, y1), fill=(70, 70, 70), width=1)
    for j in range(1, 3):
        y = y0 + (y1 - y0) * j // 3
        p.draw.line((x0, y, x1, y), fill=(70, 70, 70), width=1)


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
    """``image`` plus low-frequency colour blotches of amplitude ``strength`` (0..1)."""
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
    """Random white balance, exposure, contrast, saturation and, a quarter of the time, blur.

    Log-normal factors, one sigma: ~8 % colour cast per channel, ~1/2 stop exposure, ~20 %
    contrast, ~30 % saturation.
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
    top, bottom = (_lerp(_MIDDLE, _jitter(c, rng, sigma), palette) for c in pick(rng, _SCHEMES[sentiment]))
    image = _background(top, bottom, 0.3 + 0.4 * rng.random(), size)
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    line = max(1, unit // 80)
    _clutter(draw, rng, size, int(rng.integers(2, 6)) + int(round((1 - clarity) * 4)))
    cue_classes = [sentiment] * int(round(clarity * 4 + rng.random()))  # 0-1 at clarity 0, 4-5 at 1
    if rng.random() < 0.5 * (1 - clarity):  # a distractor: as likely as an own cue at clarity 0
        cue_classes.insert(
            int(rng.integers(len(cue_classes) + 1)), pick(rng, tuple(s for s in _SCHEMES if s != sentiment))
        )
    for cue_class in cue_classes:
        radius = max(1, int(unit * np.exp(rng.uniform(np.log(0.04), np.log(0.2)))))
        strength = _cue_strength(clarity, rng)
        colour = _lerp(bottom, _jitter(pick(rng, _CUE_COLOURS[cue_class]), rng), 0.35 + 0.65 * strength)
        pick(rng, _CUES[cue_class])(_Pen(draw, rng, size, radius, colour, line))
    return image


def render_picture(
    sentiment: str, clarity: float, rng: np.random.Generator, size: tuple[int, int]
) -> Image.Image:
    """An RGB picture of visual ``sentiment`` (negative|neutral|positive), exactly ``size``.

    ``size`` is (width, height) in px, any size >= 1. ``clarity`` in [0, 1]: near 1 a strong
    palette and 4-5 cues of ``sentiment``; near 0 a muted palette, more clutter, 0-1 faint own
    cue and, half the time, a distractor cue of another class. Nuisance comes on top: 30 %
    framed inside a busy background, a third occluded, every one a random camera.
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
