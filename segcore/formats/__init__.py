"""Dataset writers (VOC, COCO) and readers back into LabelMe JSON (:mod:`segcore.formats.importers`)."""
