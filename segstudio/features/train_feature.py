"""Train > Train on this folder...: opens :class:`segstudio.dialogs.train_dialog.TrainDialog` for the
open folder; its "Use as pre-annotation model" button hands the checkpoint to the model feature.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QFileDialog

from segstudio.actions import ActionSpec


def current_folder(window) -> Path | None:
    """The folder the window shows (its file list root), else the open image's folder."""
    dock = getattr(window, "file_dock", None)
    root = getattr(getattr(dock, "model", None), "root", None)
    root = root() if callable(root) else root
    if root:
        return Path(root)
    doc = getattr(window, "document", None)
    if doc is not None and getattr(doc, "image_path", None):
        return Path(doc.image_path).parent
    return None


def use_as_preannotation_model(window, path: str) -> bool:
    """Make ``path`` the window's pre-annotation model through the model feature
    (``window.model_feature.load_checkpoint(path)``); True when it took it. Without the model
    feature the path is remembered in the settings (``MODEL_SETTING``), which the model feature
    loads at the next start."""
    feature = getattr(window, "model_feature", None)
    if feature is not None and callable(getattr(feature, "load_checkpoint", None)):
        feature.load_checkpoint(str(path))
        return True
    settings = getattr(window, "settings", None)
    if settings is not None and hasattr(settings, "set_value"):
        from segstudio.features.model_feature import MODEL_SETTING

        settings.set_value(MODEL_SETTING, str(path))
    window.statusBar().showMessage(
        QCoreApplication.translate("TrainFeature", "Model saved as the pre-annotation model: {path}").format(path=path),
        10000)
    return False


def open_train_dialog(window, folder: str | Path | None = None):
    """Open (and return) the training dialog for ``folder`` or the current one."""
    from segstudio.dialogs.train_dialog import TrainDialog

    folder = folder or current_folder(window)
    if folder is None:
        chosen = QFileDialog.getExistingDirectory(window, QCoreApplication.translate("TrainFeature", "Folder to train on"))
        if not chosen:
            return None
        folder = chosen
    dialog = TrainDialog(folder, window)
    dialog.modelReady.connect(lambda path: use_as_preannotation_model(window, path))
    window._train_dialog = dialog  # keep it alive while it runs
    dialog.show()
    return dialog


def install(window) -> None:
    """Add Train > Train on this folder..."""
    spec = ActionSpec("train_folder", "train", QT_TRANSLATE_NOOP("Actions", "Train on this &folder..."),
                      tip=QT_TRANSLATE_NOOP("Actions", "Train a segmentation model on the labelled images of this "
                                                       "folder"))
    window.train_action = window.add_action(spec, lambda: open_train_dialog(window))
