"""The Chinese interface is complete: with the zh_CN translations installed, every action, menu,
toolbar, dock, status text and dialog of the window shows no English words (names such as
DeepLab, COCO or ONNX apart), and the committed ``.ts`` files match the code with nothing
unfinished or vanished."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QGraphicsTextItem,
    QGraphicsView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTabBar,
    QToolBar,
    QWidget,
)

from segstudio import i18n
from tests.app.gui_helpers import make_image, make_labelme, open_window, polygon, wait_image

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]

# Names that stay as they are in every language (models, formats, libraries, units, keys)
ALLOWED_PHRASES = ("ONNX Runtime", "DeepLabV3+", "DeepLabV3", "U-Net", "LR-ASPP", "Pascal VOC", "Apple GPU",
                   "CVAT for images 1.1", "pip install", "segstudio[sam]", "segcore train", "train / val / test",
                   "English", "（median）", "（none）")  # the values of `segcore train --class-weights`
ALLOWED_WORDS = {w.lower() for w in (
    "DeepLab", "FCN", "PSPNet", "SegNet", "LRASPP", "COCO", "VOC", "YOLO", "CVAT", "SAM", "EfficientSAM", "ONNX",
    "PyTorch", "torchvision", "CUDA", "CPU", "GPU", "MPS", "LabelMe", "JSON", "PNG", "JPG", "JPEG", "BMP", "TIF",
    "TIFF", "mIoU", "IoU", "RGB", "px", "SegStudio", "segcore", "osam", "sqrt", "ResNet", "MobileNet", "ImageNet",
    "ETA", "Ctrl", "Shift", "Alt", "Meta", "Del", "Ins", "Esc", "Tab", "Space", "Enter", "Return", "Backspace",
    "PgUp", "PgDown", "Home", "End", "Up", "Down", "Left", "Right", "Plus", "Minus", "Delete", "sha", "MIRROR",
    "AI", "ID", "XML", "Ultralytics", "GrabCut", "Dice", "Focal", "Tversky", "SegmentationClass", "SegmentationObject",
)}
WORD = re.compile(r"[A-Za-z]{2,}")
TAG = re.compile(r"<[^>]+>|&[a-z]+;")
EXTENSIONS = r"(?:json|png|jpe?g|onnx|pth?|txt|ya?ml|md|xml|csv)"
PATTERN = re.compile(r"\*\.\w+|https?://\S+|[\w-]*\." + EXTENSIONS + r"\b"  # file names, patterns
                     r"|~?(?:/[^\s/，。、：；）)\]]+)+/?")  # paths
LABELS = ("猫", "狗")  # label names are data: Chinese here so they never count as English


def english_words(text: str, names: Iterable[str] = ()) -> list[str]:
    """The English words of ``text`` once markup, file patterns and the allowed ``names`` and
    :data:`ALLOWED_PHRASES` are taken out."""
    text = TAG.sub(" ", text)
    for name in sorted({*names, *ALLOWED_PHRASES}, key=len, reverse=True):
        if name:
            text = text.replace(name, " ")
    text = PATTERN.sub(" ", text)
    return [w for w in WORD.findall(text) if w.lower() not in ALLOWED_WORDS]


def test_english_words_ignores_names_and_keys():
    assert english_words("打开 (Ctrl+O)") == []
    assert english_words("导出为 COCO 或 Pascal VOC (*.json)") == []
    assert english_words("DeepLabV3+ 模型 <b>mIoU</b> 0.5") == []
    assert english_words("Open 文件") == ["Open"]
    assert english_words("保存 /tmp/run/a.json", names=["/tmp/run"]) == []
    assert english_words("写入 best.pt、report.md 到 ~/data/runs") == []
    assert english_words("亮度/Contrast") == []  # a path-like tail is taken for a path...
    assert english_words("Brightness/对比度") == ["Brightness"]  # ...but not what comes before it


class Texts:
    """Every text seen, by where it was seen."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}

    def add(self, where: str, text: str | None) -> None:
        text = (text or "").strip()
        if text:
            self.seen.setdefault(where, set()).add(text)

    def action(self, where: str, act: QAction) -> None:
        if act.isSeparator():
            return
        for text in (act.text(), act.iconText(), act.toolTip(), act.statusTip(), act.whatsThis()):
            self.add(f"{where} > {act.objectName() or act.text()}", text)
        if act.menu() is not None:
            self.menu(where, act.menu())

    def menu(self, where: str, menu: QMenu) -> None:
        where = f"{where} > {menu.title()}"
        self.add(where, menu.title())
        for act in menu.actions():
            self.action(where, act)

    def widget(self, where: str, top: QWidget) -> None:
        """The visible texts of ``top`` and its visible children (``top`` itself counts even hidden)."""
        self.add(where, top.windowTitle())
        for w in [top, *top.findChildren(QWidget)]:
            if w is not top and not w.isVisibleTo(top):
                continue
            name = f"{where}/{type(w).__name__}:{w.objectName()}"
            self.add(name, w.toolTip())
            self.add(name, w.statusTip())
            self.add(name, w.placeholderText() if hasattr(w, "placeholderText") and isinstance(w, QLineEdit)
                     else "")
            if isinstance(w, QLabel):
                self.add(name, w.text())
            elif isinstance(w, QAbstractButton):
                self.add(name, w.text())
            elif isinstance(w, QGroupBox):
                self.add(name, w.title())
            elif isinstance(w, QDockWidget | QToolBar):
                self.add(name, w.windowTitle())
            elif isinstance(w, QComboBox):
                for i in range(w.count()):
                    self.add(name, w.itemText(i))
            elif isinstance(w, QAbstractSpinBox):
                for text in (w.specialValueText(), getattr(w, "suffix", lambda: "")(),
                             getattr(w, "prefix", lambda: "")()):
                    self.add(name, text)
            if isinstance(w, QTabBar):
                for i in range(w.count()):
                    self.add(name, w.tabText(i))
                    self.add(name, w.tabToolTip(i))
            header = getattr(w, "horizontalHeader", None) or getattr(w, "header", None)
            if isinstance(w, QAbstractItemView) and w.model() is not None and header and header().isVisibleTo(top):
                model = w.model()
                for i in range(model.columnCount(QModelIndex())):
                    self.add(name, str(model.headerData(i, Qt.Orientation.Horizontal) or ""))
            if isinstance(w, QGraphicsView) and w.scene() is not None:  # plots: axis labels, titles
                for item in w.scene().items():
                    if isinstance(item, QGraphicsTextItem) and item.isVisible():
                        self.add(name, item.toPlainText())
            for act in QWidget.actions(w):
                self.action(name, act)

    def english(self, names: Iterable[str]) -> dict[str, list[str]]:
        names = list(names)
        found: dict[str, list[str]] = {}
        for where, texts in sorted(self.seen.items()):
            for text in sorted(texts):
                words = english_words(text, names)
                if words:
                    found.setdefault(text, []).append(where)
        return found


@pytest.fixture
def zh_cn(qapp):
    """The shipped zh_CN translations installed for the test, removed after it."""
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        yield
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "数据"
    for i, label in enumerate(LABELS):
        image = make_image(folder / f"{i}.png", size=(160, 120))
        make_labelme(image, [polygon(label, [(10, 10), (60, 12), (40, 70)])])
    return folder


class ModalCloser(QObject):
    """Collects and closes every dialog that opens (modal ones inside their own event loop) and
    records what file dialogs would have asked."""

    def __init__(self, texts: Texts, window: QWidget, monkeypatch) -> None:
        super().__init__()
        self.texts, self.window, self.where = texts, window, ""
        self.timer = QTimer(self)
        self.timer.setInterval(30)
        self.timer.timeout.connect(self.sweep)
        self.timer.start()
        for name in ("getOpenFileName", "getOpenFileNames", "getExistingDirectory", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self._file_dialog(name)))

    def _file_dialog(self, name: str) -> Callable:
        def ask(parent=None, caption="", directory="", file_filter="", *args, **kwargs):
            self.texts.add(f"{self.where}/QFileDialog", caption or kwargs.get("caption", ""))
            self.texts.add(f"{self.where}/QFileDialog", file_filter or kwargs.get("filter", ""))
            if name == "getExistingDirectory":
                return ""
            return ([], "") if name == "getOpenFileNames" else ("", "")
        return ask

    def sweep(self) -> None:
        for w in QApplication.topLevelWidgets():
            if w is not self.window and isinstance(w, QDialog) and w.isVisible():
                self.texts.widget(f"{self.where}/{type(w).__name__}:{w.objectName()}", w)
                w.reject()


SKIP_ACTIONS = {"action_quit", "action_ai_download"}  # leaves the test; needs the network
LAST_ACTIONS = ("action_delete_file", "action_close")  # they take the open image away


def _all_actions(window) -> list[QAction]:
    out: list[QAction] = []

    def walk(menu: QMenu) -> None:
        for act in menu.actions():
            if act.menu() is not None:
                walk(act.menu())
            elif not act.isSeparator():
                out.append(act)

    for top in window.menuBar().actions():
        walk(top.menu())
    return sorted(out, key=lambda act: act.objectName() in LAST_ACTIONS)


def test_every_text_is_chinese(qtbot, qapp, zh_cn, tmp_path, monkeypatch):
    from segcore.interactive.sam_models import registered_models
    from segcore.models.registry import MODEL_NAMES
    from segstudio.dialogs.job_progress import JobProgress
    from segstudio.features.export_feature import open_export_dialog, open_import_dialog
    from segstudio.features.train_feature import open_train_dialog
    from segstudio.workers import run_in_thread

    folder = _folder(tmp_path)
    texts = Texts()
    window = open_window(qtbot, tmp_path, labels=LABELS)
    window.statusBar().messageChanged.connect(lambda m: texts.add("status bar", m))
    assert window.open_path(str(folder))
    wait_image(qtbot, window, "0.png")
    window.document.set_selection([0])
    closer = ModalCloser(texts, window, monkeypatch)

    try:
        texts.widget("window", window)
        for top in window.menuBar().actions():
            texts.menu("menu", top.menu())
        for act in window.findChildren(QAction):
            texts.action("action", act)

        # a label file changed by another program while edits are unsaved: the conflict question
        closer.where = "save conflict"
        window.actions["autosave"].setChecked(False)
        window.act_duplicate()
        make_labelme(folder / "0.png", [polygon(LABELS[1], [(1, 1), (30, 2), (20, 40)])])
        window.actions["save"].trigger()
        qtbot.wait(60)
        assert any("conflict_dialog" in where for where in texts.seen), "the conflict question was not seen"
        window.act_undo()
        closer.where = "leaving unsaved edits"
        window.document.set_selection([0])
        window.act_duplicate()
        assert not window.session.leave_current()  # the question was closed: cancelled
        assert any(where.startswith(closer.where + "/QMessageBox") for where in texts.seen)
        window.act_undo()

        # every action of every menu, its dialogs and status texts
        for act in _all_actions(window):
            if not shiboken6.isValid(act) or act.objectName() in SKIP_ACTIONS or not act.isEnabled():
                continue
            closer.where = f"after {act.objectName() or act.text()}"
            act.trigger()
            qtbot.wait(60)
            closer.sweep()
            texts.widget(f"{closer.where}: window", window)
            window.canvas.set_tool("edit")

        # the dialogs, each with all its parts shown
        closer.timer.stop()
        dialogs: list[tuple[str, QDialog]] = []
        train = open_train_dialog(window, folder)
        train.options.setVisible(True)
        if train.options.isCheckable():
            train.options.setChecked(True)
        dialogs.append(("train dialog", train))
        export = open_export_dialog(window)
        dialogs.append(("export dialog", export))
        imp = open_import_dialog(window)
        dialogs.append(("import dialog", imp))
        window.label_dialog.set_flag_names(["flag"])
        window.label_dialog.show()
        dialogs.append(("label dialog", window.label_dialog))
        window.act_brightness_contrast()
        dialogs.append(("brightness/contrast", window._bc_dialog))
        from segstudio.dialogs.shortcuts import shortcuts_dialog

        shortcuts = shortcuts_dialog(window)
        shortcuts.show()
        dialogs.append(("shortcuts", shortcuts))
        job = run_in_thread(lambda: None)
        progress = JobProgress(window, "", "", job)
        dialogs.append(("job progress", progress.dialog))
        for where, dialog in dialogs:
            qtbot.waitExposed(dialog)
            texts.widget(where, dialog)
            for combo in dialog.findChildren(QComboBox):  # every variant of the form
                for i in range(combo.count()):
                    combo.setCurrentIndex(i)
                    texts.widget(where, dialog)
        qtbot.wait(100)
        for _where, dialog in dialogs:
            dialog.close()
        progress.close()
        texts.widget("window at the end", window)

    finally:  # nothing may stay open: a question left behind would block the test's end
        window.session.leave_answer = QMessageBox.StandardButton.Discard
        closer.timer.start()
        window.close()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
        closer.timer.stop()

    names = [str(tmp_path), str(folder), *LABELS, *MODEL_NAMES, *registered_models(), "flag", window.session.shown_path or ""]
    left = texts.english(names)
    if left:
        report = "\n".join(f"{text!r}  (in {where[0]})" for text, where in sorted(left.items()))
        pytest.fail(f"{len(left)} texts are still in English:\n{report}", pytrace=False)


def _tools_i18n():
    spec = importlib.util.spec_from_file_location("tools_i18n", REPO / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_parts_cover_every_source_once():
    tools = _tools_i18n()
    parts = tools.parts()
    listed = [p for sources in parts.values() for p in sources]
    assert len(listed) == len(set(listed))
    every = {p for pattern in ("*.py", "dialogs/*.py", "features/*.py", "docks/*.py", "canvas/*.py")
             for p in (REPO / "segstudio").glob(pattern)}
    assert set(listed) == every | set(tools.engine_sources())
    assert REPO / "segcore" / "training" / "data.py" in parts["dialogs"]  # the training dialog's notices


def test_translations_are_up_to_date_and_complete():
    if not (Path(sys.executable).with_name("pyside6-lupdate").exists() or shutil.which("pyside6-lupdate")):
        pytest.skip("pyside6-lupdate is not installed")
    tools = _tools_i18n()
    found = tools.check("zh_CN")
    lines = [f"{part}: {len(p.unfinished)} unfinished, {len(p.vanished)} vanished: "
             + "; ".join((p.unfinished + p.vanished)[:20]) for part, p in found.items() if p]
    assert not lines, "run `python tools/i18n.py update` and translate:\n" + "\n".join(lines)

def test_compiled_translations_match_their_sources(tmp_path):
    if not (Path(sys.executable).with_name("pyside6-lrelease").exists() or shutil.which("pyside6-lrelease")):
        pytest.skip("pyside6-lrelease is not installed")
    tools = _tools_i18n()
    for part in tools.parts():
        ts = tools.ts_path(part)
        assert ts.exists(), f"{ts} is missing: run `python tools/i18n.py update`"
        copy = tmp_path / ts.name
        shutil.copyfile(ts, copy)
        fresh = tools.lrelease(copy).read_bytes()
        assert ts.with_suffix(".qm").read_bytes() == fresh, f"{ts.with_suffix('.qm')} is older than {ts.name}"


def test_tests_run_in_english(qapp):
    """The other GUI tests assert English texts: nothing installs a translator for them."""
    assert QCoreApplication.translate("LanguageMenu", "&Language") == "&Language"
