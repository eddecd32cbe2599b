"""Tests for image validation, resizing and the content-addressed image store."""

import hashlib
import io
import os

import numpy as np
import pytest
from PIL import Image

from crowd_sentiment.core.files import atomic_write_bytes
from crowd_sentiment.core.images import (
    ImageStore,
    InvalidImageError,
    content_id,
    decode_image,
    prepare_image,
    prepare_images,
    resize_short_side,
    stored_image_id,
)

LIMITS = {"min_side": 16, "max_pixels": 10_000_000}


def _noise(width, height, seed=0, mode="RGB"):
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels).convert(mode)


def _encode(image, fmt="JPEG", **kwargs):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _reason(data, **limits):
    with pytest.raises(InvalidImageError) as info:
        decode_image(data, **{**LIMITS, **limits})
    return info.value.reason


def test_decode_gives_rgb_of_the_right_size():
    for mode, fmt in [("RGB", "JPEG"), ("L", "PNG"), ("RGBA", "PNG"), ("P", "GIF")]:
        image = decode_image(_encode(_noise(40, 30, mode=mode), fmt), **LIMITS)
        assert image.mode == "RGB" and image.size == (40, 30)


def test_full_decode_catches_a_truncated_jpeg_that_verify_passes():
    data = _encode(_noise(64, 64), quality=90)
    truncated = data[: len(data) // 2]
    Image.open(io.BytesIO(truncated)).verify()  # PIL's verify() is fooled
    assert _reason(truncated) == "undecodable"


def test_invalid_inputs_get_their_reason():
    png = _encode(_noise(40, 20), "PNG")
    assert _reason(b"") == "empty_file"
    assert _reason(np.random.default_rng(1).bytes(500)) == "undecodable"
    assert _reason(png, min_side=21) == "too_small"
    assert decode_image(png, min_side=20, max_pixels=800).size == (40, 20)
    assert _reason(png, max_pixels=799) == "too_large"
    # the pixel count is refused before decoding: a truncated file too large is "too_large"
    truncated = _encode(_noise(64, 64))[:1000]
    assert _reason(truncated) == "undecodable"
    assert _reason(truncated, max_pixels=100) == "too_large"


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    image = Image.new("RGB", (40, 20), "white")
    image.paste((255, 0, 0), (0, 0, 20, 20))  # red on the left half
    decoded = decode_image(_encode(image, exif=exif, quality=95), **LIMITS)
    assert decoded.size == (20, 40)
    top, bottom = np.asarray(decoded)[5, 10], np.asarray(decoded)[35, 10]
    assert top[0] > 200 and top[1] < 60  # left half is now on top
    assert bottom.min() > 200


def test_resize_short_side_downscales_and_never_upscales():
    image = _noise(200, 100)
    assert resize_short_side(image, 50).size == (100, 50)
    assert resize_short_side(_noise(100, 300), 30).size == (30, 90)
    assert resize_short_side(image, 100) is image
    assert resize_short_side(image, 400) is image


def test_content_id_is_the_sha256_prefix():
    assert content_id(b"abc") == hashlib.sha256(b"abc").hexdigest()[:32]
    assert content_id(b"abc") == "ba7816bf8f01cfea414140de5dae2223"
    assert content_id(b"abd") != content_id(b"abc")


def test_prepare_image():
    data = _encode(_noise(200, 100), "PNG")
    stored = prepare_image(data, min_side=16, max_pixels=10**6, short_side=50, quality=85)
    assert stored.image_id == stored_image_id(data, short_side=50, quality=85) != content_id(data)
    assert stored.image_id != prepare_image(data, min_side=16, max_pixels=10**6, short_side=40, quality=85).image_id
    assert (stored.width, stored.height) == (100, 50)
    with Image.open(io.BytesIO(stored.jpeg)) as image:
        assert image.format == "JPEG" and image.size == (100, 50)
    with pytest.raises(InvalidImageError, match="too_small"):
        prepare_image(data, min_side=101, max_pixels=10**6, short_side=50, quality=85)


def _all_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_store_put_is_idempotent_and_leaves_no_temp_files(tmp_path):
    store = ImageStore(tmp_path / "store")
    first, second = _encode(_noise(20, 20, seed=1)), _encode(_noise(20, 20, seed=2))
    id1, id2 = content_id(first), content_id(second)
    assert store.put(id1, first) is True
    assert store.put(id1, second) is False  # already stored: not rewritten
    assert store.put(id2, second) is True
    assert store.path(id1).read_bytes() == first
    assert store.path(id1) == tmp_path / "store" / id1[:2] / id1[2:4] / f"{id1}.jpg"
    assert id1 in store and "0" * 32 not in store and 5 not in store
    assert store.ids() == sorted([id1, id2])
    assert _all_files(tmp_path / "store") == sorted(ImageStore.relative_path(i) for i in (id1, id2))
    assert np.array_equal(np.asarray(store.open(id1)), np.asarray(Image.open(io.BytesIO(first))))


def test_store_open_of_a_missing_id_names_the_path(tmp_path):
    store = ImageStore(tmp_path)
    with pytest.raises(FileNotFoundError, match=str(store.path("ab" * 16))):
        store.open("ab" * 16)
    assert store.ids() == []


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "file.bin"
    atomic_write_bytes(target, b"old")
    assert target.read_bytes() == b"old"

    def broken_fsync(fd):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk gone"):
        atomic_write_bytes(target, b"new contents")
    assert target.read_bytes() == b"old"
    assert _all_files(tmp_path) == ["sub/file.bin"]


@pytest.mark.parametrize("workers", [1, 2])
def test_prepare_images_keeps_order_and_returns_errors_in_place(workers):
    good = [_encode(_noise(40, 30, seed=i)) for i in range(5)]
    datas = [good[0], b"not a picture", *good[1:], b""]
    settings = {"min_side": 8, "max_pixels": 10_000_000, "short_side": 16, "quality": 80}
    outcomes = list(prepare_images(iter(datas), workers=workers, chunk=2, **settings))
    assert [type(o).__name__ for o in outcomes] == ["StoredImage", "InvalidImageError"] + ["StoredImage"] * 4 + [
        "InvalidImageError"
    ]
    assert outcomes[1].reason == "undecodable" and outcomes[-1].reason == "empty_file"
    expected = [prepare_image(d, **settings) for d in good]
    assert [o for o in outcomes if not isinstance(o, InvalidImageError)] == expected
