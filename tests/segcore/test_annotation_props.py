"""Property tests: generated annotations of every shape type round-trip; bad input only ever
raises AnnotationError."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segcore.io import annotation as A
from segcore.io.annotation import Annotation, AnnotationError, Shape

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

coord = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-10**6, max_value=10**6),
)
point = st.tuples(coord, coord)
text = st.text(max_size=12)
flags = st.dictionaries(text, st.booleans(), max_size=3)
json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False), text,
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
SHAPE_KNOWN = {"label", "points", "group_id", "description", "shape_type", "flags", "mask", "score",
               "proposed"}
TOP_KNOWN = {"version", "flags", "shapes", "imagePath", "imageData", "imageHeight", "imageWidth"}


def _points_for(shape_type: str) -> st.SearchStrategy:
    lo, hi = A.POINT_COUNTS[shape_type]
    return st.lists(point, min_size=lo, max_size=hi if hi is not None else lo + 5)


@st.composite
def mask_bbox(draw) -> tuple[list[tuple[int, int]], np.ndarray]:
    x1, y1 = draw(st.integers(0, 500)), draw(st.integers(0, 500))
    w, h = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    bits = draw(st.lists(st.booleans(), min_size=w * h, max_size=w * h))
    return [(x1, y1), (x1 + w - 1, y1 + h - 1)], np.array(bits, dtype=bool).reshape(h, w)


@st.composite
def shapes(draw) -> Shape:
    shape_type = draw(st.sampled_from(A.SHAPE_TYPES))
    mask = None
    if shape_type == "mask":
        points, mask = draw(mask_bbox())
    else:
        points = draw(_points_for(shape_type))
    return Shape(
        label=draw(text),
        points=points,
        shape_type=shape_type,
        group_id=draw(st.none() | st.integers(-5, 10**9)),
        description=draw(st.none() | text),
        flags=draw(flags),
        mask=mask,
        score=draw(st.none() | st.floats(0, 1)),
        proposed=draw(st.booleans()),
        extra=draw(st.dictionaries(text.filter(lambda k: k not in SHAPE_KNOWN), json_value, max_size=2)),
    )


@st.composite
def annotations(draw) -> Annotation:
    return Annotation(
        shapes=draw(st.lists(shapes(), max_size=6)),
        image_path=draw(text.map(lambda t: t.replace("\\", "/"))),
        image_height=draw(st.none() | st.integers(1, 100_000)),
        image_width=draw(st.none() | st.integers(1, 100_000)),
        image_data=draw(st.none() | st.binary(max_size=16).map(lambda b: __import__("base64").b64encode(b).decode())),
        flags=draw(flags),
        version=draw(st.sampled_from(["5.5.0", "4.0.0", "3.16.7"])),
        extra=draw(st.dictionaries(text.filter(lambda k: k not in TOP_KNOWN), json_value, max_size=3)),
    )


@SETTINGS
@given(annotations())
def test_loads_dumps_round_trip(ann: Annotation) -> None:
    out = A.dumps(ann)
    back = A.loads(out)
    assert back == ann
    assert A.dumps(back) == out


@SETTINGS
@given(annotations())
def test_save_load_round_trip(tmp_path_factory, ann: Annotation) -> None:
    p = tmp_path_factory.mktemp("rt") / "a.json"
    A.save(ann, p)
    assert A.load(p) == ann


@SETTINGS
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_arbitrary_text_only_raises_annotation_error(raw) -> None:
    try:
        A.loads(raw, "x.json")
    except AnnotationError as exc:
        assert "x.json" in str(exc)


@SETTINGS
@given(json_value)
def test_arbitrary_json_only_raises_annotation_error(value) -> None:
    try:
        A.loads(json.dumps(value), "x.json")
    except AnnotationError as exc:
        assert str(exc).startswith("x.json")


# Mutations of a valid document: any known key replaced by any JSON value (or NaN/inf).
weird = json_value | st.sampled_from([float("nan"), float("inf"), 10**400, [[float("nan"), 1]]])


@SETTINGS
@given(annotations(), st.data())
def test_corrupted_documents_only_raise_annotation_error(ann: Annotation, data) -> None:
    doc = A.to_dict(ann)
    if doc["shapes"] and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(doc["shapes"]) - 1))
        target = doc["shapes"][i]
        key = data.draw(st.sampled_from(sorted(SHAPE_KNOWN) + ["extra-key"]))
    else:
        i, target = None, doc
        key = data.draw(st.sampled_from(sorted(TOP_KNOWN) + ["extra-key"]))
    if data.draw(st.booleans()) and key in target:
        del target[key]
    else:
        target[key] = data.draw(weird)
    try:
        back = A.loads(json.dumps(doc), "x.json")
    except AnnotationError as exc:
        assert str(exc).startswith("x.json")
        if i is not None and exc.shape_index is not None:
            assert exc.shape_index == i  # the error points at the shape we broke
        return
    # Whatever loaded must save and load again unchanged.
    assert A.loads(A.dumps(back)) == back


# ----------------------------------------------------------------------------- raw LabelMe files
# Files as any LabelMe version (or another tool) may have written them: known keys present,
# absent or null, ints or floats, unknown keys anywhere, any key order. Loading and saving
# without edits must give back the same bytes.


def _mask_b64(mask: np.ndarray) -> str:
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, format="PNG")  # mode "1", as LabelMe writes
    return base64.b64encode(buf.getvalue()).decode("ascii")


@st.composite
def raw_shapes(draw) -> dict:
    shape_type = draw(st.sampled_from(A.SHAPE_TYPES))
    d: dict = {"label": draw(text)}
    if shape_type == "mask":
        pts, mask = draw(mask_bbox())
        d["points"] = [list(p) for p in pts]
        d["mask"] = _mask_b64(mask)
        d["shape_type"] = "mask"
    else:
        d["points"] = [list(p) for p in draw(_points_for(shape_type))]
        if shape_type != "polygon" or draw(st.booleans()):
            d["shape_type"] = shape_type
        elif draw(st.booleans()):
            d["shape_type"] = None  # null means polygon too
        if draw(st.booleans()):
            d["mask"] = None
    optional = {
        "group_id": st.none() | st.integers(0, 99),
        "description": st.none() | text,
        "flags": st.none() | flags,
        "score": st.none() | st.floats(0, 1) | st.integers(0, 1),
        "proposed": st.none() | st.booleans(),
        "line_color": st.none() | st.lists(st.integers(0, 255), min_size=4, max_size=4),
        "fill_color": st.none() | st.lists(st.integers(0, 255), min_size=4, max_size=4),
        "other_tool_key": json_value,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            d[key] = draw(strategy)
    keys = draw(st.permutations(list(d)))
    return {k: d[k] for k in keys}


@st.composite
def raw_documents(draw) -> dict:
    d: dict = {}
    optional = {
        "version": st.sampled_from(["3.16.7", "4.0.0", "5.5.0"]) | st.integers(1, 5),
        "flags": st.none() | flags,
        "shapes": st.none() | st.lists(raw_shapes(), max_size=4),
        "lineColor": st.lists(st.integers(0, 255), min_size=4, max_size=4),
        "imagePath": st.none() | st.sampled_from(["a.jpg", "..\\img\\a.jpg", "sub/b c.png", "C:\\x\\y.jpg"]),
        "imageData": st.none() | st.just("aGVsbG8="),
        "imageHeight": st.none() | st.integers(1, 5000) | st.integers(1, 5000).map(float),
        "imageWidth": st.none() | st.integers(1, 5000),
        "someToolMeta": json_value,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            d[key] = draw(strategy)
    keys = draw(st.permutations(list(d)))
    return {k: d[k] for k in keys}


@SETTINGS
@given(raw_documents())
def test_unedited_files_save_byte_identical(doc: dict) -> None:
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    ann = A.loads(text, "doc.json")
    assert A.dumps(ann) == text
    assert A.dumps(ann.copy()) == text
    assert A.loads(A.dumps(ann)) == ann
