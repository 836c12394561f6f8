"""Plug-ins of the main window: each module in :data:`FEATURES` has ``install(window)`` that
adds its menu actions (``window.add_action(ActionSpec(...), handler)``: they join the action
table :data:`segstudio.actions.ACTIONS`, so Help > Shortcuts and the duplicate-shortcut check see
them) and docks. MainWindow calls them in
order at start-up; a feature that fails to install is reported in the status bar and skipped.

A toolbar or dock a feature adds needs a stable ``objectName`` (the window remembers where the
user put it); the window restores its stored layout after every feature is installed.

To add one: write ``segstudio/features/<name>.py`` with ``def install(window) -> None`` and add one
line below.
"""

from __future__ import annotations

from types import ModuleType

from segstudio.features import ai_feature, export_feature, model_feature, smart_tools_feature, train_feature

FEATURES: list[ModuleType] = [
    smart_tools_feature,
    ai_feature,
    model_feature,
    export_feature,
    train_feature,
]
