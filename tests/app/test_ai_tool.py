"""AI Polygon / AI Mask on the real window with a tiny promptable model (no weights): encoding in
a worker, prompts, preview, commit through the label dialog, undo/redo, embeddings reused."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPointF, Qt

from segcore.data.rasterize import shape_mask
from segcore.interactive import sam_models
from segstudio.canvas.tool_ai import PREPARING
from tests.segcore.test_promptable import TinyModel, two_squares

from .canvas_helpers import click, drag, key
from .gui_helpers import open_window, wait_image

SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def held():
    """The tiny model, whose encoder waits until the test releases it."""
    release = threading.Event()
    TinyModel.encodes.clear()
    sam_models.register_model("tiny", lambda: TinyModel(release))
    yield release
    release.set()
    sam_models.unregister_model("tiny")


def folder_of_three(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for k, name in enumerate(("a", "b", "c")):
        Image.fromarray(np.roll(two_squares(), 2 * k, axis=1)).save(folder / f"{name}.png")
    return folder


def ai_window(qtbot, tmp_path):
    folder = folder_of_three(tmp_path)
    w = open_window(qtbot, tmp_path)
    w.ai_service.set_model("tiny")
    w.session.open_dir(folder)
    wait_image(qtbot, w, "a.png")
    w.canvas.set_zoom(4.0)
    w.canvas.centerOn(QPointF(40, 30))
    return w, folder


def area(shape) -> int:
    return int(shape_mask(shape, 60, 80).sum())


def test_click_preview_commit_undo_and_embeddings_reused(qtbot, tmp_path, held):
    w, folder = ai_window(qtbot, tmp_path)
    canvas = w.canvas
    qtbot.keyClick(canvas, Qt.Key.Key_I)
    assert canvas.tool_name == "ai_polygon" and w.ai_tools.actions["ai_polygon"].isChecked()
    tool = canvas.tool
    assert tool.hint_text() == PREPARING and tool._hint.isVisible()  # the encoder is still busy
    click(qtbot, canvas, 15, 15)  # a prompt while preparing: kept, previewed once ready
    assert tool.points == [(15.0, 15.0)] and tool.shapes == [] and len(w.document.shapes) == 0
    held.set()
    qtbot.waitUntil(lambda: bool(tool.shapes), timeout=5000)
    assert tool.hint_text() == "" and abs(area(tool.shapes[0]) - 400) <= 40
    click(qtbot, canvas, 50, 40)  # a second object point: both squares
    assert len(tool.shapes) == 2
    click(qtbot, canvas, 50, 40, SHIFT)  # not the object: the blue square goes
    assert len(tool.shapes) == 1 and tool.labels == [1, 1, 0]
    key(qtbot, canvas, Qt.Key.Key_Return)
    doc = w.document
    assert [(s.label, s.shape_type) for s in doc.shapes] == [("cat", "polygon")]
    assert abs(area(doc.shapes[0]) - 400) <= 40 and not tool.is_busy()
    w.actions["undo"].trigger()
    assert len(doc.shapes) == 0
    w.actions["redo"].trigger()
    assert len(doc.shapes) == 1 and doc.undo_stack.count() == 1  # one command

    # the next image was encoded in the background; going there and back encodes nothing again
    qtbot.waitUntil(lambda: w.ai_service.key_for(str(folder / "b.png")) in w.ai_service.cache, timeout=5000)
    w.actions["next_image"].trigger()
    wait_image(qtbot, w, "b.png")
    assert canvas.tool.hint_text() == ""  # ready at once
    qtbot.waitUntil(lambda: w.ai_service.key_for(str(folder / "c.png")) in w.ai_service.cache, timeout=5000)
    w.actions["prev_image"].trigger()
    wait_image(qtbot, w, "a.png")
    assert canvas.tool.hint_text() == ""
    qtbot.wait(50)
    assert len(TinyModel.encodes) == 3  # a, b, c once each


def test_an_image_replaced_on_disk_is_encoded_again(qtbot, tmp_path, held):
    held.set()
    w, folder = ai_window(qtbot, tmp_path)
    qtbot.keyClick(w.canvas, Qt.Key.Key_I)
    qtbot.waitUntil(lambda: w.ai_service.embedding(w.ai_service.current_key()) is not None, timeout=5000)
    w.actions["next_image"].trigger()
    wait_image(qtbot, w, "b.png")
    Image.fromarray(two_squares()[:50, :70]).save(folder / "a.png")  # cropped by another program
    w.actions["prev_image"].trigger()
    wait_image(qtbot, w, "a.png")
    qtbot.waitUntil(lambda: w.ai_service.embedding(w.ai_service.current_key()) is not None, timeout=5000)
    assert w.ai_service.embedding(w.ai_service.current_key()).data.shape[:2] == (50, 70)
    assert TinyModel.encodes.count((50, 70)) == 1


def test_box_right_click_escape_and_mask_shapes(qtbot, tmp_path, held):
    held.set()
    w, _folder = ai_window(qtbot, tmp_path)
    canvas = w.canvas
    w.ai_tools.actions["ai_mask"].trigger()
    tool = canvas.tool
    qtbot.waitUntil(lambda: tool.hint_text() == "", timeout=5000)
    click(qtbot, canvas, 15, 15)
    assert tool.shapes
    key(qtbot, canvas, Qt.Key.Key_Escape)
    assert not tool.is_busy() and tool.shapes == [] and len(w.document.shapes) == 0
    drag(qtbot, canvas, (36, 31), (74, 58))  # a box around the blue square
    assert tool.box is not None and [s.shape_type for s in tool.shapes] == ["mask"]
    click(qtbot, canvas, 50, 40, button=Qt.MouseButton.RightButton)  # not the object: nothing left
    assert tool.labels == [0] and tool.shapes == []
    key(qtbot, canvas, Qt.Key.Key_Backspace)
    assert tool.points == [] and len(tool.shapes) == 1
    key(qtbot, canvas, Qt.Key.Key_Enter)
    shapes = w.document.shapes
    assert [(s.label, s.shape_type) for s in shapes] == [("cat", "mask")] and area(shapes[0]) == 600


def test_missing_weights_are_offered_once_not_per_image(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    folder = folder_of_three(tmp_path)
    w = open_window(qtbot, tmp_path)
    w.ai_service.set_model("efficientsam:10m")
    offered = []
    w.ai_tools.ask_weights = offered.append  # instead of the question box
    w.session.open_dir(folder)
    wait_image(qtbot, w, "a.png")
    w.ai_tools.actions["ai_polygon"].trigger()
    qtbot.waitUntil(lambda: len(offered) == 1, timeout=5000)
    assert w.canvas.tool._hint.text().startswith("efficientsam:10m: its weights")
    assert "efficientsam:10m: its weights (efficient_sam_vitt_encoder.onnx" in str(offered[0])
    w.actions["next_image"].trigger()
    wait_image(qtbot, w, "b.png")
    qtbot.wait(100)
    assert len(offered) == 1
    assert w.canvas.tool.hint_text() == ("efficientsam:10m: its weights (efficient_sam_vitt_encoder.onnx, "
                                         "efficient_sam_vitt_decoder.onnx) are not downloaded yet: "
                                         "Tools > AI Model > Download Model Weights")


def test_download_from_a_mirror_then_the_osam_model_outlines(qtbot, tmp_path, monkeypatch):
    """Weights fetched in a worker (progress dialog) from a local mirror into the cache, then a
    tiny EfficientSAM-shaped osam model drives the tool: the whole real path, no network."""
    import hashlib
    import http.server

    import osam
    from osam._models.efficientsam._models import EfficientSam

    from tests.segcore.test_promptable import export_tiny_efficientsam

    blobs = {}
    for p in export_tiny_efficientsam(tmp_path / "built"):
        blobs[hashlib.sha256(p.read_bytes()).hexdigest()] = p.read_bytes()

    class Mirror(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = blobs[self.path.rsplit("/", 1)[-1]]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        class TinySam(EfficientSam):
            name = "tinysam:1m"
            _blobs = {k: osam.types.Blob(url=f"https://example.invalid/{k}.onnx", hash=f"sha256:{d}")
                      for k, d in zip(("encoder", "decoder"), blobs)}

        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.setattr(osam.apis, "registered_model_types", [*osam.apis.registered_model_types, TinySam])
        folder = folder_of_three(tmp_path)
        w = open_window(qtbot, tmp_path)
        w.ai_service.set_model("tinysam:1m")
        w.settings.set_value("ai/mirror", f"http://127.0.0.1:{httpd.server_address[1]}/blobs")
        job = w.ai_tools.download()
        assert w.ai_tools.progress_dialog is not None
        qtbot.waitUntil(lambda: job.finished, timeout=10000)
        assert w.ai_tools.progress_dialog is None
        cache = tmp_path / "home" / ".cache" / "osam" / "models" / "blobs"
        assert sorted(p.name for p in cache.iterdir()) == sorted(f"sha256-{d}" for d in blobs)
        w.session.open_dir(folder)
        wait_image(qtbot, w, "a.png")
        w.canvas.set_zoom(4.0)
        w.canvas.centerOn(QPointF(40, 30))
        w.ai_tools.actions["ai_polygon"].trigger()
        tool = w.canvas.tool
        qtbot.waitUntil(lambda: tool.hint_text() == "", timeout=10000)
        click(qtbot, w.canvas, 50, 40)
        key(qtbot, w.canvas, Qt.Key.Key_Return)
        assert [s.label for s in w.document.shapes] == ["cat"] and abs(area(w.document.shapes[0]) - 600) <= 60
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_cancel_in_the_download_dialog_leaves_nothing(qtbot, tmp_path, monkeypatch):
    import http.server

    import osam
    from osam._models.efficientsam._models import EfficientSam
    from PySide6.QtWidgets import QPushButton

    release = threading.Event()

    class Stalling(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            self.wfile.write(b"x" * (1 << 16))
            self.wfile.flush()
            release.wait(10)
            self.wfile.write(b"x" * ((1 << 20) - (1 << 16)))

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        class Slow(EfficientSam):
            name = "slowsam:1m"
            _blobs = {"encoder": osam.types.Blob(url="https://example.invalid/e.onnx", hash="sha256:" + "ab" * 32),
                      "decoder": osam.types.Blob(url="https://example.invalid/d.onnx", hash="sha256:" + "cd" * 32)}

        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.setattr(osam.apis, "registered_model_types", [*osam.apis.registered_model_types, Slow])
        w = open_window(qtbot, tmp_path)
        w.ai_service.set_model("slowsam:1m")
        w.settings.set_value("ai/mirror", f"http://127.0.0.1:{httpd.server_address[1]}")
        job = w.ai_tools.download()
        dialog = w.ai_tools.progress_dialog
        qtbot.waitUntil(lambda: dialog.maximum() > 0, timeout=5000)  # bytes are arriving
        dialog.findChild(QPushButton).click()
        assert job.token.cancelled and w.ai_tools.progress_dialog is None
        release.set()
        qtbot.waitUntil(lambda: job.finished, timeout=10000)
        cache = tmp_path / "home" / ".cache" / "osam"
        assert not [p for p in cache.rglob("*") if p.is_file()]
        assert "slowsam:1m: download cancelled" in w.statusBar().currentMessage()
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
