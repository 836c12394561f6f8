"""The canvas's hit area agrees with the engine on which shapes mark no region: a shape info
and the exports leave out has no inside to click on, any other one (a self-crossing bow-tie
included) is picked inside the area the rasteriser fills."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF

from segcore.data.polygons import shape_to_geometry
from segcore.data.shape_checks import shape_issue
from segcore.io.annotation import Annotation, Shape
from segstudio.document import Document
from tests.app.canvas_helpers import H, W, click, make_canvas

BOW_TIE = [(20.0, 20.0), (60.0, 60.0), (60.0, 20.0), (20.0, 60.0)]
SLIVER = [(10.0, 25.0), (11.0, 25.0), (10.0, 26.0)]
TINY = 1e-6

coord = st.integers(min_value=2, max_value=40).map(float)


@st.composite
def polygons(draw) -> list[tuple[float, float]]:
    """Free polygons (often self-crossing), some with a repeated point, and flat ones."""
    pts = draw(st.lists(st.tuples(coord, coord), min_size=3, max_size=6))
    how = draw(st.sampled_from(["free", "repeat", "line"]))
    if how == "repeat":
        pts.append(pts[draw(st.integers(0, len(pts) - 1))])
    elif how == "line":
        x0, y0 = pts[0]
        dx, dy = draw(st.sampled_from([(1, 0), (0, 1), (1, 1), (2, -1)]))
        pts = [(x0 + t * dx, y0 + t * dy) for t in draw(st.lists(st.integers(-2, 5), min_size=3, max_size=5))]
    return pts


def _on_outline(shape: Shape, x: float, y: float) -> bool:
    pts = shape.points
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
        cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax)
        if cross == 0 and min(ax, bx) <= x <= max(ax, bx) and min(ay, by) <= y <= max(ay, by):
            return True
    return False


def test_the_canvas_gives_an_inside_exactly_to_the_shapes_the_engine_keeps(qtbot):
    canvas, _ = make_canvas(qtbot)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(pts=polygons())
    @example(pts=BOW_TIE)
    @example(pts=SLIVER)
    @example(pts=[(5.0, 5.0), (9.0, 9.0), (7.0, 7.0)])
    @example(pts=[(2.0, 2.0), (2.0, 3.0), (2.0, 2.0), (3.0, 2.0)])  # edges retrace: no area
    def check(pts):
        shape = Shape("cat", pts)
        canvas.set_document(Document(Annotation(shapes=[shape], image_width=W, image_height=H,
                                                image_path="img.png")))
        issue = shape_issue(shape, W, H)
        left_out = issue is not None and issue.left_out
        if not left_out:
            inner = shape_to_geometry(shape).representative_point()
            assert canvas.shape_indices_at(QPointF(inner.x, inner.y), TINY) == [0]
        else:  # only its outline can be picked (to select and delete it), nothing beside it
            xs = [p[0] for p in pts]
            ys = [p[1] for p in pts]
            for x in range(int(min(xs)) - 2, int(max(xs)) + 3):
                for y in range(int(min(ys)) - 2, int(max(ys)) + 3):
                    if not _on_outline(shape, x + 0.5, y + 0.25):
                        assert canvas.shape_indices_at(QPointF(x + 0.5, y + 0.25), TINY) == [], (x, y)

    check()


def test_a_click_inside_either_triangle_of_a_bow_tie_selects_it(qtbot):
    canvas, doc = make_canvas(qtbot, [Shape("cat", BOW_TIE)])
    canvas.set_tool("edit")
    for x, y in ((30.0, 40.0), (50.0, 40.0)):  # the left and the right triangle
        click(qtbot, canvas, 100.0, 120.0)  # empty space: nothing selected
        assert doc.selected_indices() == []
        click(qtbot, canvas, x, y)
        assert doc.selected_indices() == [0]
    click(qtbot, canvas, 40.0, 30.0)  # above the crossing point: outside both triangles
    assert doc.selected_indices() == []
