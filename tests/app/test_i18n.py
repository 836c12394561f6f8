"""The translation machinery: a compiled translation from the package resources is installed for
the chosen locale, English installs none, and View > Language saves the choice for the next start."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from segstudio import i18n
from tests.app.gui_helpers import open_window

pytestmark = pytest.mark.gui

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
</context>
</TS>
"""


def _lrelease() -> str:
    found = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    if not Path(found).exists():
        pytest.skip("pyside6-lrelease is not installed")
    return found


@pytest.fixture
def zh_qm(tmp_path, monkeypatch) -> bytes:
    """A compiled zh_CN translation served as if it were shipped in the package."""
    ts, qm = tmp_path / "segstudio_zh_CN.ts", tmp_path / "segstudio_zh_CN.qm"
    ts.write_text(TS, encoding="utf-8")
    subprocess.run([_lrelease(), str(ts), "-qm", str(qm)], check=True, capture_output=True, timeout=60)
    data = qm.read_bytes()
    monkeypatch.setattr(i18n, "_translation_data", lambda locale: [data] if locale == "zh_CN" else [])
    return data


def test_chosen_locale_translates(qapp, zh_qm):
    translators = i18n.install_translators(qapp, "zh_CN")
    try:
        assert QCoreApplication.translate("LanguageMenu", "&Language") == "语言(&L)"
    finally:
        for t in translators:
            qapp.removeTranslator(t)
    assert QCoreApplication.translate("LanguageMenu", "&Language") == "&Language"


def test_english_installs_no_translator(qapp, zh_qm):
    assert i18n.install_translators(qapp, "en") == []


def test_system_locale_is_followed(qapp, zh_qm, monkeypatch):
    from PySide6.QtCore import QLocale

    monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: QLocale("zh_CN")))
    translators = i18n.install_translators(qapp, "")
    try:
        assert QCoreApplication.translate("LanguageMenu", "&Language") == "语言(&L)"
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def test_missing_translation_leaves_english(qapp, monkeypatch):
    monkeypatch.setattr(i18n, "_translation_data", lambda locale: [])
    for t in i18n.install_translators(qapp, "fr_FR"):
        qapp.removeTranslator(t)
    assert QCoreApplication.translate("LanguageMenu", "&Language") == "&Language"


def test_view_language_saves_the_choice(qtbot, tmp_path, monkeypatch):
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    window = open_window(qtbot, tmp_path)
    menu = window.language_menu.menu
    assert menu.menuAction() in window.menus["view"].actions()
    entries = {a.objectName(): a for a in menu.actions()}
    assert entries["action_language_system"].isChecked()
    entries["action_language_zh_CN"].trigger()
    assert window.settings.value(i18n.SETTING) == "zh_CN"
    assert entries["action_language_zh_CN"].isChecked() and not entries["action_language_system"].isChecked()
    assert told and "next time" in told[0]
