"""A shape reaching outside the image is left out only when it paints no pixel of it; a
polygon with a vertex a pixel or more inside the image is known to paint one without
rasterising it. Both answers agree with rasterising the shape."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from segcore.data.rasterize import shape_crop
from segcore.data.shape_checks import shape_issue, zero_area_reason
from segcore.io.annotation import Shape

far = st.floats(-60, 90, allow_nan=False)


@st.composite
def a_polygon_reaching_outside(draw) -> tuple[Shape, int, int]:
    w, h = draw(st.integers(3, 30)), draw(st.integers(3, 30))
    pts = [(draw(far), draw(far)) for _ in range(draw(st.integers(3, 6)))]
    how = draw(st.sampled_from(["anywhere", "vertex", "spike"]))
    if how != "anywhere":  # one vertex near or over the border, the rest anywhere
        k = draw(st.integers(0, len(pts) - 1))
        pts[k] = (draw(st.floats(-3, w + 2)), draw(st.floats(-3, h + 2)))
    if how == "spike":  # a thin spike from outside the left border to that vertex
        (x, y), d = pts[k], draw(st.floats(0.01, 2))
        pts = [(x, y), (-40.0, y + d), (-40.0, y - d)]
    return Shape("cat", pts), w, h


@settings(max_examples=400, deadline=None)
@given(a_polygon_reaching_outside())
def test_left_out_exactly_when_it_paints_no_pixel_of_the_image(case):
    shape, w, h = case
    if zero_area_reason(shape) is not None:
        return
    issue = shape_issue(shape, w, h)
    paints = shape_crop(shape, h, w) is not None
    assert (issue is not None and issue.left_out) == (not paints)


def test_a_vertex_inside_is_enough_and_a_polygon_beside_the_image_is_left_out():
    inside = Shape("cat", [(2.5, 2.5), (300.0, -40.0), (280.0, 90.0)])
    issue = shape_issue(inside, 20, 10)
    assert issue is not None and not issue.left_out and "partly outside" in issue.message
    beside = Shape("cat", [(25.0, 2.0), (40.0, 2.0), (30.0, 8.0)])
    issue = shape_issue(beside, 20, 10)
    assert issue is not None and issue.left_out and "entirely outside" in issue.message
