"""The default configuration (``segstudio/resources/default_config.json``, read from the installed
package) merged with a user's file."""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication


def resource(*parts: str) -> Traversable:
    """A file shipped in the package's ``resources`` folder (works from a wheel as from the tree)."""
    node = resources.files("segstudio") / "resources"
    for part in parts:
        node = node / part
    return node


DEFAULT_CONFIG = resource("default_config.json")


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The defaults, overridden by the keys of ``path`` (a JSON object) when given.

    Raises ``ValueError`` naming the file when it is not a JSON object.
    """
    config: dict[str, Any] = json.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    if path is not None:
        p = Path(path)
        try:
            user = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(QCoreApplication.translate("Config", "{file}: cannot read the configuration ({error})")
                             .format(file=p, error=exc)) from None
        if not isinstance(user, dict):
            raise ValueError(QCoreApplication.translate("Config", "{file}: the configuration must be a JSON object")
                             .format(file=p))
        config.update(user)
    return config
