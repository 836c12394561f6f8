"""Where an importer may write: only inside the images folder it was given.

Every importer asks :func:`image_in_folder` for an image named by its source (a COCO
``file_name``, a file found in a folder) and :func:`label_file_in_folder` for the label file it
is about to write. A name that climbs out (``../other/x.png``), an absolute path elsewhere, a
link (to a file or through a folder) that leads elsewhere, and a label file that is a link to a
file elsewhere are refused with :class:`UnsafePath`, whose message names the path.
"""

from __future__ import annotations

import os
from pathlib import Path

from segcore.io.annotation import json_path_for
from segcore.io.imageio import IMAGE_EXTENSIONS


class UnsafePath(ValueError):
    """A path an importer must not use: it lies (or leads) outside the images folder."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def image_in_folder(folder: str | os.PathLike, name: object) -> Path:
    """The image ``name`` (relative to ``folder``) as a path under ``folder``. Raises
    :class:`UnsafePath` when ``name`` is not a usable image file name or it lies outside
    ``folder``, by its spelling or by following links."""
    if not isinstance(name, str) or not name.strip():
        raise UnsafePath(f"the file name must be a non-empty string, got {name!r:.80}")
    if "\x00" in name:
        raise UnsafePath(f"the file name {name!r:.80} holds a NUL character")
    if Path(name).suffix.lower() not in IMAGE_EXTENSIONS:
        raise UnsafePath(f"{name!r:.120} is not an image file name (known: {', '.join(sorted(IMAGE_EXTENSIONS))})")
    root = Path(folder)
    real_root = root.resolve()
    lexical = Path(os.path.normpath(root.absolute() / name))
    if not _inside(lexical, Path(os.path.normpath(root.absolute()))):
        raise UnsafePath(f"{name!r:.120} lies outside the images folder {root}")
    real = lexical.resolve()
    if not _inside(real, real_root):
        raise UnsafePath(f"{name!r:.120} leads outside the images folder {root} (to {real})")
    return root / lexical.relative_to(Path(os.path.normpath(root.absolute())))


def label_file_in_folder(folder: str | os.PathLike, image: Path) -> Path:
    """The LabelMe file to write for ``image`` (same folder, same stem). Raises
    :class:`UnsafePath` when writing it would change a file outside ``folder`` (a link)."""
    jp = json_path_for(image)
    real = Path(os.path.realpath(jp))
    if not _inside(real, Path(folder).resolve()):
        raise UnsafePath(f"its label file {jp.name} leads outside the images folder {folder} (to {real})")
    return jp


def checked_target(folder: str | os.PathLike, image: Path) -> tuple[Path, Path]:
    """``(image, label file)`` for an image found under ``folder``, both checked to stay
    inside it (:func:`image_in_folder`, :func:`label_file_in_folder`)."""
    root = Path(folder)
    try:
        rel = Path(os.path.normpath(image.absolute())).relative_to(Path(os.path.normpath(root.absolute())))
    except ValueError:
        raise UnsafePath(f"{image} lies outside the images folder {root}") from None
    image = image_in_folder(root, rel.as_posix())
    return image, label_file_in_folder(root, image)
