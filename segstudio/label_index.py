"""The labels used across an opened folder, collected in the background so the label list
knows them and shows the class ids the VOC export will use (``ClassList.collect`` order).
Colours do not come from here: they depend on the label's name (see :mod:`segstudio.label_colours`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable

from segcore.data.rasterize import ClassList
from segcore.progress import CancelToken, ProgressCallback, check_cancel, report


def folder_labels(json_paths: Iterable[str | os.PathLike], *, progress: ProgressCallback | None = None,
                  cancel: CancelToken | None = None) -> list[str]:
    """Class names (background first, natural order) of the labels in these LabelMe files;
    unreadable files are skipped (the dataset checker reports them)."""
    paths = list(json_paths)
    labels: set[str] = set()
    for k, p in enumerate(paths):
        check_cancel(cancel)
        try:
            with open(p, encoding="utf-8") as f:
                data = json.load(f)
            labels.update(s["label"] for s in data.get("shapes") or [] if isinstance(s.get("label"), str))
        except (OSError, ValueError, AttributeError, TypeError, KeyError):
            pass
        if k % 200 == 0:
            report(progress, k, len(paths), "")
    return ClassList.collect(labels).names
