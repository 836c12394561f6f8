"""The label dialog: completion from known labels, labels-file restriction, digits-only group
id, description and flags, driven with real key and mouse events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox

from app.dialogs.label_dialog import LabelChoice, LabelDialog, read_labels_file

pytestmark = pytest.mark.gui


def test_completion_offers_known_labels(qtbot):
    dlg = LabelDialog(known_labels=["person", "car", "bicycle", "car"])
    qtbot.addWidget(dlg)
    assert [dlg.list.item(i).text() for i in range(dlg.list.count())] == ["person", "car", "bicycle"]
    completer = dlg.edit.completer()
    completer.setCompletionPrefix("bi")
    assert completer.currentCompletion() == "bicycle"


def test_group_id_accepts_digits_only_and_choice(qtbot):
    dlg = LabelDialog(known_labels=["cat"], flag_names=["occluded", "truncated"])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.edit, "dog")
    qtbot.keyClicks(dlg.group_edit, "1a2b")
    assert dlg.group_edit.text() == "12"
    qtbot.keyClicks(dlg.description, "left one")
    dlg._flag_boxes["occluded"].setChecked(True)
    assert dlg.choice() == LabelChoice("dog", 12, "left one", {"occluded": True, "truncated": False})


def test_labels_file_restricts(qtbot, tmp_path):
    f = tmp_path / "labels.txt"
    f.write_text("__ignore__\n_background_\ncat\ndog\n\n", encoding="utf-8")
    names = read_labels_file(str(f))
    assert names == ["cat", "dog"]
    dlg = LabelDialog(known_labels=["zebra"], restrict_to=names)
    qtbot.addWidget(dlg)
    dlg.show()
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dlg.edit, "zebra")
    assert not ok.isEnabled()
    assert "not in the labels file" in dlg.error.text()
    dlg.accept()
    assert dlg.isVisible()  # refused
    dlg.edit.clear()
    qtbot.keyClicks(dlg.edit, "dog")
    assert ok.isEnabled()
    assert [dlg.list.item(i).text() for i in range(dlg.list.count())] == ["cat", "dog"]


def test_ask_returns_choice_or_none(qtbot):
    dlg = LabelDialog(known_labels=["cat", "dog"])
    qtbot.addWidget(dlg)

    def type_and_enter():
        dlg.edit.clear()
        qtbot.keyClicks(dlg.edit, "cat")
        qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)

    QTimer.singleShot(50, type_and_enter)
    assert dlg.ask(LabelChoice("dog", 3)).label == "cat"

    QTimer.singleShot(50, lambda: qtbot.keyClick(dlg.edit, Qt.Key.Key_Escape))
    assert dlg.ask() is None


def test_prefill_and_double_click(qtbot):
    dlg = LabelDialog(known_labels=["cat", "dog"])
    qtbot.addWidget(dlg)
    dlg.prefill(LabelChoice("cat", 7, "d", {"x": True}))
    assert dlg.group_edit.text() == "7"
    assert dlg._flag_boxes["x"].isChecked()
    dlg.show()
    item = dlg.list.item(1)
    rect = dlg.list.visualItemRect(item)
    qtbot.mouseClick(dlg.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dlg.edit.text() == "dog"
    qtbot.mouseDClick(dlg.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dlg.result() == dlg.DialogCode.Accepted
    assert dlg.choice().label == "dog"


def test_label_flags_follow_the_label(qtbot):
    dlg = LabelDialog(known_labels=["person", "car"])
    qtbot.addWidget(dlg)
    dlg.set_label_flags({"person": ["occluded", "truncated"], ".*": ["difficult"]})
    qtbot.keyClicks(dlg.edit, "person")
    assert list(dlg._flag_boxes) == ["occluded", "truncated", "difficult"]
    dlg._flag_boxes["difficult"].setChecked(True)
    dlg.edit.setText("car")
    assert list(dlg._flag_boxes) == ["difficult"] and dlg._flag_boxes["difficult"].isChecked()
