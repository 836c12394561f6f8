"""segcore.io.imageio: every format/mode to RGB uint8, EXIF orientation, pixel limit, clear errors."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps
from PIL.JpegImagePlugin import JpegImageFile

from segcore.io import imageio as I
from segcore.io.annotation import Annotation
from segcore.io.imageio import ImageReadError

# Display = what a viewer shows for a stored array with EXIF orientation o (EXIF 2.3 spec).
DISPLAY = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),  # stored rotated: turn 90 degrees clockwise to view
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


def blocks(h: int = 48, w: int = 64) -> np.ndarray:
    """An asymmetric picture of flat colour blocks (survives JPEG well)."""
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (255, 0, 0)
    a[: h // 2, w // 2 :] = (0, 255, 0)
    a[h // 2 :, : w // 4] = (0, 0, 255)
    a[h // 2 :, w // 4 :] = (255, 255, 0)
    return a


def exif_bytes(orientation: int) -> bytes:
    ex = Image.Exif()
    ex[0x0112] = orientation
    return ex.tobytes()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_jpeg(orientation: int, tmp_path: Path) -> None:
    stored = blocks()
    p = tmp_path / f"o{orientation}.jpg"
    Image.fromarray(stored).save(p, quality=95, exif=exif_bytes(orientation))
    got = I.read_image(p)
    want = DISPLAY[orientation](stored)
    assert got.shape == want.shape and got.dtype == np.uint8
    assert np.abs(got.astype(int) - want).mean() < 4
    with Image.open(p) as im:  # Pillow's reference agrees
        ref = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
    assert np.abs(got.astype(int) - ref).max() <= 1
    assert I.image_size(p) == (want.shape[1], want.shape[0])


def test_exif_orientation_png_is_exact(tmp_path: Path) -> None:
    stored = blocks(5, 7)
    p = tmp_path / "rot.png"
    Image.fromarray(stored).save(p, exif=exif_bytes(6))
    np.testing.assert_array_equal(I.read_image(p), np.rot90(stored, -1))
    assert I.image_size(p) == (5, 7)


def test_png_exif_after_pixel_data_counts_for_size_too(tmp_path: Path) -> None:
    p = tmp_path / "late.png"
    Image.fromarray(blocks(5, 7)).save(p)
    data = p.read_bytes()
    ex = exif_bytes(8)[6:] if exif_bytes(8).startswith(b"Exif\x00\x00") else exif_bytes(8)
    chunk = struct.pack(">I", len(ex)) + b"eXIf" + ex + struct.pack(">I", zlib.crc32(b"eXIf" + ex))
    iend = data.rindex(b"IEND") - 4
    p.write_bytes(data[:iend] + chunk + data[iend:])
    assert I.image_size(p) == (5, 7)
    assert I.read_image(p).shape == (7, 5, 3)


def test_broken_exif_is_ignored(tmp_path: Path) -> None:
    p = tmp_path / "bad_exif.jpg"
    Image.fromarray(blocks()).save(p, exif=b"Exif\x00\x00garbage-not-tiff")
    assert I.read_image(p).shape == (48, 64, 3)
    assert I.image_size(p) == (64, 48)


# ----------------------------------------------------------------------------- modes and depths


def test_16bit_gray_png_and_tiff(tmp_path: Path) -> None:
    full = np.array([[0, 257, 65535], [32896, 1000, 65000]], np.uint16)
    twelve = np.array([[0, 4095, 2048]], np.uint16)
    eight = np.array([[0, 17, 255]], np.uint16)
    for ext in ("png", "tif"):
        for arr, want in (
            (full, np.rint(full / 257.0)),
            (twelve, np.rint(twelve * 255.0 / 4095)),
            (eight, eight),
        ):
            p = tmp_path / f"g16.{ext}"
            assert cv2.imwrite(str(p), arr)
            with Image.open(p) as im:
                assert im.mode.startswith("I")
            got = I.read_image(p)
            assert got.shape == (*arr.shape, 3) and got.dtype == np.uint8
            np.testing.assert_array_equal(got[..., 0], want.astype(np.uint8))
            np.testing.assert_array_equal(got[..., 0], got[..., 2])


def test_16bit_rgb_keeps_high_byte(tmp_path: Path) -> None:
    rgb = (np.random.default_rng(0).random((6, 5, 3)) * 65535).astype(np.uint16)
    for ext in ("png", "tif"):
        p = tmp_path / f"rgb16.{ext}"
        assert cv2.imwrite(str(p), rgb[..., ::-1])
        np.testing.assert_array_equal(I.read_image(p), (rgb >> 8).astype(np.uint8))


def test_float_and_int32_tiff(tmp_path: Path) -> None:
    f = np.array([[0.0, 0.5, 1.0]], np.float32)
    p = tmp_path / "f.tif"
    assert cv2.imwrite(str(p), f)
    np.testing.assert_array_equal(I.read_image(p)[..., 0], [[0, 128, 255]])
    frgb = np.zeros((2, 3, 3), np.float32)
    frgb[0, 0] = (-1.0, 0.0, 3.0)  # BGR, outside [0, 1]: stretched min..max over all channels
    p = tmp_path / "frgb.tif"
    assert cv2.imwrite(str(p), frgb)
    got = I.read_image(p)  # Pillow cannot decode float RGB: the OpenCV fallback does
    assert got.shape == (2, 3, 3)
    np.testing.assert_array_equal(got[0, 0], [255, 64, 0])
    assert I.image_size(p) == (3, 2)
    i32 = np.array([[-10, 0, 1000]], np.int32)
    p = tmp_path / "i.tif"
    assert cv2.imwrite(str(p), i32)
    np.testing.assert_array_equal(I.read_image(p)[..., 0], np.rint((i32 + 10) * 255 / 1023)[0:1])


def test_gray_and_bilevel(tmp_path: Path) -> None:
    g = np.arange(256, dtype=np.uint8).reshape(16, 16)
    Image.fromarray(g).save(tmp_path / "g.png")
    got = I.read_image(tmp_path / "g.png")
    assert got.shape == (16, 16, 3)
    for c in range(3):
        np.testing.assert_array_equal(got[..., c], g)
    Image.fromarray(g > 127).save(tmp_path / "b.png")  # mode "1"
    np.testing.assert_array_equal(I.read_image(tmp_path / "b.png")[..., 1], np.where(g > 127, 255, 0))


def test_alpha_is_composited_on_black(tmp_path: Path) -> None:
    rgba = np.array([[[200, 100, 50, 255], [200, 100, 50, 128], [9, 9, 9, 0]]], np.uint8)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    got = I.read_image(tmp_path / "a.png").astype(int)
    np.testing.assert_array_equal(got[0, 0], [200, 100, 50])
    np.testing.assert_allclose(got[0, 1], [200 * 128 / 255, 100 * 128 / 255, 50 * 128 / 255], atol=0.51)
    np.testing.assert_array_equal(got[0, 2], [0, 0, 0])
    la = Image.fromarray(np.array([[[100, 255], [100, 0]]], np.uint8), "LA")
    la.save(tmp_path / "la.png")
    np.testing.assert_array_equal(I.read_image(tmp_path / "la.png")[0], [[100] * 3, [0] * 3])


def test_palette_with_and_without_transparency(tmp_path: Path) -> None:
    im = Image.new("P", (3, 1))
    im.putpalette([10, 20, 30, 200, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    im.putdata([0, 1, 2])
    im.save(tmp_path / "p.png")
    np.testing.assert_array_equal(I.read_image(tmp_path / "p.png")[0], [[10, 20, 30], [200, 0, 0], [0, 0, 255]])
    im.save(tmp_path / "pt.png", transparency=1)
    np.testing.assert_array_equal(I.read_image(tmp_path / "pt.png")[0], [[10, 20, 30], [0, 0, 0], [0, 0, 255]])


@pytest.mark.parametrize(("ext", "kwargs"), [("webp", {"lossless": True}), ("bmp", {}), ("tiff", {}),
                                              ("png", {})])
def test_lossless_formats_are_exact(ext: str, kwargs: dict, tmp_path: Path) -> None:
    a = (np.random.default_rng(1).random((9, 11, 3)) * 255).astype(np.uint8)
    p = tmp_path / f"x.{ext}"
    Image.fromarray(a).save(p, **kwargs)
    np.testing.assert_array_equal(I.read_image(p), a)
    assert I.image_size(p) == (11, 9)
    assert p.suffix in I.IMAGE_EXTENSIONS


def test_cmyk_jpeg(tmp_path: Path) -> None:
    p = tmp_path / "cmyk.jpg"
    Image.fromarray(blocks()).convert("CMYK").save(p)
    got = I.read_image(p)
    assert got.shape == (48, 64, 3) and np.abs(got.astype(int) - blocks()).mean() < 8


def test_extensions() -> None:
    assert I.IMAGE_EXTENSIONS == {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


# ----------------------------------------------------------------------------- limits and errors


def png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG that claims a size but holds almost no data (what a bomb looks like to a header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_pixel_limit(tmp_path: Path) -> None:
    p = tmp_path / "x.png"
    Image.fromarray(blocks()).save(p)
    with pytest.raises(ImageReadError, match=r"x\.png: 64x48 = 3,072 pixels is over the limit of 3,000") as info:
        I.read_image(p, max_pixels=3000)
    assert info.value.kind == "too_large" and info.value.path == p
    with pytest.raises(ImageReadError, match="over the limit"):
        I.read_image_reduced(p, 10, max_pixels=3000)
    assert I.read_image(p, max_pixels=3072).shape == (48, 64, 3)
    assert I.read_image(p, max_pixels=None).shape == (48, 64, 3)


def test_decompression_bomb_is_a_clear_error(tmp_path: Path) -> None:
    limit_before = Image.MAX_IMAGE_PIXELS
    bomb = tmp_path / "bomb.png"
    png_header_only(bomb, 25_000, 20_000)  # 500 MP: over our default limit
    with pytest.raises(ImageReadError, match=r"bomb\.png: 25000x20000 .* over the limit") as info:
        I.read_image(bomb)
    assert info.value.kind == "too_large"
    huge = tmp_path / "huge.png"
    png_header_only(huge, 40_000, 40_000)  # 1.6 GP: Pillow's own bomb guard fires first
    with pytest.raises(ImageReadError) as info:
        I.read_image(huge)
    assert info.value.kind == "too_large" and "huge.png" in str(info.value)
    # Header-only size works beyond Pillow's default limit, and that limit is restored.
    assert I.image_size(huge) == (40_000, 40_000)
    assert Image.MAX_IMAGE_PIXELS == limit_before
    big_but_allowed = tmp_path / "big.png"
    png_header_only(big_but_allowed, 15_000, 15_000)  # 225 MP: over Pillow's default, under ours
    with pytest.raises(ImageReadError, match="truncated|corrupt|decode") as info:
        I.read_image(big_but_allowed)  # so it gets as far as decoding (and the data is missing)
    assert info.value.kind == "corrupt"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a readable image"),
        (b"definitely not an image at all", "not a readable image"),
        ("truncated-jpeg", "truncated"),
        ("truncated-png", "truncated|corrupt|decode"),
        ("bad-tiff", "not a readable image|decode"),
    ],
)
def test_corrupt_files(content, message: str, tmp_path: Path) -> None:
    if isinstance(content, str):
        kind, ext = content.rsplit("-", 1)
        src = tmp_path / f"src.{ext}"
        Image.fromarray((np.random.default_rng(2).random((200, 300, 3)) * 255).astype(np.uint8)).save(src)
        data = src.read_bytes()
        content = data[: len(data) // 2] if kind == "truncated" else data[:8] + b"\x00" * 64
        p = tmp_path / f"broken.{ext}"
    else:
        p = tmp_path / "broken.jpg"
    p.write_bytes(content)
    for fn in (I.read_image, lambda q: I.read_image_reduced(q, 50)):
        with pytest.raises(ImageReadError, match=message) as info:
            fn(p)
        assert info.value.path == p and str(info.value).startswith(str(p))
        assert info.value.kind == "corrupt"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageReadError, match="no such file") as info:
        I.read_image(tmp_path / "gone.jpg")
    assert info.value.kind == "missing"
    with pytest.raises(ImageReadError, match="no such file"):
        I.image_size(tmp_path / "gone.jpg")
    with pytest.raises(ImageReadError) as info:
        I.read_image(tmp_path)
    assert info.value.kind == "missing"


# ----------------------------------------------------------------------------- reduced decode


def photo(h: int, w: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 255 // w, yy * 255 // h, (xx + yy) * 127 // (w + h) * 2], axis=2).astype(np.uint8)


def test_reduced_jpeg_uses_draft_and_matches_full_decode(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "big.jpg"
    Image.fromarray(photo(1200, 1600)).save(p, quality=92)
    calls = []
    original = JpegImageFile.draft

    def spy(self, mode, size):
        calls.append(size)
        return original(self, mode, size)

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    small, scale = I.read_image_reduced(p, 200)
    assert calls == [(200, 150)]
    assert small.shape == (150, 200, 3) and scale == pytest.approx(0.125)
    full = I.read_image(p)
    ref = np.asarray(Image.fromarray(full).resize((200, 150), Image.Resampling.LANCZOS))
    assert np.abs(small.astype(int) - ref).mean() < 3


def test_reduced_rotated_jpeg(tmp_path: Path) -> None:
    p = tmp_path / "rot.jpg"
    Image.fromarray(photo(300, 400)).save(p, exif=exif_bytes(6))
    small, scale = I.read_image_reduced(p, 100)
    assert small.shape == (100, 75, 3) and scale == 0.25
    full = I.read_image(p)
    ref = np.asarray(Image.fromarray(full).resize((75, 100), Image.Resampling.LANCZOS))
    assert np.abs(small.astype(int) - ref).mean() < 4


def test_reduced_png_and_small_images(tmp_path: Path) -> None:
    p = tmp_path / "x.png"
    Image.fromarray(photo(90, 301)).save(p)
    small, scale = I.read_image_reduced(p, 100)
    assert small.shape == (30, 100, 3) and scale == pytest.approx(100 / 301)
    same, scale = I.read_image_reduced(p, 301)
    assert scale == 1.0
    np.testing.assert_array_equal(same, I.read_image(p))
    with pytest.raises(ValueError):
        I.read_image_reduced(p, 0)


# ----------------------------------------------------------------------------- check_size


def test_check_size(tmp_path: Path) -> None:
    p = tmp_path / "img.png"
    Image.fromarray(blocks()).save(p)  # 64x48
    assert I.check_size(Annotation(image_width=64, image_height=48), p) is None
    assert I.check_size(Annotation(), p) is None  # nothing to compare
    msg = I.check_size(Annotation(image_width=640, image_height=480), p)
    assert msg is not None and "640x480" in msg and "img.png is 64x48" in msg
    assert "swapped" in I.check_size(Annotation(image_width=48, image_height=64), p)
    with pytest.raises(ImageReadError):
        I.check_size(Annotation(image_width=1, image_height=1), tmp_path / "missing.png")


def test_check_size_rotated_jpeg(tmp_path: Path) -> None:
    p = tmp_path / "cam.jpg"
    Image.fromarray(blocks()).save(p, exif=exif_bytes(6))  # stored 64x48, shown 48x64
    assert I.check_size(Annotation(image_width=48, image_height=64), p) is None
    msg = I.check_size(Annotation(image_width=64, image_height=48), p)
    assert msg is not None and "EXIF" in msg


# ----------------------------------------------------------------------------- verify_image


def _noise(h: int = 120, w: int = 160) -> np.ndarray:
    return np.random.default_rng(3).integers(0, 255, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("ext", [".jpg", ".png", ".bmp", ".tif", ".webp"])
def test_verify_image_accepts_whole_images(ext: str, tmp_path: Path) -> None:
    p = tmp_path / f"ok{ext}"
    cv2.imwrite(str(p), _noise())
    assert I.verify_image(p) == (160, 120, 1)


@pytest.mark.parametrize("ext", [".jpg", ".png", ".bmp", ".tif", ".webp"])
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_verify_image_refuses_a_cut_file_whose_header_reads(ext: str, keep: float, tmp_path: Path) -> None:
    whole = tmp_path / f"whole{ext}"
    cv2.imwrite(str(whole), _noise())
    data = whole.read_bytes()
    cut = tmp_path / f"cut{ext}"
    cut.write_bytes(data[: int(len(data) * keep)])
    if ext in (".jpg", ".png"):
        assert I.image_header(cut)[:2] == (160, 120)  # the header alone says nothing is wrong
    with pytest.raises(ImageReadError) as info:
        I.verify_image(cut)
    assert info.value.path == cut and info.value.kind == "corrupt"
    assert any(w in info.value.reason for w in ("truncated", "cannot decode", "not a readable image"))


def test_verify_image_jpeg_with_trailing_bytes_and_exif_rotation(tmp_path: Path) -> None:
    p = tmp_path / "rot.jpg"
    Image.fromarray(blocks()).save(p, exif=exif_bytes(6), quality=95)
    assert I.verify_image(p) == (48, 64, 6)
    p.write_bytes(p.read_bytes() + b"\0" * 100)  # padding after the end marker some cameras add
    assert I.verify_image(p) == (48, 64, 6)
    with pytest.raises(ImageReadError, match="too many pixels|over the limit"):
        I.verify_image(p, max_pixels=100)
