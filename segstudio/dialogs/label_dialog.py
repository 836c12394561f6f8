"""The label dialog LabelMe users know: label text with completion, the label list, group id
(digits only), description and per-shape flags. An optional labels file restricts the choice.

One Enter accepts, also while the completion list is open: the highlighted completion, else
the typed text when it is a known label, else the first completion (Esc closes the list to
keep a new label that starts like a known one). The dialog opens near the mouse, beside the
shape being labelled rather than over it where the screen allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRegularExpression, QSize, QStringListModel, Qt
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent, QRegularExpressionValidator
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
    """The labels a labels.txt allows (``segcore.data.rasterize.ClassList`` rules; background left
    out). Raises ``OSError`` / ``ValueError`` naming the file."""
    from segcore.data.rasterize import BACKGROUND_LABEL, ClassList

    return [n for n in ClassList.from_file(path).names if n != BACKGROUND_LABEL]


_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def placement(size: QSize, cursor: QPoint, keep_clear: QRect | None, screen: QRect, margin: int = 12) -> QPoint:
    """Top-left of a dialog of ``size``: just below-right of ``cursor`` when that leaves
    ``keep_clear`` (the shape being labelled, screen pixels) uncovered, else the spot beside,
    below or above it that covers least of it, nearest the cursor; always inside ``screen``."""
    w, h = size.width(), size.height()

    def inside(p: QPoint) -> QPoint:
        x = min(max(p.x(), screen.left()), max(screen.left(), screen.right() - w + 1))
        y = min(max(p.y(), screen.top()), max(screen.top(), screen.bottom() - h + 1))
        return QPoint(x, y)

    at_cursor = inside(QPoint(cursor.x() + margin, cursor.y() + margin))
    if keep_clear is None or not keep_clear.isValid() or not QRect(at_cursor, size).intersects(keep_clear):
        return at_cursor
    k = keep_clear
    candidates = [at_cursor,
                  QPoint(k.right() + margin, cursor.y() - h // 2),  # right of the shape
                  QPoint(k.left() - margin - w, cursor.y() - h // 2),  # left
                  QPoint(cursor.x() - w // 2, k.bottom() + margin),  # below
                  QPoint(cursor.x() - w // 2, k.top() - margin - h)]  # above

    def cost(p: QPoint) -> tuple[int, int]:
        covered = QRect(p, size).intersected(k)
        area = covered.width() * covered.height() if covered.isValid() else 0
        return area, (QRect(p, size).center() - cursor).manhattanLength()

    return min(map(inside, candidates), key=cost)


class LabelDialog(QDialog):
    """Ask for a label. ``restrict_to`` (from a labels file) limits the accepted labels."""

    def __init__(self, parent: QWidget | None = None, *, known_labels: list[str] | None = None,
                 restrict_to: list[str] | None = None, flag_names: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Label"))
        self._restrict = list(restrict_to) if restrict_to else None
        self._labels: list[str] = []

        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(self.tr("Enter object label"))
        self.group_edit = QLineEdit(self)
        self.group_edit.setPlaceholderText(self.tr("Group ID"))
        self.group_edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d*"), self))
        self.group_edit.setMaximumWidth(90)
        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText(self.tr("Label description"))
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
        completer.popup().installEventFilter(self)  # runs before the completer's own filter
        self._keep_clear: QRect | None = None
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

    def follow(self, labels) -> None:
        """Offer the labels of ``labels`` (an :class:`segstudio.label_set.LabelSet`) in class-id order,
        restricted as it says, now and after each of its changes."""

        def update() -> None:
            self.set_restriction(labels.restriction)
            self.set_labels(sorted(labels.names(), key=labels.colours.index_of))  # the label list's order

        labels.changed.connect(update)
        labels.colours.changed.connect(update)
        update()

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
            return self.tr("The label must not be empty.")
        if self._restrict is not None and text not in self._restrict:
            return self.tr("'{label}' is not in the labels file.").format(label=text)
        return None

    def _validate(self) -> None:
        problem = self.problem()
        self.error.setText(problem if problem and self.edit.text().strip() else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the open completion list takes a completion and accepts at once."""
        popup = self.edit.completer().popup()
        if (watched is popup and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in _ENTER_KEYS and popup.isVisible()):
            label = self._completion()
            popup.hide()
            if label is not None:
                self.edit.setText(label)
            self.accept()
            return True
        return super().eventFilter(watched, event)

    def _completion(self) -> str | None:
        """What Enter in the completion list means: the highlighted row, else the typed text when
        it is a known label, else the first completion."""
        completer = self.edit.completer()
        current = completer.popup().currentIndex()
        if current.isValid():
            return str(current.data())
        text = self.edit.text().strip()
        if text in self._labels:
            return text
        model = completer.completionModel()
        return str(model.index(0, 0).data()) if model.rowCount() else None

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

    def keep_clear(self, rect: QRect | None) -> None:
        """Screen rectangle the next :meth:`ask` should not cover (the shape being labelled)."""
        self._keep_clear = rect

    def _place(self) -> None:
        self.adjustSize()
        cursor = QCursor.pos()
        screen = QGuiApplication.screenAt(cursor) or self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        self.move(placement(self.frameGeometry().size(), cursor, self._keep_clear, screen.availableGeometry()))

    def ask(self, choice: LabelChoice | None = None) -> LabelChoice | None:
        """Show the dialog modally near the mouse; the choice, or None when cancelled."""
        self.prefill(choice)
        self._place()
        self.edit.setFocus()
        if self.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.choice()
