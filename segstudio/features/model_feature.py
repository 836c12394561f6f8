"""Model menu: load a checkpoint, pre-annotate the image or every unlabelled image, accept the
proposals, filter them by confidence, show the model's per-pixel confidence.

The work is segcore's (:class:`segcore.inference.predict.Predictor`, :mod:`segcore.inference.preannotate`); here
it runs in workers (:func:`segstudio.workers.run_in_thread`) behind a progress dialog with Cancel,
and the results become undoable edits of the document:

- "Pre-annotate This Image": the image's earlier proposals are replaced by the new ones in ONE
  undo step (a person's shapes are never touched); proposals are drawn dashed by the canvas and
  listed with their score until a person edits or accepts them.
- "Pre-annotate All Unlabelled Images": other images of the folder without a person's shapes
  get their proposals written into their JSON files (atomically); the open image is done in
  memory afterwards, so the editor and the files never disagree.
- The confidence slider hides proposals whose score is below it, live (visibility only).
- "Accept Proposals" (key ``Y``): the proposals at or above the threshold become the person's
  shapes and those below it are discarded, as one undo step.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressDialog

from segcore.io.annotation import Shape
from segstudio import undo_commands as cmd
from segstudio.actions import ActionSpec
from segstudio.document import Document
from segstudio.features.confidence_overlay import ConfidenceOverlay
from segstudio.features.model_toolbar import ModelToolbar
from segstudio.icons import set_icons
from segstudio.workers import Job, run_in_thread

ACCEPT_KEY = "Y"
MODEL_SETTING = "model/checkpoint"  # the pre-annotation model, loaded again at the next start
ENGINE_SETTING = "model/engine"  # auto | torch | onnxruntime (segcore.inference.engine.ENGINES)
DEFAULT_THRESHOLD = 0.5


# ----------------------------------------------------------------------------- document edits


def set_proposals(doc: Document, proposals: list[Shape], text: str | None = None) -> None:
    """Replace the document's proposals by ``proposals`` (one undo step named ``text``, default
    "Pre-annotate"; people's shapes stay)."""
    text = text or QCoreApplication.translate("ModelFeature", "Pre-annotate")
    old = [i for i, s in enumerate(doc.shapes) if s.proposed]
    doc.undo_stack.beginMacro(text)
    try:
        if old:
            doc.push(cmd.RemoveShapes(doc, old))
        if proposals:
            doc.push(cmd.AddShapes(doc, proposals))
    finally:
        doc.undo_stack.endMacro()


def accept_proposals(doc: Document, threshold: float = 0.0) -> tuple[int, int]:
    """Accept proposals scoring at least ``threshold``, discard the rest; one undo step.
    Returns (accepted, discarded)."""
    keep = [i for i, s in enumerate(doc.shapes) if s.proposed and (s.score is None or s.score >= threshold)]
    drop = [i for i, s in enumerate(doc.shapes) if s.proposed and s.score is not None and s.score < threshold]
    if not keep and not drop:
        return 0, 0
    doc.undo_stack.beginMacro(
        QCoreApplication.translate("ModelFeature", "Accept {count} proposals").format(count=len(keep)))
    try:
        if keep:
            doc.push(cmd.AcceptProposals(doc, keep))
        if drop:
            doc.push(cmd.RemoveShapes(doc, drop))
    finally:
        doc.undo_stack.endMacro()
    return len(keep), len(drop)


# ----------------------------------------------------------------------------- worker functions


def _predict_image(predictor, image_path: str, *, progress=None, cancel=None):
    """Worker: (image_path, proposals, confidence) for one image."""
    from segcore.inference.preannotate import read_image

    rgb = read_image(image_path)
    pred = predictor.predict(rgb, return_probs=False, cancel=cancel, progress=progress)
    shapes = predictor.shapes_from_prediction(pred, min_score=0.0)
    return image_path, shapes, pred.confidence


def _predict_files(predictor, paths: list[str], *, progress=None, cancel=None):
    """Worker: pre-annotate the files; returns ((path, review state) written, proposals, errors)."""
    from segcore.data.review import review_state
    from segcore.inference.preannotate import preannotate_many

    written: list[tuple[str, str]] = []  # (image path, review state of what was written)
    _n, added, errors = preannotate_many(predictor, paths, only_unlabelled=True, progress=progress, cancel=cancel,
                                         on_done=lambda p, a: written.append((str(p), review_state(a))))
    return written, added, [str(e) for e in errors]


class ModelFeature:
    """The Model menu, its toolbar (threshold slider) and status-bar label; ``window.model_feature``."""

    def __init__(self, window) -> None:
        self.window = window
        self.predictor = None
        self.model_path: str | None = None  # the file the predictor came from
        self.job: Job | None = None  # the latest job (kept after it ends)
        self._busy = False
        self._cancelled = lambda: None
        self.progress_dialog: QProgressDialog | None = None
        self.threshold = DEFAULT_THRESHOLD
        self._filtered: set[int] = set()  # id(shape) of proposals the slider hid
        self._doc: Document | None = None
        self.overlay = ConfidenceOverlay(window.canvas)
        self.actions: dict[str, QAction] = {}
        menu = window.menus["model"]
        for name, text, short, keys, handler, tip in (  # texts translated by build_action ("Actions")
            ("load_checkpoint", QT_TRANSLATE_NOOP("Actions", "&Load Checkpoint..."), "", "Ctrl+Shift+M",
             self.ask_checkpoint,
             QT_TRANSLATE_NOOP("Actions", "Load a model trained with segcore (.pt checkpoint, or its .onnx export)")),
            ("preannotate_image", QT_TRANSLATE_NOOP("Actions", "&Pre-annotate This Image"),
             QT_TRANSLATE_NOOP("Actions", "Pre-annotate"), "Ctrl+M", self.preannotate_image,
             QT_TRANSLATE_NOOP("Actions", "Let the model propose shapes for this image (replaces earlier proposals)")),
            ("preannotate_all", QT_TRANSLATE_NOOP("Actions", "Pre-annotate All &Unlabelled Images"), "", "",
             self.preannotate_unlabelled,
             QT_TRANSLATE_NOOP("Actions", "Write the model's proposals into every image of the folder without a "
                                          "person's shapes")),
            ("accept_proposals", QT_TRANSLATE_NOOP("Actions", "&Accept Proposals"),
             QT_TRANSLATE_NOOP("Actions", "Accept (Y)"), ACCEPT_KEY, self.accept,
             QT_TRANSLATE_NOOP("Actions", "Accept the proposals at or above the confidence threshold; discard the "
                                          "others")),
            ("confidence_overlay", QT_TRANSLATE_NOOP("Actions", "Show &Confidence Overlay"),
             QT_TRANSLATE_NOOP("Actions", "Overlay"), "", self.overlay.set_visible,
             QT_TRANSLATE_NOOP("Actions", "Tint the image where the model is unsure")),
        ):
            spec = ActionSpec(name, "model", text, (keys,) if keys else (), checkable=name == "confidence_overlay",
                              tip=tip, icon_text=short)
            self.actions[name] = window.add_action(spec, handler)  # in the window's action table
        set_icons(self.actions)
        self._build_engine_menu(menu)
        self._build_toolbar()
        self.status = QLabel(self.tr("No model"), window)
        self.status.setObjectName("model_status")
        window.statusBar().addPermanentWidget(self.status)
        window.documentChanged.connect(self._document_changed)
        self._document_changed(window.document)
        self._update_actions()
        self.reload_saved_model()

    def tr(self, text: str, disambiguation: str | None = None, n: int = -1) -> str:
        """``text`` in the interface's language (context ``ModelFeature``)."""
        return QCoreApplication.translate("ModelFeature", text, disambiguation, n)

    def _build_engine_menu(self, menu) -> None:
        """Model > Engine: Auto / PyTorch / ONNX Runtime, remembered in the settings."""
        from segcore.inference.engine import ENGINE_LABELS, ENGINES

        saved = str(self.window.settings.value(ENGINE_SETTING, "auto") or "auto")
        self.engine = saved if saved in ENGINES else "auto"
        sub = menu.addMenu(self.tr("&Engine"))
        sub.setObjectName("menu_model_engine")
        group = QActionGroup(sub)
        group.setExclusive(True)
        self.engine_actions: dict[str, QAction] = {}
        for name in ENGINES:
            act = QAction(self.tr("Auto") if name == "auto" else ENGINE_LABELS[name], sub)
            act.setObjectName(f"action_engine_{name}")
            act.setCheckable(True)
            act.setChecked(name == self.engine)
            act.setStatusTip(self.tr("Auto: ONNX Runtime when installed (the checkpoint is exported once), else PyTorch"))
            act.triggered.connect(lambda _c=False, n=name: self.set_engine(n))
            group.addAction(act)
            sub.addAction(act)
            self.engine_actions[name] = act

    def set_engine(self, engine: str) -> Job | None:
        """Run models on ``engine`` from now on (remembered); the loaded model is loaded again on it."""
        self.engine = engine
        self.engine_actions[engine].setChecked(True)
        self.window.settings.set_value(ENGINE_SETTING, engine)
        if self.model_path is not None and not self._busy and self.predictor is not None \
                and self.predictor.engine != engine:
            return self.load_checkpoint(self.model_path)
        return None

    def _build_toolbar(self) -> None:
        tb = ModelToolbar(self.window, [self.actions[n] for n in ("preannotate_image", "accept_proposals",
                                                                 "confidence_overlay")], self.threshold)
        tb.thresholdChanged.connect(self._threshold_changed)
        self.toolbar, self.slider, self.threshold_label = tb, tb.slider, tb.value_label

    # ------------------------------------------------------------------ state
    def _update_actions(self) -> None:
        busy = self._busy
        has_model = self.predictor is not None
        has_doc = self.window.document is not None
        self.actions["load_checkpoint"].setEnabled(not busy)
        self.actions["preannotate_image"].setEnabled(has_model and has_doc and not busy)
        self.actions["preannotate_all"].setEnabled(has_model and not busy)

    def _document_changed(self, doc: Document | None) -> None:
        if self._doc is not None:
            try:
                self._doc.shapesChanged.disconnect(self.apply_filter)
            except (RuntimeError, TypeError):
                pass
        self._doc = doc
        self._filtered = set()
        if self.overlay.image_path is not None and (doc is None or str(doc.image_path) != self.overlay.image_path):
            self.overlay.clear()
        self.overlay.set_document(doc)
        if doc is not None:
            doc.shapesChanged.connect(self.apply_filter)
            self.apply_filter()
        self._update_actions()

    def _threshold_changed(self, threshold: float) -> None:
        self.threshold = threshold
        self.apply_filter()

    def apply_filter(self) -> None:
        """Hide proposals below the threshold; show them again above it (and once accepted)."""
        doc = self.window.document
        if doc is None:
            return
        for i, s in enumerate(doc.shapes):
            key = id(s)
            below = s.proposed and s.score is not None and s.score < self.threshold
            if below and key not in self._filtered and not doc.is_shape_hidden(i):
                self._filtered.add(key)
                doc.set_shape_visible(i, False)
            elif not below and key in self._filtered:
                self._filtered.discard(key)
                doc.set_shape_visible(i, True)

    # ------------------------------------------------------------------ checkpoint
    def ask_checkpoint(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Load checkpoint"), str(Path.home()),
            self.tr("Models (*.pt *.pth *.onnx)") + ";;" + self.tr("All files (*)"))
        if path:
            self.load_checkpoint(path)

    def load_checkpoint(self, path: str) -> Job:
        """Load ``path`` in a worker; the status bar then shows its name, model, classes and
        device, and the settings remember it for the next start."""
        return self._load(path, lambda exc: self.window.report_error(self.tr("Cannot load the checkpoint: {error}").format(error=exc)))

    def reload_saved_model(self) -> Job | None:
        """Start-up: load the model the settings remember, in a worker. A missing or broken file
        is named in the status bar (no message box) and forgotten."""
        path = str(self.window.settings.value(MODEL_SETTING, "") or "")
        if not path:
            return None

        def failed(exc: BaseException) -> None:
            self.window.settings.set_value(MODEL_SETTING, "")
            self.window.statusBar().showMessage(
                self.tr("Pre-annotation model not reloaded: {error}").format(error=exc), 30000)

        return self._load(path, failed)

    def _model_text(self) -> str:
        if self.predictor is None:
            return self.tr("No model")
        return self.tr("Model: {name} | {details}").format(name=Path(self.model_path or "").name,
                                                          details=self.predictor.describe())

    def _load(self, path: str, on_failure) -> Job:
        from segcore.inference.engine import open_predictor

        name = Path(path).name
        self.status.setText(self.tr("Loading {name}...").format(name=name))

        def done(predictor) -> None:
            self.predictor, self.model_path = predictor, str(path)
            self.status.setText(self._model_text())
            note = predictor.engine_note
            self.status.setToolTip(str(path) + (f"\n{note}" if note else ""))
            self.window.settings.set_value(MODEL_SETTING, str(Path(path).absolute()))
            text = self.tr("Loaded {name}").format(name=name)
            self.window.statusBar().showMessage(f"{text} ({note})" if note else text, 15000 if note else 4000)
            self._update_actions()

        def failed(exc: BaseException) -> None:
            self.status.setText(self._model_text())
            on_failure(exc)
            self._update_actions()

        return self._start(partial(open_predictor, engine=self.engine), path, done=done, failed=failed, title=None)

    # ------------------------------------------------------------------ jobs
    def _start(self, fn, *args, done, failed=None, title: str | None) -> Job:
        def finish(result) -> None:
            self._busy = False
            self._close_progress()
            try:
                done(result)
            finally:
                self._update_actions()

        def error(exc: BaseException) -> None:
            self._busy = False
            self._close_progress()
            (failed or (lambda e: self.window.report_error(str(e))))(exc)
            self._update_actions()

        def cancelled() -> None:
            self._busy = False
            self._close_progress()
            self.window.statusBar().showMessage(self.tr("Cancelled"), 3000)
            self._update_actions()

        self._busy = True
        self.job = run_in_thread(fn, *args, on_done=finish, on_error=error, on_cancelled=cancelled,
                                 on_progress=self._on_progress, with_progress=title is not None)
        if title is not None:
            dlg = QProgressDialog(title, self.tr("Cancel"), 0, 0, self.window)
            dlg.setObjectName("model_progress")
            dlg.setWindowTitle(self.tr("Model"))
            dlg.setMinimumDuration(0)
            dlg.setAutoClose(False)
            dlg.setAutoReset(False)
            job = self.job
            dlg.canceled.connect(job.cancel)
            dlg.canceled.connect(cancelled)
            self._cancelled = cancelled
            self.progress_dialog = dlg
            dlg.show()
        self._update_actions()
        return self.job

    def _on_progress(self, done: int, total: int, message: str) -> None:
        dlg = self.progress_dialog
        if dlg is not None:
            dlg.setMaximum(max(total, 0))
            dlg.setValue(min(done, total) if total else 0)
            if message:
                dlg.setLabelText(message)

    def _close_progress(self) -> None:
        dlg, self.progress_dialog = self.progress_dialog, None
        if dlg is not None:
            try:
                dlg.canceled.disconnect()
            except (RuntimeError, TypeError):
                pass
            dlg.close()
            dlg.deleteLater()
            self.window.activateWindow()  # the accept key works at once

    def cancel(self) -> None:
        """Cancel the running job (what the dialog's Cancel button does)."""
        if self.job is not None and self._busy:
            self.job.cancel()
            self._cancelled()

    # ------------------------------------------------------------------ pre-annotation
    def preannotate_image(self) -> Job | None:
        """Predict the open image in a worker; its proposals replace the earlier ones."""
        doc = self.window.document
        if self.predictor is None or doc is None or doc.image_path is None:
            self.window.statusBar().showMessage(self.tr("Load a checkpoint and open an image first"), 5000)
            return None
        path = str(doc.image_path)

        def done(result) -> None:
            image_path, shapes, confidence = result
            current = self.window.document
            if current is None or str(current.image_path) != image_path:
                return  # the user moved on; nothing to apply
            self.overlay.show_map(confidence, len(self.predictor.class_names), image_path)
            set_proposals(current, shapes)
            n_shown = sum(1 for s in shapes if s.score is None or s.score >= self.threshold)
            self.window.statusBar().showMessage(
                self.tr("%n proposals ({shown} at or above {threshold}); {key} accepts them", None, len(shapes))
                .format(shown=n_shown, threshold=f"{self.threshold:.2f}", key=ACCEPT_KEY), 8000)

        return self._start(_predict_image, self.predictor, path, done=done,
                           title=self.tr("Pre-annotating {name}...").format(name=Path(path).name))

    def preannotate_unlabelled(self) -> Job | None:
        """Pre-annotate every other unlabelled image of the folder on disk, then this one."""
        if self.predictor is None:
            self.window.statusBar().showMessage(self.tr("Load a checkpoint first"), 5000)
            return None
        doc = self.window.document
        current = str(doc.image_path) if doc is not None and doc.image_path is not None else None
        paths = [p for p in self.window.file_dock.model.paths() if p != current]

        def done(result) -> None:
            written, added, errors = result
            for p, state in written:
                self.window.file_dock.model.set_state(p, state)
            msg = self.tr("Pre-annotated %n images ({proposals} proposals)", None, len(written)).format(
                proposals=added)
            if errors:
                failed = self.tr("%n failed:", None, len(errors))
                self.window.report_error(f"{msg}; {failed}\n" + "\n".join(errors[:10]))
            else:
                self.window.statusBar().showMessage(msg, 8000)
            d = self.window.document
            if d is not None and not any(not s.proposed for s in d.shapes):
                self.preannotate_image()

        return self._start(_predict_files, self.predictor, paths, done=done,
                           title=self.tr("Pre-annotating unlabelled images..."))

    def accept(self) -> None:
        """Accept the visible proposals (at or above the threshold), discard the others."""
        doc = self.window.document
        if doc is None:
            return
        accepted, discarded = accept_proposals(doc, self.threshold)
        if accepted or discarded:
            self.window.statusBar().showMessage(
                self.tr("Accepted {accepted} proposals, discarded {discarded} below {threshold} (Ctrl+Z undoes)")
                .format(accepted=accepted, discarded=discarded, threshold=f"{self.threshold:.2f}"), 6000)


def install(window) -> None:
    """Add the Model menu actions, the model toolbar and the status-bar label to ``window``."""
    window.model_feature = ModelFeature(window)
