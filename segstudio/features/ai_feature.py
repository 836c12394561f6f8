"""AI tools plug-in: "AI Polygon" (I) and "AI Mask" (Shift+I) in the Tools menu and an "AI tools"
toolbar, and the model's menu: which model, fetching its weights (progress and Cancel), local
model files for machines without a network, and a download mirror.

The model and the embeddings live in :class:`segstudio.features.ai_service.AiService`
(``window.ai_service``); weights come from :mod:`segcore.interactive.weights`, fetched in a
worker. When the chosen model's weights are missing the first use asks whether to download
them or to choose the files; without a network the message names the model and what to do.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QProgressDialog, QToolBar

from segcore.interactive.promptable import ModelError
from segcore.interactive.sam_models import needed_files, registered_models
from segcore.interactive.weights import WeightsError, default_mirror, fetch_all, install_local
from segstudio.actions import ActionSpec
from segstudio.canvas.tool_ai import AiTool
from segstudio.dialogs.job_progress import JobProgress
from segstudio.features.ai_service import MIRROR_SETTING, AiService, weights_missing_text
from segstudio.icons import set_icons
from segstudio.workers import Job, run_in_thread

# Texts are translated where the actions are built (segstudio.actions.build_action, context "Actions").
TOOL_ACTIONS = (  # (tool, menu text, toolbar text, shortcut, tip)
    ("ai_polygon", QT_TRANSLATE_NOOP("Actions", "AI &Polygon"), QT_TRANSLATE_NOOP("Actions", "AI Polygon"), "I",
     QT_TRANSLATE_NOOP("Actions", "Click the object (Shift+click or right click: not the object, drag: a box); "
                                  "Enter makes a polygon")),
    ("ai_mask", QT_TRANSLATE_NOOP("Actions", "AI &Mask"), QT_TRANSLATE_NOOP("Actions", "AI Mask"), "Shift+I",
     QT_TRANSLATE_NOOP("Actions", "Click the object (Shift+click or right click: not the object, drag: a box); "
                                  "Enter makes a mask")),
)


class AiFeature:
    """The AI tools' actions; ``window.ai_tools`` after install."""

    def __init__(self, window) -> None:
        self.window = window
        self.service = AiService(window)
        window.ai_service = window.canvas.ai_service = self.service
        self.actions: dict[str, QAction] = {}
        self.job: Job | None = None
        self._progress: JobProgress | None = None
        menu = window.menus["tools"]
        menu.addSeparator()
        self.toolbar = QToolBar(self.tr("AI tools"), window)
        self.toolbar.setObjectName("ai_tools_toolbar")
        for name, text, short, keys, tip in TOOL_ACTIONS:
            act = window.add_action(ActionSpec(f"tool_{name}", "tools", text, (keys,), checkable=True, tip=tip,
                                               icon_text=short))
            act.triggered.connect(lambda _c=False, n=name: window.canvas.set_tool(n))
            self.toolbar.addAction(act)
            self.actions[name] = act
        model_menu = menu.addMenu(self.tr("AI Model"))
        model_menu.setObjectName("ai_model_menu")
        for name, text, handler in (
            ("ai_choose_model", self.tr("Choose &Model..."), self.choose_model),
            ("ai_download", self.tr("&Download Model Weights"), self.download),
            ("ai_local_files", self.tr("Use &Local Model Files..."), self.choose_local_files),
            ("ai_mirror", self.tr("Download M&irror..."), self.choose_mirror),
        ):
            act = QAction(text, window)
            act.setObjectName(f"action_{name}")
            act.triggered.connect(lambda _c=False, h=handler: h())
            model_menu.addAction(act)
            self.actions[name] = act
        set_icons(self.actions)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        window.canvas.toolChanged.connect(self._tool_changed)
        self.service.embeddingReady.connect(self._embedding_ready)
        self.service.weightsMissing.connect(self._weights_missing)
        self.service.failed.connect(self._failed)

    def tr(self, text: str, disambiguation: str | None = None, n: int = -1) -> str:
        """``text`` in the interface's language (context ``AiFeature``)."""
        return QCoreApplication.translate("AiFeature", text, disambiguation, n)

    # ------------------------------------------------------------------ tool state
    def _tool_changed(self, name: str) -> None:
        for tool, act in self.actions.items():
            if act.isCheckable():
                act.setChecked(tool == name)

    def _embedding_ready(self, key: str) -> None:
        tool = self.window.canvas.tool
        if isinstance(tool, AiTool):
            tool.embedding_ready(key)

    def _refresh_tool(self) -> None:
        tool = self.window.canvas.tool
        if isinstance(tool, AiTool):
            tool.refresh_hint()

    def _failed(self, message: str) -> None:
        self._refresh_tool()
        self.window.statusBar().showMessage(message, 15000)

    # ------------------------------------------------------------------ settings
    def mirror(self) -> str | None:
        """The download mirror set here, else ``$OSAM_BLOB_ENDPOINT``'s, else None (the origin)."""
        stored = self.window.settings.value(MIRROR_SETTING)
        return str(stored) if stored else default_mirror()

    def choose_model(self) -> None:
        names = registered_models()
        if not names:
            QMessageBox.warning(self.window, self.tr("AI Model"),
                                self.tr("No promptable model is available: install osam "
                                        "(pip install 'segstudio[sam]')."))
            return
        current = names.index(self.service.model_name) if self.service.model_name in names else 0
        name, ok = QInputDialog.getItem(self.window, self.tr("AI Model"), self.tr("Model (smallest and fastest first):"),
                                        names, current, False)
        if ok and name:
            self.service.set_model(name)
            self.window.statusBar().showMessage(self.tr("AI model: {name}").format(name=name), 5000)

    def choose_mirror(self) -> None:
        text, ok = QInputDialog.getText(self.window, self.tr("Download Mirror"),
                                        self.tr("Fetch weights from MIRROR/<sha256> (empty: the original address):"),
                                        text=str(self.window.settings.value(MIRROR_SETTING) or ""))
        if ok:
            self.window.settings.set_value(MIRROR_SETTING, text.strip())

    # ------------------------------------------------------------------ weights
    def _missing(self) -> list:
        try:
            return needed_files(self.service.model_name)
        except ModelError as exc:
            self.window.report_error(str(exc))
            return []

    def _weights_missing(self, exc) -> None:
        self._refresh_tool()
        self.ask_weights(exc)

    def ask_weights(self, exc) -> None:
        """Ask whether to download the missing weights or choose the files."""
        question = self.tr("Download them into {folder} now, or choose the files if you downloaded them "
                           "elsewhere?").format(folder=exc.files[0].path.parent)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("AI Model"), f"{weights_missing_text(exc)}.\n\n{question}",
                          parent=self.window)
        download = box.addButton(self.tr("Download"), QMessageBox.ButtonRole.AcceptRole)
        local = box.addButton(self.tr("Choose Files..."), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is download:
            self.download()
        elif box.clickedButton() is local:
            self.choose_local_files()

    def download(self) -> Job | None:
        """Fetch the chosen model's missing weights in a worker, with a progress dialog and Cancel."""
        files = self._missing()
        if not files:
            self.service.reset()
            self._weights_in_place()
            return None
        if self.job is not None and not self.job.finished:
            return self.job
        name, mirror = self.service.model_name, self.mirror()

        def fetch(progress, cancel):  # bytes as KiB: the progress signal carries 32-bit ints
            return fetch_all(files, mirror=mirror, cancel=cancel,
                             progress=lambda d, t, m: progress(d // 1024, t // 1024, m))

        def done(_paths) -> None:
            self._close_progress()
            self.window.statusBar().showMessage(self.tr("{model}: weights downloaded").format(model=name), 5000)
            self.service.reset()

        def failed(exc: BaseException) -> None:
            self._close_progress()
            self.service.reset()
            QMessageBox.warning(self.window, self.tr("AI Model"), str(exc))

        def cancelled() -> None:
            self._close_progress()
            self.window.statusBar().showMessage(self.tr("{model}: download cancelled").format(model=name), 5000)

        self.job = run_in_thread(fetch, on_done=done, on_error=failed, on_cancelled=cancelled,
                                 on_progress=lambda d, t, m: self._progress and self._progress.update(d, t, m),
                                 with_progress=True)
        self._progress = JobProgress(self.window, self.tr("AI Model"), self.tr("Downloading {model}...").format(model=name),
                                     self.job,
                                     "ai_download_progress")
        self._progress.dialog.canceled.connect(cancelled)  # closes at once, whenever the worker stops
        return self.job

    @property
    def progress_dialog(self) -> QProgressDialog | None:
        """The download's progress dialog while it runs."""
        return self._progress.dialog if self._progress is not None else None

    def _close_progress(self) -> None:
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.close()

    def choose_local_files(self, paths: list[str] | None = None) -> int:
        """Install model files the user has (checked by their checksums); returns how many."""
        files = self._missing()
        if not files:
            self._weights_in_place()
            return 0
        if paths is None:
            names = ", ".join(f.name for f in files)
            paths, _ = QFileDialog.getOpenFileNames(
                self.window, self.tr("Model files of {model} ({files})").format(model=self.service.model_name,
                                                                                 files=names),
                "", self.tr("ONNX models (*.onnx)") + ";;" + self.tr("All files (*)"))
        if not paths:
            return 0
        try:
            installed = install_local(files, paths)
        except (WeightsError, OSError) as exc:
            QMessageBox.warning(self.window, self.tr("AI Model"), str(exc))
            return 0
        self.service.reset()
        left = len(files) - len(installed)
        text = self.tr("{model}: %n file(s) installed", None, len(installed)).format(model=self.service.model_name)
        if left:
            text += self.tr(", %n still missing", None, left)
        self.window.statusBar().showMessage(text, 8000)
        return len(installed)

    def _weights_in_place(self) -> None:
        self.window.statusBar().showMessage(
            self.tr("{model}: the weights are in place").format(model=self.service.model_name), 5000)


def install(window) -> None:
    """Add the AI tools to ``window`` (menu Tools, a toolbar)."""
    window.ai_tools = AiFeature(window)
