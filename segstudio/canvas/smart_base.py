"""Shared parts of the smart tools (box to polygon, scissors, magic wand, brush/eraser).

- :data:`OPTIONS`: the settings the toolbar controls edit (wand tolerance and connectivity,
  brush radius, polygon tolerance, smallest part kept); tools read them when they run.
- :func:`tool_image`: the pixels the tools work on and their scale. The canvas may hold a
  reduced copy of a huge image; the tools then work on that copy and scale results back, so
  a tool's cost stays bounded (GrabCut and scissors also work on a window only).
- :class:`SmartTool`: a :class:`Tool` with a geometry preview (filled, dashed outline) and
  :meth:`SmartTool.commit_new` / :meth:`SmartTool.commit_replace`, each one undoable command.
  A tool's commit is wrapped in :func:`ends_drawing`: its preview stays painted while the label
  dialog asks the label (as a drawn polygon's outline does), and goes once the commit is done.
All the image work is done by :mod:`segcore.interactive`; nothing is computed here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem
from shapely import affinity
from shapely.geometry.base import BaseGeometry

from segcore.interactive import DEFAULT_MIN_AREA, RegionMask
from segcore.io.annotation import Shape

from .. import undo_commands as cmd
from .tools import Tool


@dataclass
class SmartOptions:
    """Settings shared by the smart tools (edited by the Smart tools toolbar)."""

    tolerance: int = 24  # magic wand: max per-channel difference from the clicked colour
    connectivity: int = 8  # magic wand: 4 or 8
    radius: float = 8.0  # brush/eraser radius in image pixels
    polygon_tolerance: float = 1.0  # outline simplification of tool results (pixels)
    simplify_tolerance: float = 2.0  # the Simplify action
    min_area: float = DEFAULT_MIN_AREA  # parts of a tool result below this many square pixels are dropped


OPTIONS = SmartOptions()


def tool_image(canvas) -> tuple[np.ndarray | None, float]:
    """``(rgb, scale)``: the finest pixels the canvas holds and held/full-resolution scale."""
    layer = canvas.image_layer
    if layer.is_empty():
        return None, 1.0
    return layer.levels[0], float(layer.base_scale)


def to_full(geom: BaseGeometry, scale: float) -> BaseGeometry:
    """Geometry from held-image pixels to full-resolution image pixels."""
    if scale == 1.0 or geom.is_empty:
        return geom
    return affinity.scale(geom, 1 / scale, 1 / scale, origin=(0, 0))


def geometry_path(geom: BaseGeometry) -> QPainterPath:
    """A painter path of polygons with holes (odd-even fill)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or not hasattr(poly, "exterior"):
            continue
        for ring in (poly.exterior, *poly.interiors):
            path.addPolygon(QPolygonF([QPointF(x, y) for x, y in ring.coords]))
            path.closeSubpath()
    return path


def points_path(points, closed: bool = False) -> QPainterPath:
    """A polyline through ``points`` ((x, y) pairs)."""
    path = QPainterPath()
    pts = [QPointF(float(x), float(y)) for x, y in points]
    if pts:
        path.addPolygon(QPolygonF(pts))
        if closed:
            path.closeSubpath()
    return path


def ends_drawing(commit: Callable) -> Callable:
    """Wrap a smart tool's commit: the preview stays while it runs (the label dialog shows
    beside the painted region), and the tool is reset when it returns or fails."""

    @functools.wraps(commit)
    def run(self, *args, **kwargs):
        try:
            return commit(self, *args, **kwargs)
        finally:
            self.cancel()

    return run


class SmartTool(Tool):
    """Base of the smart tools: one preview item for a geometry, one for a line."""

    cursor = Qt.CursorShape.CrossCursor
    creates_shapes = True

    def __init__(self, canvas):
        super().__init__(canvas)
        self._area_item: QGraphicsPathItem | None = None
        self._line_item: QGraphicsPathItem | None = None
        self._mask_item: QGraphicsPixmapItem | None = None
        self.preview_geometry: BaseGeometry | None = None

    def cancel(self) -> None:
        self._area_item = self._line_item = self._mask_item = None
        self.preview_geometry = None
        super().cancel()

    def show_area(self, geom: BaseGeometry | None) -> None:
        """Preview ``geom`` (image pixels) as a translucent fill with a dashed outline."""
        self.preview_geometry = geom
        if self._area_item is None:
            self._area_item = QGraphicsPathItem()
            pen = QPen(QColor(255, 220, 0))
            pen.setCosmetic(True)
            pen.setWidthF(2.0)
            pen.setStyle(Qt.PenStyle.DashLine)
            self._area_item.setPen(pen)
            self._area_item.setBrush(QBrush(QColor(255, 220, 0, 70)))
            self.add_preview(self._area_item)
        self._area_item.setPath(geometry_path(geom) if geom is not None else QPainterPath())

    def show_mask(self, region: RegionMask | None, scale: float = 1.0) -> None:
        """Preview a region mask (held-image pixels) as a translucent overlay: no tracing, so
        even a huge region previews in the time its fill took."""
        if self._mask_item is None:
            self._mask_item = QGraphicsPixmapItem()
            self.add_preview(self._mask_item)
        if region is None or not region.mask.any():
            self._mask_item.setPixmap(QPixmap())
            return
        h, w = region.mask.shape
        rgba = np.zeros((h, w, 4), np.uint8)
        rgba[region.mask] = (255, 220, 0, 110)
        image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        self._mask_item.setPixmap(QPixmap.fromImage(image))
        self._mask_item.setScale(1.0 / scale)
        self._mask_item.setPos(region.x0 / scale, region.y0 / scale)

    def show_line(self, path: QPainterPath) -> None:
        """Preview a line (box outline, scissors path, brush stroke)."""
        if self._line_item is None:
            self._line_item = QGraphicsPathItem()
            pen = QPen(QColor(0, 255, 0))
            pen.setCosmetic(True)
            pen.setWidthF(2.0)
            self._line_item.setPen(pen)
            self.add_preview(self._line_item)
        self._line_item.setPath(path)

    # ------------------------------------------------------------------ committing
    def commit_new(self, shapes: list[Shape], text: str) -> list[int]:
        """Ask the label once (canvas label provider), add all ``shapes`` in one command."""
        canvas, doc = self.canvas, self.canvas.document
        if doc is None or not shapes:
            return []
        first = shapes[0]
        if canvas.label_provider is not None:
            labelled = canvas.label_provider(first)
            if labelled is None:
                return []
            first = labelled
        elif not first.label:
            first.label = canvas.default_label
        for s in shapes:
            s.label, s.group_id = first.label, first.group_id
            s.description, s.flags = first.description, dict(first.flags)
        doc.push(cmd.AddShapes(doc, shapes, text=text))
        indices = [doc.index_of(s) for s in shapes]
        doc.set_selection(indices)
        for i in indices:
            canvas.shapeCreated.emit(i)
        return indices

    def commit_replace(self, indices: list[int], shapes: list[Shape], text: str) -> None:
        """Replace the shapes at ``indices`` by ``shapes`` in one command (may be none: erased)."""
        doc = self.canvas.document
        if doc is not None and indices:
            doc.push(cmd.ReplaceShapes(doc, indices, shapes, text=text))
