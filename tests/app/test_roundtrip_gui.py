"""Files the app writes are valid LabelMe files that round-trip through segcore.io.annotation
unchanged; LabelMe files of every shape type and of old versions open and save back without
losing a field."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from segcore.io import annotation as sa
from segstudio.dialogs.label_dialog import LabelChoice

from .gui_helpers import click_scene, make_image, open_window, wait_image

pytestmark = pytest.mark.gui


def _mask_b64(h: int, w: int) -> str:
    m = np.zeros((h, w), bool)
    m[1:-1, 2:-2] = True
    buf = io.BytesIO()
    Image.fromarray(m.astype(np.uint8)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _labelme_v5(img) -> dict:
    def shape(label, pts, t, **kw):
        return {"label": label, "points": pts, "group_id": kw.pop("group_id", None), "description": "",
                "shape_type": t, "flags": kw.pop("flags", {}), "mask": kw.pop("mask", None), **kw}

    return {
        "version": "5.5.0",
        "flags": {"blurry": True, "night": False},
        "shapes": [
            shape("cat", [[1.5, 2.25], [40.0, 3.0], [20.0, 30.0]], "polygon", group_id=3, flags={"occluded": True}),
            shape("box", [[5, 6], [50, 40]], "rectangle", description_extra="kept"),
            shape("ball", [[60.0, 50.0], [70.0, 50.0]], "circle"),
            shape("edge", [[0, 0], [10, 10]], "line"),
            shape("path", [[1, 1], [5, 9], [12, 3]], "linestrip"),
            shape("dot", [[33.3, 44.4]], "point", other_tool_key={"a": [1, 2]}),
            shape("blob", [[10, 10], [19, 15]], "mask", mask=_mask_b64(6, 10)),
        ],
        "imagePath": img.name,
        "imageData": None,
        "imageHeight": 90,
        "imageWidth": 120,
        "customTopKey": {"nested": [1, "x"]},
    }


def _labelme_v3(img) -> dict:
    """LabelMe 3.x: no shape_type/description/group_id, colours per shape and at the top."""
    return {
        "flags": {},
        "shapes": [{"label": "cat", "line_color": None, "fill_color": None,
                    "points": [[1, 2], [40, 3], [20, 30]]}],
        "lineColor": [0, 255, 0, 128],
        "fillColor": [255, 0, 0, 128],
        "imagePath": img.name,
        "imageData": base64.b64encode(img.read_bytes()).decode(),
    }


def _labelme_v4(img) -> dict:
    """LabelMe 4.x: shape_type and group_id, no description, no version-5 mask key."""
    return {
        "version": "4.5.6",
        "flags": {},
        "shapes": [{"label": "dog", "points": [[1, 2], [40, 3]], "group_id": None, "shape_type": "rectangle",
                    "flags": {}}],
        "imagePath": img.name,
        "imageData": None,
        "imageHeight": 90,
        "imageWidth": 120,
    }


@pytest.mark.parametrize("make", [_labelme_v5, _labelme_v3, _labelme_v4], ids=["v5-all-types", "v3", "v4"])
def test_labelme_files_save_back_without_losing_fields(qtbot, tmp_path, make):
    img = make_image(tmp_path / "a.png")
    original = make(img)
    jp = img.with_suffix(".json")
    jp.write_text(json.dumps(original, indent=2), encoding="utf-8")
    w = open_window(qtbot, tmp_path)
    assert w.open_path(jp)
    wait_image(qtbot, w, "a.png")
    n = len(original["shapes"])
    assert len(w.document) == n
    # an edit and its undo, then an explicit save: the file is the original, field for field
    w.document.set_selection([0])
    w.ask_label = lambda choice=None: LabelChoice("renamed")
    qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert w.document.shapes[0].label == "renamed"
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = json.loads(jp.read_text(encoding="utf-8"))
    # nothing lost or changed; an old file only gains the keys today's LabelMe writes
    assert {k: saved[k] for k in original} == original
    assert set(saved) - set(original) <= {"version", "imageHeight", "imageWidth"}
    assert [k for k in saved if k in original] == list(original)  # key order kept
    for s_saved, s_orig in zip(saved["shapes"], original["shapes"]):
        assert list(s_saved) == list(s_orig)


def test_edited_file_keeps_unknown_fields(qtbot, tmp_path):
    img = make_image(tmp_path / "a.png")
    original = _labelme_v5(img)
    jp = img.with_suffix(".json")
    jp.write_text(json.dumps(original), encoding="utf-8")
    w = open_window(qtbot, tmp_path)
    w.open_path(jp)
    wait_image(qtbot, w, "a.png")
    w.document.set_selection([0])
    w.ask_label = lambda choice=None: LabelChoice("tiger", 3, "", {"occluded": True})
    w.act_edit_label()
    w.close()  # quitting flushes the autosave
    saved = json.loads(jp.read_text(encoding="utf-8"))
    assert saved["shapes"][0]["label"] == "tiger"
    saved["shapes"][0]["label"] = "cat"
    assert saved == original


def test_every_drawn_shape_type_round_trips(qtbot, tmp_path):
    img = make_image(tmp_path / "b.png", size=(200, 150))
    w = open_window(qtbot, tmp_path)
    w.open_path(img)
    wait_image(qtbot, w, "b.png")
    w.act_zoom_original()
    drawings = {
        "polygon": [(10, 10), (60, 12), (40, 50)],
        "rectangle": [(70, 10), (110, 40)],
        "circle": [(140, 30), (150, 30)],
        "line": [(10, 100), (60, 120)],
        "linestrip": [(80, 100), (100, 130), (120, 100)],
        "point": [(170, 120)],
    }
    for tool, pts in drawings.items():
        w.ask_label = lambda choice=None, t=tool: LabelChoice(f"{t}_label")
        w.canvas.set_tool(tool)
        for x, y in pts:
            click_scene(qtbot, w, x, y)
        if tool in ("polygon", "linestrip"):
            qtbot.keyClick(w.canvas.viewport(), Qt.Key.Key_Return)
    assert [s.shape_type for s in w.document.shapes] == list(drawings)
    assert w.session.save()
    jp = img.with_suffix(".json")
    text = jp.read_text(encoding="utf-8")
    ann = sa.load(jp)
    assert sa.dumps(ann) == text  # written by the app == written by segcore: a fixed point
    for shape, (tool, pts) in zip(ann.shapes, drawings.items()):
        assert shape.shape_type == tool and shape.label == f"{tool}_label"
        assert len(shape.points) == len(pts)
        assert np.allclose(shape.points, pts, atol=1.0)
    data = json.loads(text)
    assert data["imagePath"] == "b.png" and data["imageData"] is None
    assert (data["imageWidth"], data["imageHeight"]) == (200, 150)
