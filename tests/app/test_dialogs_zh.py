"""The dialogs in Chinese: with the shipped zh_CN translations installed, every text the export,
import, label, brightness/contrast, shortcuts and training dialogs show differs from its English
(names such as COCO or IoU apart), the training view's live texts are translated, and choices
shown translated still mean the same setting."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)

from segstudio import i18n
from tests.segcore.train_helpers import make_dataset

pytestmark = pytest.mark.gui

SAME_IN_BOTH = {"CPU", "IoU (%)", "CVAT for images 1.1 XML", "%p%"}  # names only: nothing to translate


@pytest.fixture
def zh(qapp):
    """The shipped zh_CN translations, installed for the test."""
    translators = i18n.install_translators(qapp, "zh_CN")
    assert translators, "no zh_CN translation is shipped"
    yield
    for t in translators:
        qapp.removeTranslator(t)


def shown_texts(dialog: QWidget) -> list[tuple[str, str]]:
    """(where, text) of every static text of ``dialog``: title, labels, buttons, group boxes,
    placeholders, tooltips, combo box items (model names left out: they are names), table headers,
    plot titles and axis labels."""
    out = [("title", dialog.windowTitle())]
    for w in dialog.findChildren(QWidget):
        name = f"{type(w).__name__}:{w.objectName()}"
        if isinstance(w, QLabel):
            out.append((name, w.text()))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, (QLineEdit, QPlainTextEdit)):
            out.append((name, w.placeholderText()))
        elif isinstance(w, QComboBox) and w is not getattr(dialog, "model_combo", None):
            out += [(name, w.itemText(i)) for i in range(w.count())]
        elif isinstance(w, QTableWidget):
            out += [(name, w.horizontalHeaderItem(c).text()) for c in range(w.columnCount())]
        if not (isinstance(w, QLineEdit) and w.toolTip() == w.text()):  # a path shown whole is data
            out.append((name + " tip", w.toolTip()))
    for plot in (getattr(dialog, "loss_plot", None), getattr(dialog, "miou_plot", None)):
        if plot is not None:
            item = plot.getPlotItem()
            out += [("plot", item.titleLabel.text), ("axis", item.getAxis("bottom").labelText)]
    return [(where, text) for where, text in out if text and any(c.isalpha() for c in text)]


def _dialogs(tmp_path, qtbot) -> dict[str, QDialog]:
    from segstudio.dialogs.brightness_contrast import BrightnessContrastDialog
    from segstudio.dialogs.export_dialog import ExportDialog
    from segstudio.dialogs.import_dialog import ImportDialog
    from segstudio.dialogs.label_dialog import LabelDialog
    from segstudio.dialogs.train_dialog import TrainDialog

    data = tmp_path / "data"
    if not data.exists():
        make_dataset(data, n=2)
    made = {"export": ExportDialog(), "import": ImportDialog(), "label": LabelDialog(),
            "brightness": BrightnessContrastDialog(lambda b, c: None),
            "train": TrainDialog(data, settings=None, current_model=None)}
    for d in made.values():
        qtbot.addWidget(d)
    return made


def test_every_dialog_text_is_translated(qtbot, qapp, tmp_path):
    english = {name: shown_texts(d) for name, d in _dialogs(tmp_path, qtbot).items()}
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        chinese = {name: shown_texts(d) for name, d in _dialogs(tmp_path, qtbot).items()}
    finally:
        for t in translators:
            qapp.removeTranslator(t)
    for name, texts in english.items():
        assert len(texts) == len(chinese[name]), name
        left = [(where, en) for (where, en), (_, zh_text) in zip(texts, chinese[name], strict=True)
                if en == zh_text and en not in SAME_IN_BOTH]
        assert not left, f"{name} dialog shows English: {left}"


def test_shortcuts_headers_and_places_are_translated(qtbot, tmp_path, zh):
    from segstudio.dialogs.shortcuts import shortcuts_dialog
    from tests.app.gui_helpers import open_window

    window = open_window(qtbot, tmp_path)
    dialog = shortcuts_dialog(window)
    table = dialog.findChild(QTableWidget, "shortcuts_table")
    assert dialog.windowTitle() == "快捷键"
    assert [table.horizontalHeaderItem(c).text() for c in range(3)] == ["按键", "操作", "位置"]
    places = {table.item(r, 2).text() for r in range(table.rowCount())}
    assert "画布" in places and "Canvas" not in places
    assert not any(p.endswith(" tool") for p in places)
    texts = [table.item(r, c).text() for r in range(table.rowCount()) for c in (1, 2)]
    assert "打开" in texts and "文件" in texts  # the translations' mnemonics "(&O)" are not shown
    assert not [t for t in texts if re.search(r"\([A-Z]\)$", t)]
    dialog.close()


def test_training_view_reports_progress_in_chinese(qtbot, tmp_path, zh):
    from segstudio.dialogs.train_dialog import TrainDialog

    dlg = TrainDialog(make_dataset(tmp_path / "data", n=2), settings=None, current_model=None)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.readiness is not None, timeout=20000)
    assert dlg.summary_label.text().startswith("2 张已标注图像")
    dlg._on_start({"model": "unet", "device": "cpu", "train_images": 1, "val_images": 1,
                   "classes": ["background", "square"], "steps_per_epoch": 1})
    assert dlg.status_label.text() == "正在 cpu 上训练 unet：1 张训练图像 / 1 张验证图像。"
    dlg._on_epoch({"epoch": 2, "progress": 0.5, "eta_s": 61, "train_loss": 0.25,
                   "val": {"miou": 0.5, "iou": [0.4, 0.6]}, "best_miou": 0.5, "best_epoch": 2})
    assert dlg.best_label.text() == "最佳验证 mIoU 50.00%（第 2 轮）"
    assert dlg.status_label.text().startswith("第 2 轮：损失 0.2500，验证 mIoU 50.00%")
    assert dlg.eta_label.text() == "剩余时间 0:01:01"
    dlg._on_done({"reason": "time_budget", "best_checkpoint": None, "best_miou": 0.5, "best_epoch": 2})
    assert dlg.status_label.text().startswith("训练结束（时间预算已用完）：最佳验证 mIoU 50.00%")


def test_class_weights_shown_in_chinese_keep_their_meaning(qtbot, zh):
    from segcore.training.config import TrainConfig
    from segstudio.dialogs.train_options import TrainOptions

    options = TrainOptions()
    qtbot.addWidget(options)
    combo = options.weights_combo
    combo.setCurrentIndex(combo.findData("median"))
    assert combo.currentText() == "中位频率"
    assert options.apply(TrainConfig()).class_weights == "median"
    assert options.state()["class_weights"] == "median"
    options.restore({"class_weights": "none"})
    assert combo.currentData() == "none" and combo.currentText() == "无"


def test_form_problems_and_engine_progress_are_translated(qtbot, zh):
    from segstudio.dialogs.export_dialog import ExportDialog

    dialog = ExportDialog()
    qtbot.addWidget(dialog)
    assert dialog.start() is None
    assert dialog.status.text() == "失败：请选择已标注文件夹"
    dialog._progress(1, 3, "VOC export")
    assert dialog.status.text() == "VOC 导出 1/3"
    dialog._progress(1, 3, "something new")  # a message without a translation shows as it is
    assert dialog.status.text() == "something new 1/3"


@settings(max_examples=60, deadline=None)
@given(miou=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 1)),
       epoch=st.one_of(st.none(), st.integers(-3, 10_000)))
def test_english_best_miou_text_is_the_reports(miou, epoch):
    """In English the training view words the score exactly as report.md does."""
    from segcore.training.report import best_miou_text
    from segstudio.dialogs.train_dialog import best_text

    assert best_text(miou, epoch) == best_miou_text(miou, epoch)
    if miou is not None and math.isfinite(miou) and epoch is not None and epoch >= 0:
        assert f"(epoch {epoch})" in best_text(miou, epoch)
