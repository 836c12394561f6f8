"""The user interface's language: Qt translators for the system locale or the one chosen in
View > Language (it applies at the next start).

Translations are ``segstudio/resources/i18n/<part>_<locale>.qm`` (one per part of the interface) (compiled with ``pyside6-lrelease``
from the ``.ts`` files ``pyside6-lupdate`` writes), read from the installed package; Qt's own
strings (standard buttons, file dialogs) come from Qt's ``qtbase_<locale>.qm`` when the Qt
installation has it.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

SETTING = "language"  # "" follows the system locale
_LOADED: list[bytes] = []  # QTranslator.load(data) does not copy its data: it must outlive the translators
LANGUAGES: dict[str, str] = {"": "System", "en": "English", "zh_CN": "简体中文"}


def _translation_data(locale: str) -> list[bytes]:
    """The compiled translations of the application for ``locale`` (e.g. ``zh_CN``), if shipped:
    one ``<part>_<locale>.qm`` per part of the interface (window, dialogs, features ...)."""
    folder = resources.files("segstudio") / "resources" / "i18n"
    for name in (locale, locale.split("_")[0]):
        found = [node.read_bytes() for node in sorted(folder.iterdir(), key=lambda n: n.name)
                 if node.is_file() and node.name.endswith(f"_{name}.qm")] if folder.is_dir() else []
        if found:
            return found
    return []


def notice_text(notice) -> str:
    """A :class:`segcore.messages.Notice` in the user's language."""
    return QCoreApplication.translate(notice.context, notice.template).format(**notice.values)


def resolve_locale(language: str) -> str:
    """The locale name to use: ``language`` when set, else the system's (``zh_CN``, ``en_US``...)."""
    return language or QLocale.system().name()


def install_translators(app: QCoreApplication, language: str = "") -> list[QTranslator]:
    """Install the application's and Qt's translators for ``language`` ("" = the system locale).

    Returns the installed translators (keep them alive as long as the application runs); none
    when the language is English or nothing is shipped for it.
    """
    locale = resolve_locale(language)
    if locale.startswith("en") or locale == "C":
        return []
    installed: list[QTranslator] = []
    qt = QTranslator(app)
    if qt.load(QLocale(locale), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    for data in _translation_data(locale):
        own = QTranslator(app)
        if own.load(data):
            _LOADED.append(data)
            own.setProperty("segstudio_locale", locale)
            app.installTranslator(own)
            installed.append(own)
    return installed


class LanguageMenu:
    """View > Language: one checkable entry per language; the choice is saved and applies at the
    next start."""

    def __init__(self, parent: QWidget, menu: QMenu, settings) -> None:
        self.parent, self.settings = parent, settings
        self.menu = menu.addMenu(QCoreApplication.translate("LanguageMenu", "&Language"))
        self.menu.setObjectName("menu_language")
        group = QActionGroup(self.menu)
        current = str(settings.value(SETTING, "") or "")
        for code, name in LANGUAGES.items():
            text = QCoreApplication.translate("LanguageMenu", "System") if code == "" else name
            act = QAction(text, self.menu)
            act.setObjectName(f"action_language_{code or 'system'}")
            act.setCheckable(True)
            act.setChecked(code == current)
            act.triggered.connect(lambda _c=False, c=code: self.choose(c))
            group.addAction(act)
            self.menu.addAction(act)

    def choose(self, code: str) -> None:
        """Save ``code`` as the language and say that it applies at the next start."""
        if code == str(self.settings.value(SETTING, "") or ""):
            return
        self.settings.set_value(SETTING, code)
        QMessageBox.information(
            self.parent, QCoreApplication.translate("LanguageMenu", "Language"),
            QCoreApplication.translate("LanguageMenu", "The new language applies the next time SegStudio starts."))
