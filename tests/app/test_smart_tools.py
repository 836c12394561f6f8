"""Smart tools driven with real mouse/key events on the canvas: box to polygon (GrabCut),
intelligent scissors, magic wand, brush and eraser; merge/subtract/simplify; undo/redo restores
the exact previous shapes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from segcore.data.polygons import shape_to_geometry
from segcore.data.rasterize import shape_mask
from segcore.io.annotation import Shape
from segstudio.canvas.smart_base import OPTIONS
from segstudio.features import smart_tools_feature as feature

from .canvas_helpers import H, W, click, drag, key, make_canvas, poly, vp

pytestmark = pytest.mark.gui
NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def default_options():
    saved = OPTIONS.__dict__.copy()
    yield
    OPTIONS.__dict__.update(saved)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a & b) / max(1, np.count_nonzero(a | b)))


def painted(shapes: list[Shape]) -> np.ndarray:
    out = np.zeros((H, W), bool)
    for s in shapes:
        out |= shape_mask(s, H, W)
    return out


def snapshot(doc) -> list[Shape]:
    return [s.copy() for s in doc.shapes]


def check_undo_redo(qtbot, doc, before: list[Shape]) -> None:
    """Undo gives back exactly ``before``; redo gives back exactly what the command made."""
    after = snapshot(doc)
    doc.undo_stack.undo()
    assert doc.shapes == before
    doc.undo_stack.redo()
    assert doc.shapes == after


def disc_image(seed: int = 0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:H, :W]
    disc = np.hypot(xx - 100, yy - 75) <= 32
    img = np.where(disc[..., None], np.array([210, 40, 40]), np.array([40, 90, 200])).astype(float)
    img = np.clip(img + rng.normal(0, 8, img.shape), 0, 255).astype(np.uint8)
    return img, disc


def test_box_to_polygon_preview_commit_undo(qtbot):
    canvas, doc = make_canvas(qtbot)
    img, disc = disc_image()
    canvas.set_image(img)
    canvas.set_tool("grabcut")
    drag(qtbot, canvas, (58, 33), (142, 117))
    tool = canvas.tool
    assert len(doc) == 0 and tool.preview_geometry is not None  # a preview, nothing committed
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 1 and tool.preview_geometry is None
    s = doc.shapes[0]
    assert s.label == canvas.default_label and s.shape_type == "polygon"
    assert iou(painted([s]), disc) >= 0.9
    check_undo_redo(qtbot, doc, [])


def test_box_to_polygon_background_stroke_and_escape(qtbot):
    canvas, doc = make_canvas(qtbot)
    img, disc = disc_image(1)
    canvas.set_image(img)
    canvas.set_tool("grabcut")
    drag(qtbot, canvas, (58, 33), (142, 117))
    before = canvas.tool.preview_geometry.area
    drag(qtbot, canvas, (60, 75), (140, 75), mods=SHIFT)  # "this is not the object"
    after = canvas.tool.preview_geometry
    assert after.area < before
    assert not after.contains(shape_to_geometry(poly(pts=((99, 74), (101, 74), (101, 76)))))
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert canvas.tool.preview_geometry is None and len(doc) == 0


def square_image():
    img = np.full((H, W, 3), 230, np.uint8)
    img[40:111, 50:151] = (30, 30, 30)
    truth = np.zeros((H, W), bool)
    truth[40:111, 50:151] = True
    return img, truth


def test_scissors_snaps_to_edges_and_closes(qtbot):
    canvas, doc = make_canvas(qtbot)
    img, truth = square_image()
    canvas.set_image(img)
    canvas.set_tool("scissors")
    tool = canvas.tool
    # clicks near (not on) the corners; the path between them follows the square's border
    click(qtbot, canvas, 52, 41)
    qtbot.mouseMove(canvas.viewport(), canvas.mapFromScene(120, 42))
    assert tool.is_busy() and tool._line_item is not None and not tool._line_item.path().isEmpty()
    for x, y in [(149, 42), (149, 109), (51, 109)]:
        click(qtbot, canvas, x, y)
    assert len(doc) == 0
    click(qtbot, canvas, 53, 42)  # near the first anchor: closes
    assert len(doc) == 1
    s = doc.shapes[0]
    assert s.shape_type == "polygon" and len(s.points) <= 12
    assert iou(painted([s]), truth) >= 0.95
    check_undo_redo(qtbot, doc, [])


def test_scissors_backspace_and_escape(qtbot):
    canvas, doc = make_canvas(qtbot)
    canvas.set_image(square_image()[0])
    canvas.set_tool("scissors")
    for x, y in [(52, 41), (149, 42), (149, 109)]:
        click(qtbot, canvas, x, y)
    key(qtbot, canvas, Qt.Key.Key_Backspace)
    assert len(canvas.tool.anchors) == 2 and len(canvas.tool.segments) == 1
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert not canvas.tool.is_busy() and len(doc) == 0


def two_regions():
    img = np.full((H, W, 3), 200, np.uint8)
    img[20:60, 20:80] = (100, 150, 50)
    img[30:50, 40:60] = (104, 146, 55)  # within tolerance 10 of the patch around it
    img[90:130, 120:180] = (50, 60, 220)
    a = np.zeros((H, W), bool)
    a[20:60, 20:80] = True
    b = np.zeros((H, W), bool)
    b[90:130, 120:180] = True
    return img, a, b


def test_magic_wand_click_shift_click_commit(qtbot):
    canvas, doc = make_canvas(qtbot)
    img, a, b = two_regions()
    canvas.set_image(img)
    canvas.set_tool("wand")
    OPTIONS.tolerance = 10
    doc.push(__import__("segstudio.undo_commands", fromlist=["AddShapes"]).AddShapes(doc, [poly("keep")]))
    before = snapshot(doc)
    click(qtbot, canvas, 25, 25)
    assert len(doc) == 1 and np.array_equal(canvas.tool.region.full(H, W), a)  # preview only
    click(qtbot, canvas, 150, 100, SHIFT)  # add the second region to the preview
    key(qtbot, canvas, Qt.Key.Key_Return)
    new = doc.shapes[1:]
    assert len(new) == 2 and {s.label for s in new} == {canvas.default_label}
    assert np.array_equal(painted(new), a | b)
    check_undo_redo(qtbot, doc, before)


def test_magic_wand_tolerance_and_ctrl_click(qtbot):
    canvas, doc = make_canvas(qtbot)
    img, a, _ = two_regions()
    canvas.set_image(img)
    canvas.set_tool("wand")
    OPTIONS.tolerance = 2  # the inner patch differs by 4-5 per channel: now a separate region
    click(qtbot, canvas, 25, 25)
    inner = np.zeros((H, W), bool)
    inner[30:50, 40:60] = True
    assert np.array_equal(canvas.tool.region.full(H, W), a & ~inner)  # the patch is a hole
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 1 and doc.shapes[0].shape_type == "mask"
    assert np.array_equal(painted(doc.shapes), a & ~inner)
    OPTIONS.tolerance = 10
    click(qtbot, canvas, 25, 25)
    click(qtbot, canvas, 25, 25, Qt.KeyboardModifier.ControlModifier)  # takes it away again
    assert not canvas.tool.region.mask.any()
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 1


def test_brush_grows_selected_shape_one_undo_step(qtbot):
    shape = poly("cat", group_id=4)
    canvas, doc = make_canvas(qtbot, [shape])
    doc.set_selection([0])
    OPTIONS.radius = 5
    canvas.set_tool("brush")
    before = snapshot(doc)
    count = doc.undo_stack.count()
    drag(qtbot, canvas, (50, 30), (90, 30), steps=8)
    assert doc.undo_stack.count() == count + 1
    assert len(doc) == 1
    s = doc.shapes[0]
    assert s.label == "cat" and s.group_id == 4 and s.shape_type == "polygon"
    g = shape_to_geometry(s)
    assert g.bounds[2] == pytest.approx(95, abs=0.2)
    assert g.area > shape_to_geometry(before[0]).area + 30 * 8
    check_undo_redo(qtbot, doc, before)


def test_brush_without_selection_makes_a_new_shape(qtbot):
    canvas, doc = make_canvas(qtbot)
    OPTIONS.radius = 4
    canvas.set_tool("brush")
    drag(qtbot, canvas, (100, 100), (140, 100))
    assert len(doc) == 1 and doc.shapes[0].label == canvas.default_label
    assert shape_to_geometry(doc.shapes[0]).area == pytest.approx(40 * 8 + np.pi * 16, rel=0.05)
    check_undo_redo(qtbot, doc, [])


def test_eraser_splits_shape_and_makes_holes(qtbot):
    canvas, doc = make_canvas(qtbot, [poly("cat", group_id=2), poly("dog", pts=((100, 100), (150, 100), (150, 140)))])
    OPTIONS.radius = 3
    canvas.set_tool("eraser")
    before = snapshot(doc)
    drag(qtbot, canvas, (35, 2), (35, 58), steps=8)  # nothing selected: every shape it touches
    cats = [s for s in doc.shapes if s.label == "cat"]
    assert len(cats) == 2 and {s.group_id for s in cats} == {2}
    assert doc.shapes[-1] == before[1]  # the dog is untouched
    check_undo_redo(qtbot, doc, before)
    # a dab in the middle of the dog's triangle leaves a hole: a mask shape
    doc.set_selection([len(doc) - 1])
    before = snapshot(doc)
    drag(qtbot, canvas, (138, 115), (139, 115), steps=2)
    dog = doc.shapes[-1]
    assert dog.label == "dog" and dog.shape_type == "mask"
    assert not shape_mask(dog, H, W)[115, 138]
    check_undo_redo(qtbot, doc, before)


def test_merge_subtract_simplify_are_undoable():
    from segcore.io.annotation import Annotation
    from segstudio.document import Document

    a = poly("cat")
    b = poly("cat", pts=((40, 30), (90, 30), (90, 70), (40, 70)))
    c = Shape("cat", [(100.0 + 30 * np.cos(t), 75.0 + 30 * np.sin(t)) for t in np.linspace(0, 6.2, 120)])
    doc = Document(Annotation(shapes=[a, b, c], image_width=W, image_height=H, image_path="img.png"))
    before = snapshot(doc)
    doc.set_selection([0, 1])
    assert feature.subtract_selected(doc) == 1
    assert shape_to_geometry(doc.shapes[0]).area == pytest.approx(50 * 40 - 20 * 20)
    assert doc.shapes[1] == before[1]
    check_undo_redo(None, doc, before)
    doc.undo_stack.undo()
    doc.set_selection([0, 1])
    assert feature.merge_selected(doc) == 1 and len(doc) == 2
    assert shape_to_geometry(doc.shapes[0]).area == pytest.approx(2 * 50 * 40 - 20 * 20)
    check_undo_redo(None, doc, before)
    doc.undo_stack.undo()
    doc.set_selection([2])
    assert feature.simplify_selected(doc, 2.0) == 1
    assert len(doc.shapes[2].points) < len(c.points) / 3
    check_undo_redo(None, doc, before)
    doc.set_selection([0])
    with pytest.raises(ValueError):
        feature.merge_selected(doc)
    doc.apply_fields(1, {"label": "dog"})
    doc.set_selection([0, 1])
    with pytest.raises(ValueError, match="one label"):
        feature.merge_selected(doc)


def test_feature_menu_toolbar_and_controls(qtbot, tmp_path):
    from .gui_helpers import open_window

    w = open_window(qtbot, tmp_path)
    st = w.smart_tools
    texts = [a.text().replace("&", "") for a in w.menus["tools"].actions()]
    for needle in ("Box to", "Scissors", "Wand", "Brush", "Eraser", "Merge", "Subtract", "Simplify"):
        assert any(needle in t for t in texts), needle
    st.actions["wand"].trigger()
    assert w.canvas.tool_name == "wand" and st.actions["wand"].isChecked()
    st.actions["eraser"].trigger()
    assert w.canvas.tool_name == "eraser" and not st.actions["wand"].isChecked()
    st.tolerance.setValue(40)
    st.eight.setChecked(False)
    st.radius.setValue(12.5)
    st.simplify_slider.setValue(35)
    assert (OPTIONS.tolerance, OPTIONS.connectivity, OPTIONS.radius, OPTIONS.simplify_tolerance) == (40, 4, 12.5, 3.5)
    st.merge()  # no document: nothing happens, no error


def test_tools_on_a_reduced_display_copy_give_full_resolution_shapes(qtbot):
    """A huge image is held reduced; the tools work on that copy and scale results back."""
    import cv2

    canvas, doc = make_canvas(qtbot)
    img, a, _ = two_regions()
    half = cv2.resize(img, (W // 2, H // 2), interpolation=cv2.INTER_NEAREST)
    canvas.set_image(half, full_size=(W, H))
    canvas.set_tool("wand")
    OPTIONS.tolerance = 10
    click(qtbot, canvas, 30, 30)
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 1 and iou(painted(doc.shapes), a) >= 0.93
    disc_img, disc = disc_image()
    canvas.set_image(cv2.resize(disc_img, (W // 2, H // 2), interpolation=cv2.INTER_AREA), full_size=(W, H))
    canvas.set_tool("grabcut")
    drag(qtbot, canvas, (58, 33), (142, 117))
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 2 and iou(painted(doc.shapes[1:]), disc) >= 0.85


def test_feature_actions_edit_the_open_document(qtbot, tmp_path):
    from segcore.io.annotation import Annotation
    from segstudio.document import Document

    from .gui_helpers import open_window

    w = open_window(qtbot, tmp_path)
    shapes = [poly("cat"), poly("cat", pts=((40, 30), (90, 30), (90, 70), (40, 70))), poly("dog", pts=((0, 0), (5, 0), (5, 5)))]
    doc = Document(Annotation(shapes=shapes, image_width=W, image_height=H, image_path="img.png"))
    w.session.document = doc  # the session owns the open document; the window observes it
    w.session.documentChanged.emit(doc)
    w.session.leave_answer = QMessageBox.StandardButton.Discard  # closing drops the unsaved edits
    before = snapshot(doc)
    doc.set_selection([0, 2])
    w.smart_tools.actions["merge"].trigger()  # two labels: refused, told in the status bar
    assert doc.shapes == before and "one label" in w.statusBar().currentMessage()
    doc.set_selection([0, 1])
    w.smart_tools.actions["merge"].trigger()
    assert len(doc) == 2 and doc.shapes[1] == before[2]
    doc.undo_stack.undo()
    assert doc.shapes == before
    doc.set_selection([1])
    w.smart_tools.simplify_slider.setValue(20)
    w.smart_tools.actions["simplify"].trigger()
    assert len(doc) == 3 and doc.undo_stack.undoText() == "Simplify shapes"


def specks_image():
    """A block with specks of its colour joined to it by single pixel corners."""
    img = np.full((H, W, 3), 200, np.uint8)
    c = (90, 140, 220)
    img[20:100, 30:150] = c
    img[100:102, 150:152] = c
    img[100, 29] = img[101, 28] = img[101, 27] = img[102, 27] = c
    img[60, 150] = img[61, 151] = img[61, 152] = img[62, 152] = c
    img[50:53, 153:155] = c
    img[53, 152] = img[54, 151] = img[55, 150] = c
    block = np.zeros((H, W), bool)
    block[20:100, 30:150] = True
    return img, block


def test_magic_wand_commit_leaves_no_specks(qtbot):
    canvas, doc = make_canvas(qtbot)
    img, block = specks_image()
    canvas.set_image(img)
    canvas.set_tool("wand")
    OPTIONS.tolerance = 10
    click(qtbot, canvas, 60, 60)
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 1 and doc.shapes[0].shape_type == "polygon"
    assert np.array_equal(painted(doc.shapes), block)
    check_undo_redo(qtbot, doc, [])
    OPTIONS.min_area = 0  # the setting off: every traced part is a shape
    click(qtbot, canvas, 60, 60)
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) > 2


def test_magic_wand_drops_small_added_regions_but_keeps_a_small_pick(qtbot):
    canvas, doc = make_canvas(qtbot)
    img, _ = specks_image()
    img[130:134, 170:175] = (90, 140, 220)  # a 20 px patch of the colour, apart from the block
    canvas.set_image(img)
    canvas.set_tool("wand")
    OPTIONS.tolerance = 10
    click(qtbot, canvas, 60, 60)
    click(qtbot, canvas, 172, 131, SHIFT)  # added to the selection, but below the minimum area
    region, preview = canvas.tool.region, canvas.tool._mask_item.pixmap().toImage()
    assert region.full(H, W)[131, 172]  # selected, but the preview shows it dropped
    assert preview.pixelColor(172 - region.x0, 131 - region.y0).alpha() == 0
    assert preview.pixelColor(60 - region.x0, 60 - region.y0).alpha() > 0
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 1 and not painted(doc.shapes)[131, 172]
    click(qtbot, canvas, 172, 131)  # the patch alone: what the user picked stays
    key(qtbot, canvas, Qt.Key.Key_Return)
    assert len(doc) == 2 and painted(doc.shapes[1:])[131, 172]


def test_brush_stroke_through_the_image_edge_leaves_no_fragment(qtbot):
    canvas, doc = make_canvas(qtbot, size=(520, 420))  # the view shows 30 px around the image
    OPTIONS.radius = 8
    canvas.set_tool("brush")
    w = canvas.viewport()
    stroke = [(40, 30), (40, 10), (40, -20), (20, -20), (3, -20), (-1.5, -9), (-6, 2)]
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, NO, vp(canvas, *stroke[0]))
    for p in stroke[1:]:
        qtbot.mouseMove(w, vp(canvas, *p))
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, NO, vp(canvas, *stroke[-1]))
    assert len(doc) == 1  # no sliver where the stroke came back in at the corner
    assert shape_to_geometry(doc.shapes[0]).area > 500 and not painted(doc.shapes)[3, 1]


def test_brush_circle_follows_the_pointer(qtbot):
    canvas, doc = make_canvas(qtbot)
    OPTIONS.radius = 6
    canvas.set_tool("eraser")
    qtbot.mouseMove(canvas.viewport(), vp(canvas, 60, 40))
    item = canvas.tool.cursor_item
    assert item is not None and item.isVisible() and item.scene() is canvas.scene()
    assert (item.rect().center().x(), item.rect().center().y(), item.rect().width()) == (60, 40, 12)
    qtbot.mouseMove(canvas.viewport(), vp(canvas, 100.5, 70))
    assert (item.rect().center().x(), item.rect().center().y()) == (100.5, 70)
    OPTIONS.radius = 10
    canvas.tool.options_changed()
    assert item.rect().width() == 20 and item.rect().center().x() == 100.5
    canvas.set_tool("edit")
    assert item.scene() is None  # gone with the tool


def test_min_area_control_is_remembered(qtbot, tmp_path):
    from segstudio.main_window import MainWindow
    from segstudio.settings import Settings

    from .gui_helpers import open_window

    w = open_window(qtbot, tmp_path)
    assert w.smart_tools.min_area.value() == 30 and OPTIONS.min_area == 30
    w.smart_tools.min_area.setValue(75)
    w.smart_tools.radius.setValue(14)
    assert OPTIONS.min_area == 75
    w.settings.sync()
    OPTIONS.min_area, OPTIONS.radius = 30, 8.0
    again = MainWindow(settings=Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(again)
    assert again.smart_tools.min_area.value() == 75 and OPTIONS.min_area == 75
    assert again.smart_tools.radius.value() == 14 and OPTIONS.radius == 14
