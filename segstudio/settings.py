"""Persistent user settings (QSettings): last folder, window layout, autosave, keep-previous.

One small typed wrapper so the rest of the app never spells a settings key twice.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "SegStudio"
APPLICATION = "SegStudio"


def _as_bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")


def _as_str_list(value: object) -> list[str] | None:
    """A list of strings as QSettings gives it back (None, one string, or a list)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return None


class Settings:
    """Typed access to the application's QSettings.

    ``path`` lets tests (and ``--settings``) use an INI file instead of the user's store.
    """

    def __init__(self, path: str | None = None) -> None:
        if path:
            self._q = QSettings(path, QSettings.Format.IniFormat)
        else:
            self._q = QSettings(ORGANIZATION, APPLICATION)

    # generic ---------------------------------------------------------------
    def value(self, key: str, default: object = None) -> object:
        """The raw stored value of ``key`` (or ``default``)."""
        return self._q.value(key, default)

    def set_value(self, key: str, value: object) -> None:
        """Store ``value`` under ``key``."""
        self._q.setValue(key, value)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._q.sync()

    # typed -----------------------------------------------------------------
    @property
    def last_path(self) -> str:
        """The last opened file or folder ("" when none)."""
        return str(self._q.value("last_path", "") or "")

    @last_path.setter
    def last_path(self, value: str) -> None:
        self._q.setValue("last_path", str(value))

    @property
    def autosave(self) -> bool:
        """Save after every edit (on by default, as in recent LabelMe)."""
        return _as_bool(self._q.value("autosave"), True)

    @autosave.setter
    def autosave(self, value: bool) -> None:
        self._q.setValue("autosave", bool(value))

    @property
    def keep_previous(self) -> bool:
        """Copy the previous image's shapes onto an image that has none."""
        return _as_bool(self._q.value("keep_previous"), False)

    @keep_previous.setter
    def keep_previous(self, value: bool) -> None:
        self._q.setValue("keep_previous", bool(value))

    @property
    def labels_file(self) -> str:
        """An optional labels.txt restricting the label dialog ("" when none)."""
        return str(self._q.value("labels_file", "") or "")

    @labels_file.setter
    def labels_file(self, value: str) -> None:
        self._q.setValue("labels_file", str(value))

    @property
    def recent_paths(self) -> list[str]:
        """Recently opened files and folders, most recent first (File > Open Recent)."""
        return _as_str_list(self._q.value("recent_paths")) or []

    @recent_paths.setter
    def recent_paths(self, value: list[str]) -> None:
        self._q.setValue("recent_paths", [str(v) for v in value])

    def geometry(self) -> QByteArray | None:
        """The saved window geometry, if any."""
        v = self._q.value("window/geometry")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    def state(self) -> QByteArray | None:
        """The saved dock/toolbar state, if any."""
        v = self._q.value("window/state")
        return v if isinstance(v, QByteArray) and not v.isEmpty() else None

    def layout_names(self) -> list[str] | None:
        """Object names of the toolbars and docks the saved state knows (None: not recorded)."""
        return _as_str_list(self._q.value("window/names"))

    def save_layout(self, geometry: QByteArray, state: QByteArray, names: list[str] | None = None) -> None:
        """Remember the window geometry and dock/toolbar state (and the toolbars and docks it knows)."""
        self._q.setValue("window/geometry", geometry)
        self._q.setValue("window/state", state)
        if names is not None:
            self._q.setValue("window/names", list(names))
