"""The fast LabelMe JSON writer writes what ``json.dumps(..., ensure_ascii=False, indent=2)``
writes, character for character, for every tree (and fails where it fails)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segcore.io import annotation as A
from segcore.io.annotation import Annotation, AnnotationError, Shape
from segcore.io.json_writer import dumps_labelme, iter_labelme

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(max_size=8)  # any unicode: surrogates, control characters, quotes
number = st.one_of(
    st.floats(),  # NaN, +-Infinity, -0.0, 1e-7, 1e16 ...
    st.sampled_from([1e-7, 1e16, -0.0, 0.0, 1e300, 5e-324, 0.1]),
    st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
)
leaf = st.one_of(st.none(), st.booleans(), number, text)
value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                     max_leaves=10)
points = st.lists(st.lists(number, min_size=2, max_size=2), max_size=6)
odd_points = st.lists(st.one_of(st.lists(leaf, max_size=3), leaf), max_size=4)  # not pairs: the generic way
shape = st.fixed_dictionaries(
    {"label": text, "points": st.one_of(points, odd_points)},
    optional={"group_id": st.one_of(st.none(), st.integers()), "description": text, "shape_type": text,
              "flags": st.dictionaries(text, st.booleans(), max_size=3), "mask": st.one_of(st.none(), text),
              "score": number, "proposed": st.booleans(), "other": value},
)
tree = st.fixed_dictionaries(
    {"version": text, "flags": st.dictionaries(text, value, max_size=3),
     "shapes": st.one_of(st.none(), st.lists(st.one_of(shape, value), max_size=4))},
    optional={"imagePath": text, "imageData": st.one_of(st.none(), text), "imageHeight": number,
              "imageWidth": number, "description": text, "other_data": value},
)


def _same_data(a, b) -> bool:
    """Equality that takes NaN as equal to NaN (what json.loads gives for it)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@SETTINGS
@given(tree)
def test_labelme_trees_are_written_as_indented_json_dumps_writes_them(t):
    expected = json.dumps(t, ensure_ascii=False, indent=2)
    got = dumps_labelme(t)
    assert got == expected
    assert _same_data(json.loads(got), json.loads(expected))
    assert "".join(iter_labelme(t)) == expected


@SETTINGS
@given(st.one_of(value, st.dictionaries(st.one_of(text, st.integers(), st.booleans(), st.none()), value, max_size=3)))
def test_any_json_value_is_written_as_indented_json_dumps_writes_it(v):
    assert dumps_labelme(v) == json.dumps(v, ensure_ascii=False, indent=2)


def test_what_json_cannot_write_fails_alike():
    loop: list = []
    loop.append(loop)
    for bad in ({"shapes": [{"points": [[1, 2]], "x": object()}]}, {"a": {1j: 2}}, {"shapes": [loop]},
                {"shapes": [{"points": [[1, 2], [object(), 3]]}]}):
        with pytest.raises((TypeError, ValueError)) as want:
            json.dumps(bad, ensure_ascii=False, indent=2)
        with pytest.raises(want.type):
            dumps_labelme(bad)


def test_a_non_finite_number_in_a_shape_is_refused_on_save_as_before(tmp_path):
    ann = Annotation(shapes=[Shape(label="a", points=[(0.0, 0.0), (1.0, float("nan")), (2.0, 2.0)])])
    with pytest.raises(AnnotationError):
        A.save(ann, tmp_path / "a.json")
    assert not (tmp_path / "a.json").exists()
    ann = Annotation(shapes=[Shape(label="a", points=[(0.0, 0.0), (1.0, 1e-7), (1e16, -0.0)])])
    ann.extra["other_data"] = {"x": [float("inf"), -0.0]}
    A.save(ann, tmp_path / "b.json")
    text = (tmp_path / "b.json").read_text(encoding="utf-8")
    assert text == json.dumps(A.to_dict(ann), ensure_ascii=False, indent=2)
    assert A.load(tmp_path / "b.json").shapes == ann.shapes
