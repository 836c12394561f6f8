"""Readers back into LabelMe JSON, written next to the images, never outside the images folder:
COCO instances (:mod:`segcore.formats.import_coco`), VOC class/object PNGs and folders of
index-mask PNGs (:mod:`segcore.formats.import_masks`), YOLO datasets
(:mod:`segcore.formats.import_yolo`) and CVAT for images XML (:mod:`segcore.formats.import_cvat`). Each returns an
:class:`~segcore.formats.import_common.ImportReport` saying how much of what was asked was
written; paths are checked by :mod:`segcore.formats.import_paths`."""

from __future__ import annotations

from segcore.formats.import_coco import import_coco
from segcore.formats.import_common import ImportReport
from segcore.formats.import_cvat import import_cvat
from segcore.formats.import_masks import VOC_CLASSES, import_index_masks, import_voc, label_map_shapes
from segcore.formats.import_paths import UnsafePath
from segcore.formats.import_yolo import import_yolo

__all__ = ["VOC_CLASSES", "ImportReport", "UnsafePath", "import_coco", "import_cvat", "import_index_masks", "import_voc",
           "import_yolo",
           "label_map_shapes"]
