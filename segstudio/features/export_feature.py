"""File > Export dataset... and File > Import...: open the export / import dialogs for the
folder the window shows; after an import into that folder the file list is refreshed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from segstudio.actions import ActionSpec


def _current_folder(window) -> Path | None:
    from segstudio.features.train_feature import current_folder

    return current_folder(window)


def export_message(report) -> str:
    """The status-bar line after an export: images written, where, and how many were left out."""
    text = QCoreApplication.translate("ExportFeature", "Exported {count} images to {folder}").format(
        count=report.images, folder=report.out)
    if report.left_out:
        text += " " + QCoreApplication.translate("ExportFeature", "({count} left out)").format(count=report.left_out)
    return text


def open_export_dialog(window):
    """Show (and return) the export dialog for the current folder."""
    from segstudio.dialogs.export_dialog import ExportDialog

    labels = getattr(getattr(window, "settings", None), "labels_file", None) or None
    dialog = ExportDialog(_current_folder(window), labels, window)
    dialog.finished_report.connect(lambda r: window.statusBar().showMessage(export_message(r), 10000))
    window._export_dialog = dialog  # keep it alive while it runs
    dialog.show()
    return dialog


def open_import_dialog(window):
    """Show (and return) the import dialog; images folder defaults to the current folder."""
    from segstudio.dialogs.import_dialog import ImportDialog

    dialog = ImportDialog(window)
    folder = _current_folder(window)
    if folder is not None:
        dialog.images.setText(str(folder))

    def imported(report) -> None:
        window.statusBar().showMessage(
            QCoreApplication.translate("ExportFeature", "Imported {count} label files into {folder}").format(
                count=report.images, folder=report.out), 10000)
        shown = _current_folder(window)
        if shown is not None and Path(report.out).resolve() == shown.resolve():
            window.session.open_dir(shown)  # show the new label files

    dialog.finished_report.connect(imported)
    window._import_dialog = dialog
    dialog.show()
    return dialog


def install(window) -> None:
    """Add File > Export dataset... and File > Import... (before Quit when there is one)."""
    menu = window.menus["file"]
    export_action = window.add_action(
        ActionSpec("export_dataset", "file", QT_TRANSLATE_NOOP("Actions", "&Export dataset..."),
                   tip=QT_TRANSLATE_NOOP("Actions", "Export this folder to Pascal VOC or COCO for training code")),
        lambda: open_export_dialog(window), menu=False)
    import_action = window.add_action(
        ActionSpec("import_labels", "file", QT_TRANSLATE_NOOP("Actions", "&Import..."),
                   tip=QT_TRANSLATE_NOOP("Actions", "Import COCO, VOC or index masks as LabelMe files next to the "
                                                    "images")),
        lambda: open_import_dialog(window), menu=False)
    quit_action = getattr(window, "actions", {}).get("quit")
    if quit_action is not None and quit_action in menu.actions():
        menu.insertSeparator(quit_action)
        menu.insertAction(quit_action, export_action)
        menu.insertAction(quit_action, import_action)
        menu.insertSeparator(quit_action)
    else:
        menu.addSeparator()
        menu.addAction(export_action)
        menu.addAction(import_action)
    window.export_action = export_action
    window.import_action = import_action
