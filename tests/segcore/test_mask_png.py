"""Mask shapes are written as 8-bit 0/1 grayscale PNGs that every reader decodes to the very
mask: segcore's own decoder, PIL (what LabelMe reads with) and OpenCV."""

from __future__ import annotations

import base64
import io

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from segcore.io import annotation as A
from segcore.io.annotation import Annotation, Shape
from segcore.io.mask_png import mask_png

masks = st.tuples(st.integers(1, 70), st.integers(1, 70)).flatmap(
    lambda hw: arrays(np.bool_, hw, elements=st.booleans()))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(masks)
def test_an_encoded_mask_decodes_to_the_same_pixels_everywhere(mask):
    text = A.encode_mask(mask)
    np.testing.assert_array_equal(A.decode_mask(text), mask)
    with Image.open(io.BytesIO(base64.b64decode(text))) as im:
        assert (im.format, im.mode, im.size) == ("PNG", "L", (mask.shape[1], mask.shape[0]))
        pixels = np.asarray(im)
    np.testing.assert_array_equal(pixels, mask.astype(np.uint8))  # 0 and 1, as LabelMe writes
    decoded = cv2.imdecode(np.frombuffer(base64.b64decode(text), np.uint8), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(decoded, mask.astype(np.uint8))


def test_a_large_mask_of_long_runs_round_trips():
    mask = np.zeros((768, 1024), bool)
    mask[100:700, 50:1000] = True
    mask[300:320, 400:900] = False
    np.testing.assert_array_equal(A.decode_mask(A.encode_mask(mask)), mask)


def test_non_bool_masks_count_every_non_zero_pixel_as_set():
    m = np.array([[0, 2, -1], [0.5, 0, 255]])
    np.testing.assert_array_equal(A.decode_mask(base64.b64encode(mask_png(m)).decode()), m != 0)


def test_an_empty_or_not_2d_mask_is_refused_by_the_png_writer():
    for bad in (np.zeros((0, 4), bool), np.zeros((2, 2, 2), bool)):
        with pytest.raises(ValueError, match="2-D"):
            mask_png(bad)


def test_a_mask_shape_saves_and_loads_back_and_a_loaded_mask_is_written_as_read(tmp_path):
    mask = np.eye(9, dtype=bool) | np.eye(9, dtype=bool)[::-1]
    ann = Annotation(shapes=[Shape(label="m", points=[(3.0, 4.0), (11.0, 12.0)], shape_type="mask", mask=mask)])
    A.save(ann, tmp_path / "a.json")
    loaded = A.load(tmp_path / "a.json")
    np.testing.assert_array_equal(loaded.shapes[0].mask, mask)
    # a mask read from a file keeps its bytes on saving (whatever wrote them)
    buf = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8)).save(buf, format="PNG")
    foreign = base64.b64encode(buf.getvalue()).decode()
    text = (tmp_path / "a.json").read_text(encoding="utf-8").replace(loaded.shapes[0].source["mask"][0], foreign)
    (tmp_path / "b.json").write_text(text, encoding="utf-8")
    A.save(A.load(tmp_path / "b.json"), tmp_path / "c.json")
    assert foreign in (tmp_path / "c.json").read_text(encoding="utf-8")
