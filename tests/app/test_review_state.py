"""Proposals are not labels: the file list shows each image's review state and follows it as
proposals are accepted and saved, or written by a folder pre-annotation run; the confidence
overlay shows on any image holding scored proposals; the train dialog counts a person's work."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from segcore.data.review import NONE, PROPOSALS, REVIEWED
from segcore.io import annotation as sa
from segstudio.features.model_feature import ACCEPT_KEY
from tests.box_model import train_box_unet

from .gui_helpers import make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui


def _rect(label: str, x0, y0, x1, y1, **kw) -> dict:
    return {**polygon(label, [(x0, y0), (x1, y1)], **kw), "shape_type": "rectangle"}


@pytest.fixture
def folder(tmp_path):
    """a: no labels; b: proposals only (as a folder run writes them); c: a person's shapes."""
    root = tmp_path / "imgs"
    for name in ("a", "b", "c"):
        make_image(root / f"{name}.png")
    make_labelme(root / "b.png", [_rect("car", 10, 10, 50, 40, proposed=True, score=0.3),
                                  _rect("car", 70, 50, 110, 80, proposed=True, score=0.8)])
    make_labelme(root / "c.png", [polygon("dog", [(5, 5), (50, 5), (30, 40)])])
    return root


def _open_folder(qtbot, w, folder):
    w.open_path(folder)
    wait_image(qtbot, w, "a.png")
    qtbot.waitUntil(lambda: w.file_dock.model.rowCount() == 3 and not w.file_dock.model.scanning, timeout=5000)


def _click_row(qtbot, w, name: str) -> None:
    dock = w.file_dock
    row = dock.model.row_of(str(dock.model.root / name))
    view = dock.view
    rect = view.visualRect(dock.proxy.mapFromSource(dock.model.index(row)))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_image(qtbot, w, name)


def _state(w, folder, name):
    return w.file_dock.model.state_of(str(folder / name))


def test_accepting_proposals_moves_the_image_to_reviewed(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    _open_folder(qtbot, w, folder)
    assert [_state(w, folder, n) for n in ("a.png", "b.png", "c.png")] == [NONE, PROPOSALS, REVIEWED]
    assert w.file_dock.count.text() == "3 images: 1 reviewed, 1 to review, 1 unlabelled"
    _click_row(qtbot, w, "b.png")
    w.model_feature.slider.setValue(0)  # accept every proposal
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    qtbot.keyClick(w, getattr(Qt.Key, f"Key_{ACCEPT_KEY}"))
    assert not any(s.proposed for s in w.document.shapes) and len(w.document.shapes) == 2
    qtbot.waitUntil(lambda: _state(w, folder, "b.png") == REVIEWED, timeout=5000)  # after the autosave
    assert not any(s.proposed for s in sa.load(folder / "b.json").shapes)
    assert w.file_dock.count.text() == "3 images: 2 reviewed, 0 to review, 1 unlabelled"
    w.act_undo()  # the proposals are back, and saved: to review again
    qtbot.waitUntil(lambda: _state(w, folder, "b.png") == PROPOSALS, timeout=5000)


def test_label_list_counts_only_a_persons_shapes(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    _open_folder(qtbot, w, folder)
    _click_row(qtbot, w, "b.png")
    dock = w.label_dock
    qtbot.waitUntil(lambda: "car" in dock.labels(), timeout=3000)
    item = dock.list.item(dock.labels().index("car"))
    cid = w.colours.index_of("car")
    assert item.text() == f"{cid}: car  (0 +2 proposed)"
    w.model_feature.slider.setValue(50)
    w.model_feature.accept()  # the 0.8 proposal is accepted, the 0.3 one discarded
    qtbot.waitUntil(lambda: dock.list.item(dock.labels().index("car")).text() == f"{cid}: car  (1)", timeout=3000)


def test_confidence_overlay_shows_for_an_image_preannotated_elsewhere(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    _open_folder(qtbot, w, folder)
    feature = w.model_feature
    feature.actions["confidence_overlay"].setChecked(True)
    assert feature.predictor is None  # no model in this session: the scores in the file are enough
    _click_row(qtbot, w, "b.png")
    overlay = feature.overlay
    qtbot.waitUntil(lambda: overlay.item is not None, timeout=5000)
    assert overlay.item.isVisible() and overlay.item.scene() is w.canvas.scene()
    unsure, sure, outside = overlay.pixel_alpha(30, 25), overlay.pixel_alpha(90, 65), overlay.pixel_alpha(60, 5)
    assert unsure > sure > 0 and outside == 0
    _click_row(qtbot, w, "c.png")  # no proposals: no overlay
    qtbot.waitUntil(lambda: overlay.item is None, timeout=5000)
    feature.actions["confidence_overlay"].setChecked(False)
    _click_row(qtbot, w, "b.png")
    assert overlay.item is None  # made only while shown
    feature.actions["confidence_overlay"].setChecked(True)
    qtbot.waitUntil(lambda: overlay.item is not None and overlay.item.isVisible(), timeout=5000)
    assert overlay.pixel_alpha(30, 25) == unsure
    feature.slider.setValue(0)
    feature.accept()  # nothing left to review: the overlay goes
    qtbot.waitUntil(lambda: overlay.item is None, timeout=5000)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    return train_box_unet(tmp_path_factory.mktemp("ck") / "boxes.pt", ["_background_", "box"])


def test_folder_run_files_show_to_review(qtbot, tmp_path, checkpoint):
    root = tmp_path / "run"
    root.mkdir()
    for name, boxes in (("im1", [(10, 10, 50, 40)]), ("im2", [(20, 20, 60, 60)]), ("im3", [(5, 5, 30, 30)]),
                        ("im4", [])):
        a = np.zeros((90, 120, 3), np.uint8)
        for x0, y0, x1, y1 in boxes:
            a[y0:y1, x0:x1] = 255
        Image.fromarray(a).save(root / f"{name}.png")
    make_labelme(root / "im3.png", [polygon("dog", [(1, 1), (8, 1), (8, 8)])])  # a person's work
    w = open_window(qtbot, tmp_path)
    w.open_path(root)
    wait_image(qtbot, w, "im1.png")
    qtbot.waitUntil(lambda: w.file_dock.model.rowCount() == 4 and not w.file_dock.model.scanning, timeout=5000)
    feature = w.model_feature
    feature.load_checkpoint(str(checkpoint))
    qtbot.waitUntil(lambda: feature.predictor is not None, timeout=20000)
    feature.actions["preannotate_all"].trigger()
    qtbot.waitUntil(lambda: (root / "im2.json").exists() and feature.job.finished
                    and any(s.proposed for s in w.document.shapes), timeout=30000)
    model = w.file_dock.model
    assert model.state_of(str(root / "im2.png")) == PROPOSALS
    assert model.state_of(str(root / "im3.png")) == REVIEWED
    assert sa.load(root / "im4.json").shapes == [] and model.state_of(str(root / "im4.png")) == NONE
    qtbot.waitUntil(lambda: model.state_of(str(root / "im1.png")) == PROPOSALS, timeout=5000)  # open: saved
    assert w.file_dock.count.text() == "4 images: 1 reviewed, 2 to review, 1 unlabelled"


def test_train_dialog_counts_only_a_persons_work(qtbot, tmp_path, folder):
    from segstudio.dialogs.train_dialog import TrainDialog

    dlg = TrainDialog(folder)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.readiness is not None, timeout=20000)
    text = dlg.summary_label.text()
    assert text.startswith("1 labelled images, 1 with only proposals to review, 1 without labels.")
    assert "dog (1)" in text and "car" not in text
    assert "1 images hold only unreviewed model proposals" in dlg.warnings_label.text()


def test_open_single_file_reads_its_state(qtbot, tmp_path, folder):
    w = open_window(qtbot, tmp_path)
    w.open_path(folder / "b.png")
    wait_image(qtbot, w, "b.png")
    qtbot.waitUntil(lambda: w.file_dock.model.state_of(str(Path(folder / "b.png"))) == PROPOSALS, timeout=5000)
