"""The plug-ins in Chinese: with the shipped zh_CN translations installed, every plug-in action
(smart tools, AI tools, model, export/import, training), its tips and the plug-in toolbars'
captions read in Chinese apart from names (AI, ONNX, COCO ...), and at 1600 px the smart tools,
model and AI toolbars still show everything without their >> overflow menu."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QToolButton

from segstudio import i18n
from segstudio.actions import CORE_ACTIONS
from segstudio.main_window import MainWindow
from segstudio.settings import Settings

pytestmark = pytest.mark.gui

NAMES = {"AI", "ONNX", "PyTorch", "Runtime", "GrabCut", "Shift", "Ctrl", "Enter", "Pascal", "VOC", "COCO",
         "LabelMe", "segcore", "pt", "onnx", "Y", "Z", "px"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _english_words(text: str) -> list[str]:
    """Latin words of ``text`` that are not names (mnemonics such as "(&P)" or "(P)" are not words)."""
    text = re.sub(r"\(&?[A-Z]\)", "", text)
    return [w for w in re.findall(r"[A-Za-z]+", text) if w not in NAMES]


@pytest.fixture
def chinese(qapp):
    """The shipped zh_CN translations installed for the test, removed afterwards."""
    translators = i18n.install_translators(qapp, "zh_CN")
    assert translators, "no zh_CN translation is shipped"
    yield
    for t in translators:
        qapp.removeTranslator(t)
    assert QCoreApplication.translate("ModelToolbar", "Min. conf.") == "Min. conf."


def _window(qtbot, tmp_path, width: int = 1600) -> MainWindow:
    window = MainWindow(settings=Settings(str(tmp_path / "settings.ini")))
    qtbot.addWidget(window)
    window.resize(width, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.width() == width, timeout=3000)
    return window


def test_plugin_actions_and_toolbars_read_in_chinese(qtbot, tmp_path, chinese):
    window = _window(qtbot, tmp_path)
    core = {spec.name for spec in CORE_ACTIONS}
    plugin = {name: act for name, act in window.actions.items() if name not in core}
    plugin.update({f"ai_{k}": a for k, a in window.ai_tools.actions.items()})
    plugin.update({f"engine_{k}": a for k, a in window.model_feature.engine_actions.items()})
    for name in ("tool_wand", "tool_ai_polygon", "load_checkpoint", "accept_proposals", "export_dataset",
                 "train_folder", "ai_ai_download", "engine_auto"):
        assert name in plugin, name
    for name, act in plugin.items():
        keys = [k.toString() for k in act.shortcuts()]
        tip = act.toolTip()
        for key in keys:
            tip = tip.replace(f" ({key})", "")
        for text in (act.text(), act.iconText(), tip, act.statusTip()):
            if text and not name.startswith("engine_") or name == "engine_auto":
                assert CJK.search(text), (name, text)
            assert not _english_words(text), (name, text)
    assert window.actions["accept_proposals"].iconText() == "接受 (Y)"
    for toolbar in (window.smart_tools.toolbar, window.model_feature.toolbar, window.ai_tools.toolbar):
        assert CJK.search(toolbar.windowTitle()), toolbar.objectName()
        for label in toolbar.findChildren(QLabel):
            text = label.text().strip()
            if text and not re.fullmatch(r"[\d.]+", text):
                assert CJK.search(text) and not _english_words(text), text
    assert window.smart_tools.eight.text() == "8 邻域"
    assert window.model_feature.status.text() == "无模型"


def test_chinese_toolbars_keep_everything_at_1600_px(qtbot, tmp_path, chinese):
    window = _window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.model_feature.slider.isVisible(), timeout=3000)
    for toolbar in (window.smart_tools.toolbar, window.model_feature.toolbar, window.ai_tools.toolbar):
        assert toolbar.isVisible(), toolbar.objectName()
        extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        assert extension is None or not extension.isVisible(), toolbar.objectName()
        assert toolbar.geometry().right() <= window.width(), toolbar.objectName()


def test_missing_weights_are_named_in_chinese(qtbot, tmp_path, chinese):
    from pathlib import Path

    from segcore.interactive.sam_osam import WeightsMissing
    from segcore.interactive.weights import WeightFile
    from segstudio.features.ai_service import weights_missing_text

    files = [WeightFile("efficientsam:10m", "https://example.org/a/encoder.onnx", "0" * 64, Path(tmp_path / "e")),
             WeightFile("efficientsam:10m", "https://example.org/a/decoder.onnx", "1" * 64, Path(tmp_path / "d"))]
    text = weights_missing_text(WeightsMissing("efficientsam:10m", files))
    assert "efficientsam:10m" in text and "encoder.onnx, decoder.onnx" in text
    for name in ("efficientsam:10m", "encoder.onnx", "decoder.onnx"):
        text = text.replace(name, "")
    assert CJK.search(text) and not _english_words(text)
