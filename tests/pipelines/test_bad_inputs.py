"""The bad-input corpus through ingestion: every bad item caught with its reason, every clean one kept.

The corpus is generated here: broken, odd and hostile dump lines, dump files and media
files beside clean ones. Counted exactly: 100 % of bad items rejected with the expected
reason, 0 false accepts, 0 false rejects, 0 crashes.
"""

from __future__ import annotations

import io
import json
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from crowd_sentiment.params import IngestionParams
from crowd_sentiment.pipelines.ingestion.nodes import parse_tweet_dumps, validate_photos

PARAMS = IngestionParams(min_side=32, max_pixels=5_000_000, store_short_side=48, max_text_chars=5_000,
                         max_reject_share=1.0)  # fmt: skip


def _encode(image, fmt="PNG", **kwargs):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _gradient(width=64, height=48, seed=0):
    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal(120, 40, (height, width, 3)), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def _png_header_only(width, height):
    """A PNG whose header claims ``width`` x ``height`` (a decompression bomb as PIL sees it)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _exif_rotated():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    return _encode(_gradient(80, 40, seed=3), "JPEG", exif=exif)


def _palette_alpha():
    image = Image.new("P", (64, 64), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 32, 64))
    return _encode(image, "PNG", transparency=0)  # right half: transparent black


def _animated_gif():
    frames = [_gradient(64, 64, seed=s).convert("P") for s in range(3)]
    return _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)


CLEAN_MEDIA = {
    "c_jpeg.jpg": lambda: _encode(_gradient(), "JPEG"),
    "c_png.png": lambda: _encode(_gradient(seed=1)),
    "c_renamed_png.jpg": lambda: _encode(_gradient(seed=2)),  # PNG bytes under .jpg: decoded by content
    "c_exif.jpg": _exif_rotated,
    "c_cmyk.jpg": lambda: _encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG"),  # red
    "c_16bit.png": lambda: _encode(Image.fromarray(np.full((48, 64), 32768, np.uint16))),  # mid grey
    "c_palette_alpha.png": _palette_alpha,
    "c_animated.gif": _animated_gif,
    "c_gray.png": lambda: _encode(_gradient(seed=4).convert("L")),
}
BAD_MEDIA = {
    "b_truncated.jpg": (lambda: _encode(_gradient(seed=5), "JPEG")[:300], "undecodable"),
    "b_zero.jpg": (lambda: b"", "empty_file"),
    "b_text.jpg": (lambda: b"<html>404 not found</html>", "undecodable"),
    "b_bomb.png": (lambda: _png_header_only(20_000, 20_000), "too_large"),  # beyond PIL's own bomb limit
    "b_huge.png": (lambda: _png_header_only(3_000, 3_000), "too_large"),  # beyond max_pixels
    "b_tiny.png": (lambda: _encode(_gradient(16, 16)), "too_small"),
    "b_float.tif": (
        lambda: _encode(Image.fromarray(np.ones((48, 64), np.float32)), "TIFF"),
        "unsupported_mode",
    ),
    "b_random.jpg": (lambda: np.random.default_rng(9).bytes(2000), "undecodable"),
}


def _v2(tweet_id, text, key, url=None):
    tweet = {"id": tweet_id, "text": text, "attachments": {"media_keys": [key]}}
    return json.dumps(
        {
            "data": tweet,
            "includes": {
                "media": [{"media_key": key, "type": "photo", "url": url or f"https://x/{key}.jpg"}]
            },
        }
    )


def _corpus():
    """Dump files, media loaders, and the expected outcome of every item."""
    clean_keys = [name.rsplit(".", 1) for name in CLEAN_MEDIA]
    good = [_v2(f"g{i}", f"lovely day number {i} \u2028 with a line separator \x85 inside", key, f"https://x/{key}.{ext}")
            for i, (key, ext) in enumerate(clean_keys)]  # fmt: skip
    bad_media_tweets = [_v2(f"m{i}", "a picture of something", name.rsplit(".", 1)[0], f"https://x/{name}")
                        for i, name in enumerate(BAD_MEDIA)]  # fmt: skip
    lines = [
        ("\ufeff" + good[0]).encode(),  # BOM before the first tweet
        good[1].encode() + b"\r",  # CRLF line ending
        _v2("bad_utf8", "cafe", "k1").encode().replace(b"cafe", b"caf\xe9"),  # Latin-1 byte
        _v2("surrogate", "x", "k2").replace('"x"', '"half an emoji \\ud83d"').encode(),
        (b"[" * 100_000 + b"]" * 100_000),
        _v2("cut", "cut short", "k3")[:30].encode(),
        b"[1, 2, 3]",
        json.dumps({"includes": {}}).encode(),
        json.dumps({"data": {"text": "no id", "attachments": {"media_keys": ["k4"]}}}).encode(),
        json.dumps({"data": {"id": "notext", "text": 5}}).encode(),
        json.dumps(
            {"data": {"id": "badkeys", "text": "keys wrong", "attachments": {"media_keys": "k5"}}}
        ).encode(),
        json.dumps(
            {"data": {"id": "nokey", "text": "media key not included", "attachments": {"media_keys": ["k6"]}}}
        ).encode(),
        _v2("empty", "   ", "k7").encode(),
        _v2("mentions", "@ann @bob https://t.co/x", "k8").encode(),
        _v2("garbled", "love ??? ??? ???? ????", "k9").encode(),
        _v2("long", "word " * 2_000, "k10").encode(),
        _v2("traversal", "look at this", "../../etc/passwd").encode(),
        *[line.encode() for line in good[2:]],
        *[line.encode() for line in bad_media_tweets],
        _v2("g0", "the same id again, later", "k11").encode(),
    ]
    second = "\n".join(
        [_v2("g1", "same id in another file", "k12"), _v2("g_second", "a fine second file", "c_gray2")]
    )
    dumps = {
        "a.jsonl": b"\n".join(lines) + b"\n",
        "b.jsonl": second.encode(),
        "empty.jsonl": b"",
        "README.txt": b"notes",
        ".a.jsonl.x1.tmp": b"{",
    }
    media = {name: loader for name, loader in CLEAN_MEDIA.items()}
    media.update({name: loader for name, (loader, _) in BAD_MEDIA.items()})
    media["c_gray2.jpg"] = lambda: _encode(_gradient(seed=7), "JPEG")
    expected_lines = {
        "a.jsonl:3": "invalid_utf8",
        "a.jsonl:5": "too_deeply_nested",
        "a.jsonl:6": "malformed_json",
        "a.jsonl:7": "malformed_json",
        "a.jsonl:8": "malformed_json",
        "a.jsonl:9": "missing_field",
        "a.jsonl:10": "missing_field",
    }
    expected_tweets = {
        "surrogate": "invalid_text",
        "badkeys": "malformed_json",
        "nokey": "no_photo",
        "empty": "empty_text",
        "mentions": "empty_text",
        "garbled": "garbled_text",
        "long": "text_too_long",
        "traversal": "no_photo",
        "g0": "duplicate_tweet",
        "g1": "duplicate_tweet",
    }
    expected_files = {
        "empty.jsonl": "empty_file",
        "README.txt": "unknown_format",
        ".a.jsonl.x1.tmp": "hidden_file",
    }
    clean_tweets = (
        {f"g{i}" for i in range(len(good))} | {f"m{i}" for i in range(len(BAD_MEDIA))} | {"g_second"}
    )
    return dumps, media, expected_lines, expected_tweets, expected_files, clean_tweets


@pytest.fixture(scope="module")
def ingested():
    dumps, media, *expected = _corpus()
    tweets, photos, rejected_dump = parse_tweet_dumps({k: (lambda v=v: v) for k, v in dumps.items()}, PARAMS)
    images, store, rejected_media = validate_photos(photos, media, PARAMS)
    return tweets, images, store, rejected_dump, rejected_media, expected


def _by_kind(frame, kind):
    rows = frame[frame["item_kind"] == kind]
    return dict(zip(rows["item_id"], rows["reason"], strict=True))


def test_every_bad_dump_item_is_caught_with_its_reason_and_every_clean_tweet_kept(ingested):
    tweets, _, _, rejected, _, (expected_lines, expected_tweets, expected_files, clean_tweets) = ingested
    assert _by_kind(rejected, "line") == expected_lines  # physical line numbers, nothing else
    assert _by_kind(rejected, "tweet") == expected_tweets
    assert _by_kind(rejected, "file") == expected_files
    assert set(tweets["tweet_id"]) == clean_tweets  # 0 false rejects, 0 false accepts
    assert _by_kind(rejected, "image")["'../../etc/passwd'"] == "unsafe_media_name"
    kept = tweets.set_index("tweet_id")
    assert "\u2028" in kept.loc["g3", "text"] and kept.loc["g0", "source"] == "a.jsonl"


def test_every_bad_picture_is_caught_and_every_clean_one_stored_with_true_pixels(ingested):
    _, images, store, _, rejected, _ = ingested
    assert _by_kind(rejected, "image") == {name: reason for name, (_, reason) in BAD_MEDIA.items()}
    by_key = images.drop_duplicates("media_key").set_index("media_key")
    clean_keys = {name.rsplit(".", 1)[0] for name in CLEAN_MEDIA} | {"c_gray2"}
    assert set(by_key.index) == clean_keys

    def pixels(key):
        return np.asarray(Image.open(io.BytesIO(store[by_key.loc[key, "image_id"]])).convert("RGB"), float)

    assert tuple(by_key.loc["c_exif", ["width", "height"]]) == (40, 80)  # EXIF rotation applied
    assert abs(pixels("c_16bit").mean() - 127.5) < 3  # 16 bits scaled, not clipped to white
    red = pixels("c_cmyk").mean(axis=(0, 1))
    assert red[0] > 200 and red[1] < 60 and red[2] < 60
    halves = pixels("c_palette_alpha")
    assert halves[:, :20].mean(axis=(0, 1))[0] > 200 and halves[:, -20:].mean() > 240  # transparent → white
