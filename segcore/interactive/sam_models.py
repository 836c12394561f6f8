"""Promptable models by name: ``load_model("efficientsam:10m")``.

The osam-backed SAM models (:mod:`segcore.interactive.sam_osam`) are known whenever osam is
installed; :func:`register_model` adds others (a test's tiny model, a model of one's own).
"""

from __future__ import annotations

from collections.abc import Callable

from segcore.interactive import sam_osam
from segcore.interactive.promptable import ModelError, PromptableModel

_MODELS: dict[str, Callable[[], PromptableModel]] = {}


def register_model(name: str, factory: Callable[[], PromptableModel]) -> None:
    """Make ``load_model(name)`` call ``factory()``."""
    _MODELS[name] = factory


def unregister_model(name: str) -> None:
    """Forget a model added with :func:`register_model`."""
    _MODELS.pop(name, None)


def registered_models() -> list[str]:
    """The names :func:`load_model` knows: osam's (when installed), then the registered ones."""
    osam_names = list(sam_osam.MODELS) if sam_osam.available() else []
    return osam_names + [n for n in _MODELS if n not in osam_names]


def load_model(name: str) -> PromptableModel:
    """The model called ``name``; ``ModelError`` (``sam_osam.WeightsMissing`` when only its
    weights are missing) with a message naming it otherwise."""
    factory = _MODELS.get(name)
    if factory is not None:
        return factory()
    _check_osam_name(name)
    return sam_osam.OsamModel(name)


def _check_osam_name(name: str) -> None:
    """``ModelError`` listing the known models unless ``name`` looks like an osam model (``kind:size``)."""
    if name not in sam_osam.MODELS and ":" not in name:
        known = ", ".join(registered_models()) or "none (install osam: pip install 'segstudio[sam]')"
        raise ModelError(f"unknown promptable model {name!r}; known: {known}")


def needed_files(name: str):
    """The weight files model ``name`` still needs (none for a registered model)."""
    if name in _MODELS:
        return []
    _check_osam_name(name)
    return sam_osam.missing_files(name)
