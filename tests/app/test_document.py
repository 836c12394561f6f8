"""The Document model: loading, selection, visibility, dirty state, snapshots, colours."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from segcore.io import annotation as sa
from segcore.io.annotation import Annotation, Shape
from segcore.io.palette import label_colour, voc_colour
from segstudio import undo_commands as cmd
from segstudio.document import Document, LabelColours

pytestmark = pytest.mark.gui


def tri(label, dx=0.0):
    return Shape(label, [(0.0 + dx, 0.0), (4.0 + dx, 0.0), (4.0 + dx, 3.0)])


def test_load_image_without_label_file(qtbot, tmp_path):
    img = tmp_path / "sub" / "photo.png"
    img.parent.mkdir()
    Image.fromarray(np.zeros((30, 50, 3), np.uint8)).save(img)
    doc = Document.load(img)
    assert doc.json_path == tmp_path / "sub" / "photo.json"
    assert (doc.annotation.image_width, doc.annotation.image_height) == (50, 30)
    assert doc.annotation.image_path == "photo.png"
    assert len(doc) == 0 and not doc.is_dirty()


def test_load_labelme_example_and_save_unchanged(qtbot, labelme_example, tmp_path):
    jp = labelme_example / "data_annotated" / "2011_000003.json"
    doc = Document.load(labelme_example / "data_annotated" / "2011_000003.jpg")
    assert doc.json_path == jp
    assert doc.annotation == sa.load(jp)
    assert len(doc) > 0
    out = tmp_path / "copy.json"
    sa.save(doc.snapshot(), out)
    assert sa.load(out) == sa.load(jp)
    doc2 = Document.from_annotation(sa.load(jp), jp)
    assert doc2.image_path == (labelme_example / "data_annotated" / "2011_000003.jpg").resolve()


def test_bad_label_file_raises_naming_it(qtbot, tmp_path):
    img = tmp_path / "a.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(img)
    (tmp_path / "a.json").write_text("{not json")
    with pytest.raises(sa.AnnotationError, match="a.json"):
        Document.load(img)


def test_selection_follows_shapes_through_edits(qtbot):
    doc = Document(Annotation(shapes=[tri("a"), tri("b", 5), tri("c", 10)]))
    seen = []
    doc.selectionChanged.connect(lambda: seen.append(doc.selected_indices()))
    doc.set_selection([2, 0])
    assert doc.selected_indices() == [0, 2] and doc.is_selected(2)
    doc.push(cmd.Reorder(doc, [2, 1, 0]))
    assert [s.label for s in doc.selected_shapes()] == ["c", "a"]
    doc.push(cmd.RemoveShapes(doc, [0]))  # removes "c"
    assert [s.label for s in doc.selected_shapes()] == ["a"]
    doc.select_all()
    assert doc.selected_indices() == [0, 1]
    doc.clear_selection()
    assert seen[-1] == []


def test_visibility_is_display_state_only(qtbot, tmp_path):
    doc = Document(Annotation(shapes=[tri("a"), tri("b", 5), tri("a", 10)], image_width=20, image_height=10))
    n = []
    doc.visibilityChanged.connect(lambda: n.append(1))
    doc.set_label_visible("a", False)
    assert [doc.is_visible(i) for i in range(3)] == [False, True, False]
    doc.set_label_visible("a", False)  # no change, no signal
    doc.set_shape_visible(1, False)
    assert not doc.is_visible(1) and doc.is_shape_hidden(1)
    doc.select_all()
    assert doc.selected_indices() == []  # hidden shapes are not selected by Ctrl+A
    doc.set_all_visible(True)
    assert all(doc.is_visible(i) for i in range(3))
    assert len(n) == 3
    sa.save(doc.annotation, tmp_path / "v.json")
    assert "visible" not in (tmp_path / "v.json").read_text()
    assert not doc.is_dirty()


def test_dirty_signal_and_clean(qtbot):
    doc = Document(Annotation(shapes=[tri("a")]))
    dirty = []
    doc.dirtyChanged.connect(dirty.append)
    edits = []
    doc.edited.connect(lambda: edits.append(1))
    doc.push(cmd.MoveShapes(doc, [0], 1, 1))
    assert doc.is_dirty() and dirty == [True] and edits
    doc.set_clean()
    assert dirty == [True, False]
    doc.undo_stack.undo()
    assert doc.is_dirty() and dirty[-1] is True
    doc.undo_stack.redo()
    assert not doc.is_dirty()


def test_snapshot_is_isolated_from_later_edits(qtbot):
    doc = Document(Annotation(shapes=[tri("a")], image_width=10, image_height=10))
    snap = doc.snapshot()
    text = sa.dumps(snap)
    doc.push(cmd.MoveVertex(doc, 0, 0, (9, 9)))
    doc.push(cmd.EditShapeProps(doc, [0], label="zz", flags={"f": True}))
    doc.push(cmd.SetImageFlags(doc, {"g": True}))
    doc.push(cmd.AddShapes(doc, [tri("b")]))
    assert sa.dumps(snap) == text


def test_label_colours_match_the_voc_palette(qtbot):
    c = LabelColours(["_background_", "cat", "dog"])
    assert c.rgb("cat") == voc_colour(1) and c.rgb("dog") == voc_colour(2)
    assert c.index_of("zebra") == 3 and c.rgb("zebra") == label_colour("zebra")  # not in the file: by name
    assert c.index_of("ant") == 4 and c.index_of("zebra") == 3
    assert c.colour("cat").getRgb()[:3] == voc_colour(1)
    got = []
    c.changed.connect(lambda: got.append(1))
    c.set_names(["dog", "cat"])  # background kept at 0
    assert c.index_of("dog") == 1 and c.index_of("cat") == 2 and got == [1]
    assert c.index_of("__ignore__") == 255


def test_exif_rotated_jpeg_and_16_bit_tiff_open_upright(qtbot, tmp_path):
    from segstudio.canvas.image_layer import read_for_display

    a = np.zeros((20, 40, 3), np.uint8)
    a[:, :10] = 255  # white band on the left of the stored image
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW for display
    jpg = tmp_path / "rot.jpg"
    Image.fromarray(a).save(jpg, exif=exif.tobytes(), quality=95)
    doc = Document.load(jpg)
    assert doc.image_size() == (20, 40)  # width/height after orientation
    rgb, full = read_for_display(jpg)
    assert full == (20, 40) and rgb.shape == (40, 20, 3)
    assert rgb[:5, :, 0].mean() > 200  # the left band is now at the top
    tif = tmp_path / "deep.tif"
    Image.fromarray(np.arange(30 * 50, dtype=np.uint16).reshape(30, 50) * 40).save(tif)
    rgb, full = read_for_display(tif)
    assert full == (50, 30) and rgb.dtype == np.uint8 and rgb.shape == (30, 50, 3)
    assert rgb[-1, -1, 0] > rgb[0, 0, 0]
