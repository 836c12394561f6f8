"""The label dialog LabelMe users know: label text with completion, the label list, group id
(digits only), description and per-shape flags. An optional labels file restricts the choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRegularExpression, QStringListModel, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


@dataclass
class LabelChoice:
    """What the user entered: the label and the optional shape properties."""

    label: str
    group_id: int | None = None
    description: str = ""
    flags: dict[str, bool] = field(default_factory=dict)


def read_labels_file(path: str) -> list[str]:
    """The labels a labels.txt allows (``segcore.rasterize.ClassList`` rules; background left
    out). Raises ``OSError`` / ``ValueError`` naming the file."""
    from segcore.rasterize import BACKGROUND_LABEL, ClassList

    return [n for n in ClassList.from_file(path).names if n != BACKGROUND_LABEL]


class LabelDialog(QDialog):
    """Ask for a label. ``restrict_to`` (from a labels file) limits the accepted labels."""

    def __init__(self, parent: QWidget | None = None, *, known_labels: list[str] | None = None,
                 restrict_to: list[str] | None = None, flag_names: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Label")
        self._restrict = list(restrict_to) if restrict_to else None
        self._labels: list[str] = []

        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Enter object label")
        self.group_edit = QLineEdit(self)
        self.group_edit.setPlaceholderText("Group ID")
        self.group_edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d*"), self))
        self.group_edit.setMaximumWidth(90)
        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText("Label description")
        self.description.setFixedHeight(50)
        self.list = QListWidget(self)
        self.list.itemClicked.connect(lambda item: self.edit.setText(item.text()))
        self.list.itemDoubleClicked.connect(lambda item: (self.edit.setText(item.text()), self.accept()))
        self.completer_model = QStringListModel(self)
        completer = QCompleter(self.completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.edit.setCompleter(completer)
        self.edit.textChanged.connect(self._validate)
        self.edit.textChanged.connect(self._update_flags_for_label)

        self.flags_box = QWidget(self)
        self.flags_layout = QVBoxLayout(self.flags_box)
        self.flags_layout.setContentsMargins(0, 0, 0, 0)
        self._flag_boxes: dict[str, QCheckBox] = {}
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #b00020")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.group_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        layout.addWidget(self.list)
        layout.addWidget(self.flags_box)
        layout.addWidget(self.description)
        layout.addWidget(self.error)
        self.set_labels(known_labels or [])
        self.set_flag_names(flag_names or [])

    # configuration -------------------------------------------------------------
    def set_labels(self, labels: list[str]) -> None:
        """The labels offered (ignored where a labels file restricts the choice)."""
        names = self._restrict if self._restrict is not None else list(dict.fromkeys(labels))
        self._labels = names
        self.list.clear()
        self.list.addItems(names)
        self.completer_model.setStringList(names)

    def set_restriction(self, labels: list[str] | None) -> None:
        """Only accept these labels (None: accept anything)."""
        self._restrict = list(labels) if labels else None
        self.set_labels(self._labels)

    def set_label_flags(self, label_flags: dict[str, list[str]]) -> None:
        """LabelMe's ``label_flags``: regex of labels -> the per-shape flags they get."""
        import re

        self._label_flags = [(re.compile(k), list(v)) for k, v in label_flags.items()]
        self._update_flags_for_label()

    def _update_flags_for_label(self) -> None:
        if not getattr(self, "_label_flags", None):
            return
        text = self.edit.text().strip()
        names = [f for rx, flags in self._label_flags if rx.fullmatch(text) or rx.match(text) for f in flags]
        names = list(dict.fromkeys(names))
        if names != list(self._flag_boxes):
            checked = {n for n, b in self._flag_boxes.items() if b.isChecked()}
            self.set_flag_names(names)
            for n in names:
                self._flag_boxes[n].setChecked(n in checked)

    def set_flag_names(self, names: list[str]) -> None:
        """Per-shape flag checkboxes to show."""
        for box in self._flag_boxes.values():
            box.deleteLater()
        self._flag_boxes = {}
        for name in names:
            box = QCheckBox(name, self.flags_box)
            self.flags_layout.addWidget(box)
            self._flag_boxes[name] = box
        self.flags_box.setVisible(bool(names))

    # validation -----------------------------------------------------------------
    def problem(self) -> str | None:
        """Why the current input cannot be accepted, or None."""
        text = self.edit.text().strip()
        if not text:
            return "The label must not be empty."
        if self._restrict is not None and text not in self._restrict:
            return f"'{text}' is not in the labels file."
        return None

    def _validate(self) -> None:
        problem = self.problem()
        self.error.setText(problem if problem and self.edit.text().strip() else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def accept(self) -> None:
        """Close only when the input is acceptable."""
        problem = self.problem()
        if problem is not None:
            self.error.setText(problem)
            return
        super().accept()

    # result ---------------------------------------------------------------------
    def choice(self) -> LabelChoice:
        """The entered label and properties."""
        gid = self.group_edit.text().strip()
        return LabelChoice(
            label=self.edit.text().strip(),
            group_id=int(gid) if gid else None,
            description=self.description.toPlainText(),
            flags={name: box.isChecked() for name, box in self._flag_boxes.items()},
        )

    def prefill(self, choice: LabelChoice | None) -> None:
        """Show an existing shape's values (or clear the fields)."""
        choice = choice or LabelChoice("")
        self.edit.setText(choice.label)
        self.edit.selectAll()
        self.group_edit.setText("" if choice.group_id is None else str(choice.group_id))
        self.description.setPlainText(choice.description or "")
        extra = [k for k in choice.flags if k not in self._flag_boxes]
        if extra:
            self.set_flag_names([*self._flag_boxes, *extra])
        for name, box in self._flag_boxes.items():
            box.setChecked(bool(choice.flags.get(name, False)))
        self._validate()

    def ask(self, choice: LabelChoice | None = None) -> LabelChoice | None:
        """Show the dialog modally; the choice, or None when cancelled."""
        self.prefill(choice)
        self.edit.setFocus()
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.choice()
