"""The exporters by format name, for the command line and the GUI alike. Each takes
``(root, out, *, classes, val_ratio, seed, split_from_flags, overlays, overwrite, strict,
workers, progress, cancel)`` (see :func:`segcore.formats.voc.export_voc`); the masks exporter
also ``colour``."""

from __future__ import annotations

import importlib
from collections.abc import Callable

EXPORTERS = {"voc": "segcore.formats.voc:export_voc", "coco": "segcore.formats.coco:export_coco",
             "yolo": "segcore.formats.yolo:export_yolo", "masks": "segcore.formats.masks:export_masks"}
"""Format name -> ``module:function`` of its exporter (imported when asked for)."""


def exporter(fmt: str) -> Callable:
    """The export function of a format name (a key of :data:`EXPORTERS`)."""
    module, name = EXPORTERS[fmt].split(":")
    return getattr(importlib.import_module(module), name)
