"""From a promptable model's mask to shapes, and boxes to polygons for a whole annotation.

:func:`region_shapes_scaled` is the one rule for turning a prompt's result into shapes (the
AI tool's commit and the ``sam`` command both use it): polygons simplified with the smart
tools' tolerance, parts below ``min_area`` dropped (the largest stays), a part with holes
becomes a ``mask`` shape; or, with ``as_mask``, one ``mask`` shape of the pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from shapely import affinity

from segcore.data.polygons import geometry_to_shapes, mask_shape
from segcore.interactive.promptable import Embedding, PromptableModel, prompt_region
from segcore.interactive.region import RegionMask
from segcore.io.annotation import Annotation, Shape


def region_shapes_scaled(region: RegionMask, label: str, *, scale: float = 1.0, as_mask: bool = False,
                         tolerance: float = 1.0, min_area: float = 0.0, group_id: int | None = None) -> list[Shape]:
    """Shapes in full-resolution pixels for ``region`` found on an image ``scale`` times the full
    size (``min_area`` in full-resolution square pixels). Empty list for an empty region."""
    if region.area() == 0:
        return []
    region = region.without_small_components(min_area * scale * scale, keep_largest=True)
    if as_mask:
        crop, x0, y0 = region.mask, region.x0, region.y0
        if scale != 1.0:
            h, w = crop.shape
            size = (max(1, round(w / scale)), max(1, round(h / scale)))
            crop = cv2.resize(crop.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
            x0, y0 = round(x0 / scale), round(y0 / scale)
        return [mask_shape(crop, x0, y0, label, group_id=group_id)]
    geom = region.geometry(tolerance=tolerance * scale, min_area=min_area * scale * scale, keep_largest=True)
    if scale != 1.0 and not geom.is_empty:
        geom = affinity.scale(geom, 1 / scale, 1 / scale, origin=(0, 0))
    return geometry_to_shapes(geom, label, group_id=group_id)


def box_of(shape: Shape) -> tuple[float, float, float, float]:
    """A rectangle shape's ``(x0, y0, x1, y1)`` whichever corners it was drawn from."""
    (ax, ay), (bx, by) = shape.points[0], shape.points[-1]
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


@dataclass
class BoxesResult:
    """What :func:`boxes_to_shapes` did to one annotation."""

    annotation: Annotation
    boxes: int = 0  # rectangles prompted
    converted: int = 0  # rectangles that gave at least one shape
    shapes: int = 0  # shapes made
    empty: list[str] = field(default_factory=list)  # "label (x0, y0, x1, y1)" of boxes that gave nothing


def boxes_to_shapes(model: PromptableModel, embedding: Embedding, annotation: Annotation, *,
                    replace: bool = False, as_mask: bool = False, tolerance: float = 1.0,
                    min_area: float = 0.0) -> BoxesResult:
    """Prompt ``model`` with each rectangle of ``annotation`` (its image encoded as ``embedding``):
    each result's shapes (label, group, description and flags of the box) follow their box, which
    stays unless ``replace``. A box that gives nothing always stays. Returns a new annotation."""
    out = annotation.copy()
    result = BoxesResult(out)
    scale = embedding.width / annotation.image_width if annotation.image_width else 1.0
    shapes: list[Shape] = []
    for s in out.shapes:
        if s.shape_type != "rectangle" or len(s.points) < 2:
            shapes.append(s)
            continue
        result.boxes += 1
        box = box_of(s)
        made: list[Shape] = []
        held = tuple(v * scale for v in box)
        if held[2] - held[0] >= 1 and held[3] - held[1] >= 1:
            region, _score = prompt_region(model, embedding, box=held)
            made = region_shapes_scaled(region, s.label, scale=scale, as_mask=as_mask, tolerance=tolerance,
                                        min_area=min_area, group_id=s.group_id)
        for m in made:
            m.description, m.flags = s.description, dict(s.flags)
        if made:
            result.converted += 1
            result.shapes += len(made)
        else:
            result.empty.append(f"{s.label} ({', '.join(f'{v:g}' for v in box)})")
        if not replace or not made:
            shapes.append(s)
        shapes.extend(made)
    out.shapes = shapes
    return result
