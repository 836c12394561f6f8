"""Interactive segmentation on the CPU, no model weights: box to polygon (GrabCut), intelligent
scissors, magic wand, brush/eraser and polygon operations, and the rule of which parts of a result are kept
(:mod:`segcore.interactive.cleanup`).

Pure numpy/OpenCV/shapely (no Qt). Every tool works on a region of interest around the
user's gesture, so its cost does not grow with the image size; results are
:class:`RegionMask` crops or shapely geometry that :mod:`segcore.data.polygons` turns into shapes.
"""

from segcore.interactive.cleanup import DEFAULT_MIN_AREA, drop_small_components, drop_small_parts
from segcore.interactive.editing import (
    brush,
    brush_shapes,
    merge,
    region_shapes,
    simplify,
    stroke_geometry,
    subtract,
)
from segcore.interactive.grabcut import GrabCutSession, grabcut_box, grabcut_region
from segcore.interactive.region import RegionMask
from segcore.interactive.scissors import IntelligentScissors, scissors_polygon
from segcore.interactive.wand import magic_wand, magic_wand_region

__all__ = [
    "DEFAULT_MIN_AREA",
    "GrabCutSession",
    "RegionMask",
    "IntelligentScissors",
    "brush",
    "brush_shapes",
    "drop_small_components",
    "drop_small_parts",
    "grabcut_box",
    "grabcut_region",
    "magic_wand",
    "magic_wand_region",
    "merge",
    "region_shapes",
    "scissors_polygon",
    "simplify",
    "stroke_geometry",
    "subtract",
]
