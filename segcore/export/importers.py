"""Readers back into LabelMe JSON, written next to the images, never outside the images folder:
COCO instances (:mod:`segcore.export.import_coco`), VOC class/object PNGs and folders of
index-mask PNGs (:mod:`segcore.export.import_masks`). Each returns an
:class:`~segcore.export.import_common.ImportReport` saying how much of what was asked was
written; paths are checked by :mod:`segcore.export.import_paths`."""

from __future__ import annotations

from segcore.export.import_coco import import_coco
from segcore.export.import_common import ImportReport
from segcore.export.import_masks import VOC_CLASSES, import_index_masks, import_voc, label_map_shapes
from segcore.export.import_paths import UnsafePath

__all__ = ["VOC_CLASSES", "ImportReport", "UnsafePath", "import_coco", "import_index_masks", "import_voc",
           "label_map_shapes"]
