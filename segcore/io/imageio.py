"""Image reading for annotation, training and export: always RGB uint8, as a person sees it.

Rules (the same everywhere, so a label means the same pixels in every tool):

* EXIF orientation is applied (as LabelMe does), so ``image_size`` and ``read_image`` report
  the displayed size; a JPEG whose camera stored it sideways comes out upright.
* Grayscale and 1-bit images are repeated into three channels.
* Alpha (RGBA, LA, palette with transparency) is composited on black: a fully transparent pixel
  is black, whatever colour the file stores under it.
* Single-channel images deeper than 8 bits (16-bit PNG/TIFF, 32-bit int) are scaled by their
  bit depth rounded up to what the data uses: ``v * 255 / (2**b - 1)`` with
  ``b = max(8, bit_length(max value))``. A full-range 16-bit image maps 65535 -> 255 (the same
  as ``>> 8``), a 12-bit camera image stored in 16 bits maps 4095 -> 255 instead of looking
  black, and 8-bit data stored in 16 bits is unchanged. Negative integers are shifted to start
  at 0. Float images in [0, 1] are multiplied by 255, other float images stretched from their
  minimum to their maximum (NaN -> 0). 16-bit RGB(A) keeps its high byte (Pillow's rule).
* A pixel limit (``max_pixels``, default :data:`DEFAULT_MAX_PIXELS`) is checked from the
  header before anything is decoded, so a decompression bomb is an :class:`ImageReadError`, not
  an out-of-memory crash. Pillow's own bomb limit is raised to ours only while a header is
  parsed (under a lock); the check that counts is ours.
* Every failure (missing, corrupt, truncated, unsupported, too large) is an
  :class:`ImageReadError` naming the file and the problem.

TIFFs Pillow cannot decode (e.g. float RGB) fall back to OpenCV; for those the pixel limit is
checked after decoding (OpenCV's own limit, 2**30 pixels, still applies before).
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError

IMAGE_EXTENSIONS: frozenset[str] = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})
DEFAULT_MAX_PIXELS: int = 400_000_000

_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_PIL_LIMIT_LOCK = threading.Lock()


class ImageReadError(Exception):
    """An image that cannot be read; ``path`` is the file, ``reason`` what is wrong.

    ``kind`` sorts the cause: ``"missing"`` (no file, a folder, no permission), ``"too_large"``
    (over the pixel limit) or ``"corrupt"`` (unknown format, truncated, undecodable).
    """

    def __init__(self, path: str | os.PathLike, reason: str, *, kind: str = "corrupt"):
        self.path = Path(path)
        self.reason = reason
        self.kind = kind
        super().__init__(f"{self.path}: {reason}")


def _kind(exc: BaseException) -> str:
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
        return "missing"
    if isinstance(exc, (MemoryError, Image.DecompressionBombError)):
        return "too_large"
    return "corrupt"


# ----------------------------------------------------------------------------- opening


@contextlib.contextmanager
def _pil_bomb_limit(max_pixels: int | None) -> Iterator[None]:
    """Let Pillow open any header (its default refuses > ~179 MP, and raises its own bomb
    error past twice its limit): the caller checks the size against ``max_pixels`` itself, with
    a message that gives the image's dimensions. Only the header is parsed under this."""
    with _PIL_LIMIT_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        old = Image.MAX_IMAGE_PIXELS
        if old is not None:
            Image.MAX_IMAGE_PIXELS = None
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = old


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not an image"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, UnidentifiedImageError):
        return "not a readable image (unknown format or corrupt header)"
    if isinstance(exc, MemoryError):
        return "not enough memory to decode it"
    text = str(exc) or type(exc).__name__
    if "truncated" in text.lower():
        return f"the file is truncated or corrupt ({text})"
    return f"cannot decode ({text})"


@contextlib.contextmanager
def _open(path: Path, max_pixels: int | None) -> Iterator[Image.Image]:
    """Open ``path`` lazily (header only) and check the pixel limit."""
    try:
        with _pil_bomb_limit(max_pixels):
            im = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageReadError(path, f"too many pixels ({exc})", kind="too_large") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for bad files
        raise ImageReadError(path, _describe(exc), kind=_kind(exc)) from None
    try:
        w, h = im.size
        if max_pixels is not None and w * h > max_pixels:
            raise ImageReadError(
                path,
                f"{w}x{h} = {w * h:,} pixels is over the limit of {max_pixels:,} (a decompression "
                "bomb, or a very large image: raise max_pixels to read it)",
                kind="too_large",
            )
        yield im
    finally:
        im.close()


def _png_exif(path: Path) -> bytes | None:
    """The eXIf chunk of a PNG, found by skipping over chunks (no pixel data is decoded)."""
    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            return None
        while True:
            head = f.read(8)
            if len(head) < 8:
                return None
            length, kind = struct.unpack(">I4s", head)
            if kind == b"eXIf":
                return f.read(length)
            if kind == b"IEND":
                return None
            f.seek(length + 4, os.SEEK_CUR)


def _orientation(im: Image.Image, path: Path) -> int:
    """EXIF orientation 1..8 from the header; 1 when absent or unreadable."""
    try:
        if im.format == "PNG" and "exif" not in im.info:
            data = _png_exif(path)
            if data is None:
                return 1
            exif = Image.Exif()
            exif.load(data)
        else:
            exif = im.getexif()
        value = int(exif.get(_ORIENTATION_TAG, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block must not make the image unreadable
        return 1
    return value if value in _TRANSPOSE else 1


def _oriented_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    w, h = size
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


# ----------------------------------------------------------------------------- conversion


def _gray_to_uint8(a: np.ndarray) -> np.ndarray:
    """Scale one deep channel to uint8 (rules in the module docstring)."""
    if a.dtype == np.uint8:
        return a
    if a.dtype.kind == "f":
        a = np.nan_to_num(a.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
        if lo >= 0.0 and hi <= 1.0:
            return np.rint(a * 255.0).astype(np.uint8)
        span = hi - lo
        if span <= 0:
            return np.zeros(a.shape, np.uint8)
        return np.rint((a - lo) * (255.0 / span)).astype(np.uint8)
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    a = a.astype(np.int64)
    if a.size and a.min() < 0:
        a = a - a.min()
    top = int(a.max()) if a.size else 0
    bits = max(8, top.bit_length())
    if bits == 8:
        return a.astype(np.uint8)
    return np.rint(a * (255.0 / (2**bits - 1))).astype(np.uint8)


def _composite_on_black(rgba: np.ndarray) -> np.ndarray:
    rgb = rgba[..., :3].astype(np.uint16)
    alpha = rgba[..., 3:4].astype(np.uint16)
    return ((rgb * alpha + 127) // 255).astype(np.uint8)


def _pil_to_rgb(im: Image.Image) -> np.ndarray:
    """A loaded Pillow image of any mode as (H, W, 3) uint8 RGB."""
    mode = im.mode
    if mode == "RGB":
        return np.asarray(im)
    if mode in ("L", "1"):
        g = np.asarray(im.convert("L"))
        return np.repeat(g[..., None], 3, axis=2)
    if mode.startswith("I") or mode == "F":
        g = _gray_to_uint8(np.asarray(im))
        return np.repeat(g[..., None], 3, axis=2)
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or (mode == "P" and "transparency" in im.info):
        return _composite_on_black(np.asarray(im.convert("RGBA")))
    return np.asarray(im.convert("RGB"))


def _array_to_rgb(a: np.ndarray) -> np.ndarray:
    """An OpenCV-decoded array (gray, BGR or BGRA, any depth) as (H, W, 3) uint8 RGB."""
    if a.ndim == 2 or a.shape[2] == 1:
        g = _gray_to_uint8(a.reshape(a.shape[:2]))
        return np.repeat(g[..., None], 3, axis=2)
    if a.dtype.kind == "f":
        a8 = _gray_to_uint8(a)  # one scale for all channels keeps the colours
    elif a.dtype == np.uint8:
        a8 = a
    else:  # deep unsigned RGB(A): the high byte, as Pillow does for 16-bit RGB
        a8 = (a.astype(np.uint64) >> (8 * (a.dtype.itemsize - 1))).astype(np.uint8)
    if a8.shape[2] >= 4:
        return _composite_on_black(a8[..., [2, 1, 0, 3]])
    return np.ascontiguousarray(a8[..., 2::-1])


def _read_with_opencv(path: Path, max_pixels: int | None) -> np.ndarray | None:
    """Fallback for TIFFs Pillow cannot decode; None when OpenCV cannot either."""
    import cv2

    try:
        data = np.fromfile(path, dtype=np.uint8)
        a = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except Exception:  # noqa: BLE001 - OpenCV errors mean "cannot read" here
        return None
    if a is None or a.ndim not in (2, 3) or a.size == 0:
        return None
    h, w = a.shape[:2]
    if max_pixels is not None and w * h > max_pixels:
        raise ImageReadError(path, f"{w}x{h} = {w * h:,} pixels is over the limit of {max_pixels:,}",
                             kind="too_large")
    return _array_to_rgb(a)


def _is_tiff(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
    except OSError:
        return False


# ----------------------------------------------------------------------------- decoding


def _decode_pil(p: Path, max_pixels: int | None, max_side: int | None) -> tuple[np.ndarray, float]:
    try:
        with _open(p, max_pixels) as im:
            orientation = _orientation(im, p)
            full_w, full_h = _oriented_size(im.size, orientation)
            if max_side is not None and max(full_w, full_h) > max_side and im.format in ("JPEG", "MPO"):
                # libjpeg's DCT scaling (1/2..1/8): the full-size image never exists in memory
                s = max_side / max(full_w, full_h)
                im.draft(None, (math.ceil(im.size[0] * s), math.ceil(im.size[1] * s)))
            im.load()
            if orientation != 1:
                im = im.transpose(_TRANSPOSE[orientation])
            rgb = _pil_to_rgb(im)
    except ImageReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - decoding errors of every kind become one error
        raise ImageReadError(p, _describe(exc), kind=_kind(exc)) from None
    return _fit(rgb, (full_w, full_h), max_side)


def _fit(rgb: np.ndarray, full: tuple[int, int], max_side: int | None) -> tuple[np.ndarray, float]:
    """Resize to ``round(full * scale)`` with the longer side ``max_side`` (when larger)."""
    full_w, full_h = full
    if max_side is None or max(full_w, full_h) <= max_side:
        return rgb, 1.0
    scale = max_side / max(full_w, full_h)
    out = (max(1, round(full_w * scale)), max(1, round(full_h * scale)))
    if (rgb.shape[1], rgb.shape[0]) != out:
        rgb = np.asarray(Image.fromarray(rgb).resize(out, Image.Resampling.LANCZOS, reducing_gap=2.0))
    return rgb, scale


def _decode(path: str | os.PathLike, max_pixels: int | None, max_side: int | None) -> tuple[np.ndarray, float]:
    p = Path(path)
    try:
        return _decode_pil(p, max_pixels, max_side)
    except ImageReadError as exc:
        if exc.kind == "corrupt" and _is_tiff(p):
            a = _read_with_opencv(p, max_pixels)
            if a is not None:
                return _fit(a, (a.shape[1], a.shape[0]), max_side)
        raise


# ----------------------------------------------------------------------------- public API


Stamp = tuple[int, int, int, int]


def file_stamp(path: str | os.PathLike) -> Stamp | None:
    """``(modification time in ns, size, status-change time in ns, inode)`` of a file, None when
    it cannot be read: what tells a file (an image, a label file) replaced since it was read,
    without reading it again. The status-change time and the inode also change when a copy that
    keeps the modification time and the size (``cp -p``) or a rename replaces the file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino


def read_image(path: str | os.PathLike, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """The image as (H, W, 3) uint8 RGB, EXIF orientation applied (see the module rules).

    ``max_pixels=None`` disables the limit. Raises :class:`ImageReadError`.
    """
    return _decode(path, max_pixels, None)[0]


def read_image_reduced(
    path: str | os.PathLike, max_side: int, *, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> tuple[np.ndarray, float]:
    """A fast decode for display: ``(rgb, scale)`` with the longer side at most ``max_side``.

    ``scale`` is reduced / full size (1.0 when the image already fits); both sides are
    ``round(full * scale)``. JPEGs are decoded with libjpeg's DCT scaling (draft mode, 1/2 to
    1/8) before the final resize, so a 20000x15000 photo never exists at full size in memory.
    ``max_pixels`` applies to the full size, as in :func:`read_image`.
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, got {max_side}")
    return _decode(path, max_pixels, int(max_side))


def image_header(path: str | os.PathLike, *, max_pixels: int | None = None) -> tuple[int, int, int]:
    """``(width, height, orientation)`` from the header only: the size as displayed (after EXIF
    orientation) and the EXIF orientation (1..8, 1 when absent). With ``max_pixels``, an image
    over the limit raises :class:`ImageReadError` (``kind="too_large"``) before anything is
    decoded or allocated for it."""
    p = Path(path)
    try:
        with _open(p, max_pixels) as im:
            orientation = _orientation(im, p)
            return (*_oriented_size(im.size, orientation), orientation)
    except ImageReadError as exc:
        if exc.kind == "corrupt" and _is_tiff(p):
            a = _read_with_opencv(p, max_pixels)
            if a is not None:
                return a.shape[1], a.shape[0], 1
        raise


def image_size(path: str | os.PathLike, *, max_pixels: int | None = None) -> tuple[int, int]:
    """``(width, height)`` as displayed (after EXIF orientation), read from the header only;
    ``max_pixels`` as in :func:`image_header`."""
    w, h, _ = image_header(path, max_pixels=max_pixels)
    return w, h


def check_size(ann: Any, image_path: str | os.PathLike) -> str | None:
    """A problem message when the annotation's imageWidth/imageHeight disagree with the image
    (as displayed, after EXIF orientation), else None. Sizes missing from the JSON are not
    checked. Raises :class:`ImageReadError` when the image cannot be read."""
    jw, jh = getattr(ann, "image_width", None), getattr(ann, "image_height", None)
    if jw is None and jh is None:
        return None
    p = Path(image_path)
    w, h = image_size(p)
    if (jw is None or jw == w) and (jh is None or jh == h):
        return None
    msg = f"the JSON says {jw}x{jh} (imageWidth x imageHeight) but {p.name} is {w}x{h}"
    if (jw, jh) == (h, w):
        msg += (
            "; the JSON matches the image before its EXIF rotation (made by a tool that ignores "
            "EXIF orientation?)"
            if _raw_is_rotated(p)
            else "; width and height are swapped"
        )
    return msg


def _raw_is_rotated(path: Path) -> bool:
    try:
        with _open(path, None) as im:
            return _orientation(im, path) in (5, 6, 7, 8)
    except ImageReadError:
        return False


# ----------------------------------------------------------------------------- decode check

_JPEG_TAIL = 4096
"""How many trailing bytes of a JPEG are searched for its end-of-image marker."""


def _png_is_complete(path: Path) -> str | None:
    """Why a PNG's chunk list is cut short (no IEND chunk, a chunk running past the end of the
    file), or None. Walks the chunk headers only; no pixel data is decoded."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            return None  # not a PNG after all: the decode decides
        pos = 8
        while True:
            head = f.read(8)
            if len(head) < 8:
                return f"the file is truncated (it ends after {size:,} bytes, before the PNG's IEND chunk)"
            length, kind = struct.unpack(">I4s", head)
            pos += 12 + length
            if pos > size:
                return (f"the file is truncated (its {kind.decode('latin-1')!r} chunk runs past the end of "
                        f"the file at {size:,} bytes)")
            if kind == b"IEND":
                return None
            f.seek(pos)


def _jpeg_has_end(path: Path) -> bool:
    """True when the JPEG's end-of-image marker (FF D9) is among its last bytes."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - _JPEG_TAIL))
        return b"\xff\xd9" in f.read()


def _decode_small(im: Image.Image) -> None:
    """Decode every byte of the image data, as cheaply as the format allows (a JPEG at 1/8
    scale through libjpeg's DCT scaling); raises what Pillow raises for bad data."""
    if im.format in ("JPEG", "MPO"):
        im.draft("L", (max(1, im.size[0] // 8), max(1, im.size[1] // 8)))
    im.load()


def verify_image(path: str | os.PathLike, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> tuple[int, int, int]:
    """``(width, height, orientation)`` as :func:`image_header`, after checking that the image
    data decodes, not only the header: a JPEG cut short, a PNG without its end, a file whose
    pixels are garbage raise :class:`ImageReadError` (``kind="corrupt"``) naming the problem.

    Cheap: a JPEG whose end-of-image marker is in place and a PNG whose chunks are all there
    are accepted without decoding (a chunk walk reads only headers); anything else is decoded
    once, JPEGs at 1/8 scale. The one check behind ``info``, export and training.
    """
    p = Path(path)
    header = image_header(p, max_pixels=max_pixels)
    try:
        with _open(p, max_pixels) as im:
            fmt = im.format
            if fmt == "PNG":
                problem = _png_is_complete(p)
                if problem is None:
                    return header
                raise ImageReadError(p, problem)
            if fmt in ("JPEG", "MPO") and _jpeg_has_end(p):
                return header
            _decode_small(im)
    except ImageReadError as exc:
        if exc.kind == "corrupt" and _is_tiff(p) and _read_with_opencv(p, max_pixels) is not None:
            return header
        raise
    except OSError as exc:
        if _is_tiff(p) and _read_with_opencv(p, max_pixels) is not None:
            return header
        raise ImageReadError(p, _describe(exc), kind=_kind(exc)) from None
    except Exception as exc:  # noqa: BLE001 - decoding errors of every kind become one error
        raise ImageReadError(p, _describe(exc), kind=_kind(exc)) from None
    return header
