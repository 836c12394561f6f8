"""Output files of the exporters: images copied or encoded once, indexed PNGs, safe writes."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from segcore.io.imageio import DEFAULT_MAX_PIXELS, ImageReadError
from segcore.io.imageio import image_header as _image_header

JPEG_SUFFIXES = frozenset({".jpg", ".jpeg"})

IMAGE_ERRORS = (OSError, ValueError, ImageReadError)
"""What reading, encoding or copying one image may raise."""

SOURCE_ERRORS = (ValueError, ImageReadError)
"""What reading or encoding a source image may raise (a failed write is an :class:`OSError`)."""


def write_file(path: Path, data: bytes) -> None:
    """Write a derived output file (every file an export writes goes through here): a
    temporary file in the same folder, then a rename, so a reader never sees half a file. No fsync: these files are re-creatable from the user's
    labels (which :func:`segcore.io.annotation.save` writes with fsync), and one fsync per file
    would cost more than encoding it."""
    tmp = path.with_name(f".{path.name}.part{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def copy_file(src: Path, dst: Path) -> None:
    """Copy ``src`` byte for byte to ``dst`` (through :func:`write_file`). A source that cannot
    be read raises :class:`ImageReadError`; a failed write raises :class:`OSError`."""
    try:
        data = Path(src).read_bytes()
    except OSError as exc:
        raise ImageReadError(src, f"cannot read it ({exc.strerror or exc})") from None
    write_file(dst, data)


def image_header(path: Path) -> tuple[int, int, int]:
    """``(width, height, exif_orientation)`` from the header; size after the orientation.
    Raises :class:`ImageReadError` for an unreadable image or one over the pixel limit that
    :func:`segcore.io.imageio.read_image` applies (so nothing is rasterised at a bomb's size)."""
    return _image_header(path, max_pixels=DEFAULT_MAX_PIXELS)


def read_rgb(path: Path) -> np.ndarray:
    """(H, W, 3) uint8 RGB with the EXIF orientation applied."""
    from segcore.io.imageio import read_image

    return read_image(path)


def encode_jpeg(rgb: np.ndarray, quality: int = 95) -> bytes:
    """JPEG bytes of an RGB array."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def palette_png(index_map: np.ndarray, palette: bytes) -> bytes:
    """Mode "P" PNG bytes of a uint8 index map with the given 768-byte palette.

    OpenCV encodes the 8-bit grey PNG (no row filter, zlib RLE strategy: fast and small for
    label maps); the header is then turned into an indexed one with a PLTE chunk. Indexed and
    grey 8-bit PNGs store the same bytes, so no pixel is re-encoded.
    """
    arr = np.ascontiguousarray(index_map, dtype=np.uint8)
    ok, buf = cv2.imencode(".png", arr, [cv2.IMWRITE_PNG_COMPRESSION, 1,
                                          cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
                                          cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE])
    if not ok:  # pragma: no cover - OpenCV failing on a plain uint8 array
        im = Image.fromarray(arr, mode="L")
        im.putpalette(palette)
        out = io.BytesIO()
        im.save(out, format="PNG", compress_level=1)
        return out.getvalue()
    return _grey_to_indexed(buf.tobytes(), palette)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _grey_to_indexed(png: bytes, palette: bytes) -> bytes:
    """An 8-bit grey PNG as an indexed PNG with ``palette`` (same image data)."""
    sig, pos = png[:8], 8
    out = [sig]
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            if data[8] != 8 or data[9] != 0:
                raise ValueError("expected an 8-bit grey PNG")
            out.append(_png_chunk(b"IHDR", data[:9] + b"\x03" + data[10:]))
            out.append(_png_chunk(b"PLTE", bytes(palette[:768]).ljust(768, b"\0")))
        elif kind in (b"IDAT", b"IEND"):
            out.append(_png_chunk(kind, data))
    return b"".join(out)


def export_image(src: Path, dst_dir: Path, stem: str) -> Path:
    """Put the image under ``dst_dir`` as ``<stem>.jpg``: JPEGs without a rotating EXIF
    orientation are copied byte for byte, anything else is decoded and encoded once. A source
    that cannot be read raises one of :data:`SOURCE_ERRORS`; a failed write :class:`OSError`."""
    dst = dst_dir / f"{stem}.jpg"
    if src.suffix.lower() in JPEG_SUFFIXES and image_header(src)[2] in (0, 1):
        copy_file(src, dst)
    else:
        write_file(dst, encode_jpeg(read_rgb(src)))
    return dst
