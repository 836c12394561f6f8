"""A fast PNG writer for binary masks (the pixels of LabelMe ``mask`` shapes).

A mask is written as an 8-bit grayscale PNG of 0/1 values, what LabelMe writes and reads
(``PIL.Image.open`` then ``astype(bool)``). PIL's encoder tries every row filter and deflates at
zlib's default level: ~10 ms per megapixel. A 0/1 mask needs neither: rows go unfiltered
(filter type 0) and zlib's run-length strategy, which suits long runs of equal bytes, packs
them smaller than PIL does at a fraction of the time. Any PNG reader decodes the same pixels.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["mask_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_LEVEL = 6
"""zlib level: with the run-length strategy the levels differ little in time or size."""


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(tag)))


def mask_png(mask: np.ndarray) -> bytes:
    """The PNG bytes of a 2-D mask (non-zero = set) as a mode "L" image of 0/1 pixels. Raises
    ValueError for a mask that is not 2-D or has no pixels (a PNG has at least one)."""
    m = np.asarray(mask)
    if m.ndim != 2 or m.size == 0:
        raise ValueError(f"a mask PNG needs a non-empty 2-D array, got shape {m.shape}")
    h, w = m.shape
    rows = np.zeros((h, w + 1), np.uint8)  # each row: its filter type (0, none), then its pixels
    if m.dtype == np.bool_:
        rows[:, 1:] = m
    else:
        np.not_equal(m, 0, out=rows[:, 1:], casting="unsafe")
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    data = packer.compress(rows.data) + packer.flush()
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)  # 8-bit grayscale, no interlace
    return b"".join((_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", data), _chunk(b"IEND", b"")))
