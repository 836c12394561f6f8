"""One geometry truth: every module asks the table of shape kinds, so info, the exports and
training agree on which shapes mark no region, and a self-crossing polygon ("bow-tie") covers
the pixels LabelMe paints for it everywhere."""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from shapely.geometry import Polygon

from segcore.cli import main
from segcore.data.dataset import scan, summarize
from segcore.data.rasterize import ClassList
from segcore.formats.common import check_item
from segcore.io.annotation import SHAPE_TYPES, Shape
from segcore.io.shape_kinds import KINDS, kind_of
from segcore.training.data import _ground_truth
from tests.segcore.export_fixtures import write_labelme

pycoco = pytest.importorskip("pycocotools.coco")

REPO = Path(__file__).resolve().parents[2]
W, H = 40, 32
CLASSES = ClassList.from_names(["_background_", "cat", "dog"])
BOW_TIE = [(4.0, 4.0), (20.0, 20.0), (20.0, 4.0), (4.0, 20.0)]
SLIVER = [(10.0, 25.0), (11.0, 25.0), (10.0, 26.0)]  # area 0.5: no pixel centre inside, LabelMe paints 3


def _flat(points) -> bool:
    """The polygon encloses no area: all points on one line (in exact integer arithmetic), or
    edges that only run back over each other (the even-odd area, as the symmetric difference
    of the fan triangles, is 0)."""
    (x0, y0), *rest = [(int(x), int(y)) for x, y in points]
    far = next(((x, y) for x, y in rest if (x, y) != (x0, y0)), None)
    if far is None:
        return True
    dx, dy = far[0] - x0, far[1] - y0
    if all(dx * (y - y0) - dy * (x - x0) == 0 for x, y in rest):
        return True
    region = Polygon()
    for a, b in zip(points[1:], points[2:]):
        region = shapely.symmetric_difference(region, Polygon([points[0], a, b]))
    return region.area < 1e-9


def _labelme_paints(shapes: list[Shape], classes: ClassList) -> np.ndarray:
    """LabelMe's way: one PIL polygon fill (outline included) per shape on its own mask, in
    order, each mask assigned its class id; shapes that enclose no area mark no region."""
    out = np.zeros((H, W), np.uint8)
    for s in shapes:
        if _flat(s.points):
            continue
        img = Image.new("L", (W, H), 0)
        ImageDraw.Draw(img).polygon([tuple(p) for p in s.points], fill=1, outline=1)
        out[np.asarray(img, dtype=bool)] = classes.id_of(s.label)
    return out


grid = st.integers(min_value=1, max_value=min(W, H) - 2).map(float)
point = st.tuples(grid, grid)


@st.composite
def polygons(draw) -> list[tuple[float, float]]:
    """Random polygons: free ones (often self-crossing), with repeated points, and flat ones."""
    pts = draw(st.lists(point, min_size=3, max_size=7))
    how = draw(st.sampled_from(["free", "repeat", "line"]))
    if how == "repeat":
        pts = pts + [pts[draw(st.integers(0, len(pts) - 1))]]
    elif how == "line":  # 3..6 points on one line (repeats and back-tracking included)
        x0, y0 = draw(st.integers(9, 14)), draw(st.integers(9, 14))
        dx, dy = draw(st.sampled_from([(1, 0), (0, 1), (1, 1), (1, -1), (2, 1), (-1, 2)]))
        ts = draw(st.lists(st.integers(-4, 8), min_size=3, max_size=6))
        pts = [(float(x0 + t * dx), float(y0 + t * dy)) for t in ts]
    return pts


shape_lists = st.lists(st.tuples(polygons(), st.sampled_from(["cat", "dog"])), min_size=1, max_size=4)


def _shapes(drawn) -> list[Shape]:
    return [Shape(label, pts) for pts, label in drawn]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=shape_lists)
@example(drawn=[(BOW_TIE, "cat"), (SLIVER, "dog"), ([(2.0, 2.0), (6.0, 6.0), (4.0, 4.0)], "cat"),
                ([(2.0, 2.0), (2.0, 3.0), (2.0, 2.0), (3.0, 2.0)], "dog")])
def test_info_export_and_training_agree_on_which_shapes_mark_no_region(tmp_path_factory, drawn):
    shapes = _shapes(drawn)
    root = tmp_path_factory.mktemp("data")
    write_labelme(root, "a", shapes, w=W, h=H)
    flat = {i for i, s in enumerate(shapes) if _flat(s.points)}

    info = {p.shape_index for p in summarize(root, CLASSES).problems if p.kind == "degenerate_shape"}
    (item,) = scan(root)
    chk = check_item(item, CLASSES)
    exported = set(chk.indices)
    trained = set()
    for i, s in enumerate(shapes):
        lm = _ground_truth([s], H, W, CLASSES)
        if (lm == CLASSES.id_of(s.label)).any():
            trained.add(i)
    assert info == flat
    assert exported == set(range(len(shapes))) - flat
    assert trained == exported
    assert all((kind_of(s).degenerate(s) is not None) == (i in flat) for i, s in enumerate(shapes))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=shape_lists)
@example(drawn=[(BOW_TIE, "cat"), (SLIVER, "dog")])
def test_voc_class_png_equals_labelme_painting(tmp_path_factory, drawn):
    shapes = _shapes(drawn)
    root = tmp_path_factory.mktemp("data")
    write_labelme(root, "a", shapes, w=W, h=H)
    out = root.parent / f"{root.name}-voc"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["export", str(root), "--format", "voc", "--out", str(out), "--quiet", "--workers", "1",
                     "--labels", str(_labels(root))]) == 0
    png = np.asarray(Image.open(out / "SegmentationClass" / "a.png"))
    assert np.array_equal(png, _labelme_paints(shapes, CLASSES))


def _labels(root: Path) -> Path:
    p = root.parent / f"{root.name}-labels.txt"
    p.write_text("_background_\ncat\ndog\n", encoding="utf-8")
    return p


def test_a_bow_tie_has_the_same_pixels_in_voc_and_in_coco_read_by_pycocotools(tmp_path):
    root = tmp_path / "data"
    shapes = [Shape("cat", BOW_TIE), Shape("dog", SLIVER)]
    write_labelme(root, "a", shapes, w=W, h=H)
    for fmt in ("voc", "coco"):
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["export", str(root), "--format", fmt, "--out", str(tmp_path / fmt), "--quiet",
                         "--workers", "1", "--val", "0", "--labels", str(_labels(root))]) == 0
    labelme = _labelme_paints(shapes, CLASSES)
    with contextlib.redirect_stdout(io.StringIO()):
        coco = pycoco.COCO(str(tmp_path / "coco" / "annotations" / "instances_train.json"))
    anns = {coco.cats[a["category_id"]]["name"]: a for a in coco.loadAnns(coco.getAnnIds())}
    assert set(anns) == {"cat", "dog"}
    for name, ann in anns.items():
        assert np.array_equal(coco.annToMask(ann).astype(bool), labelme == CLASSES.id_of(name)), name
        assert ann["area"] == (labelme == CLASSES.id_of(name)).sum()
    voc = np.asarray(Image.open(tmp_path / "voc" / "SegmentationClass" / "a.png"))
    assert np.array_equal(voc, labelme)
    report = json.loads((tmp_path / "coco" / "annotations" / "instances_train.json").read_text())
    assert len(report["annotations"]) == 2


def test_the_table_holds_every_shape_type_and_its_rules():
    assert tuple(KINDS) == SHAPE_TYPES
    assert {n for n, k in KINDS.items() if not k.has_area} == {"point", "line", "linestrip"}
    assert kind_of(Shape("a", BOW_TIE)).degenerate(Shape("a", BOW_TIE)) is None
    flat = Shape("a", [(0.0, 0.0), (5.0, 5.0), (2.0, 2.0), (5.0, 5.0)])
    assert kind_of(flat).degenerate(flat) == "polygon has zero area (its points lie on one line)"
    rect = Shape("a", [(4.0, 1.0), (2.0, 3.0)], shape_type="rectangle")
    assert kind_of(rect).polygon(rect) == [(2.0, 1.0), (4.0, 1.0), (4.0, 3.0), (2.0, 3.0)]
    assert KINDS["linestrip"].point_count_problem(1) == "linestrip needs at least 2 points, got 1"
    circle = Shape("a", [(10.0, 10.0), (13.0, 14.0)], shape_type="circle")
    assert kind_of(circle).extent(circle) == (5.0, 5.0, 15.0, 15.0)


# ----------------------------------------------------------------------------- no kind chains

TABLE = REPO / "segcore" / "io" / "shape_kinds.py"
SELECTIONS = {
    # Picking the shapes of one named kind as input (rectangles are SAM's box prompts) is a
    # selection, not a kind rule.
    ("segcore/interactive/sam_boxes.py", "rectangle"),
    ("segcore/commands/sam.py", "rectangle"),
}


def _is_shape_type(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "shape_type") or (
        isinstance(node, ast.Name) and node.id == "shape_type")


def kind_comparisons(source: str) -> list[tuple[int, str]]:
    """``(line, compared value)`` of every comparison of a ``shape_type`` with a name or a
    collection of names (``==``, ``!=``, ``in``, ``not in``); comparing two shapes' types is fine."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, a, b in zip(node.ops, operands, operands[1:]):
            if not isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
                continue
            if _is_shape_type(a) != _is_shape_type(b):
                other = b if _is_shape_type(a) else a
                found.append((node.lineno, other.value if isinstance(other, ast.Constant) else ast.unparse(other)))
    return found


def test_the_finder_sees_chains():
    src = 'if s.shape_type == "mask":\n    pass\nelif shape_type in ("a", "b"):\n    pass\nok = a.shape_type == b.shape_type\n'
    assert kind_comparisons(src) == [(1, "mask"), (3, "('a', 'b')")]


def test_no_module_switches_on_shape_type_outside_the_table():
    bad = []
    for folder in ("segcore", "segstudio"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == TABLE or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(REPO).as_posix()
            for line, value in kind_comparisons(path.read_text(encoding="utf-8")):
                if (rel, value) not in SELECTIONS:
                    bad.append(f"{rel}:{line}: compares shape_type with {value} (ask segcore.io.shape_kinds)")
    assert not bad, "\n".join(bad)
