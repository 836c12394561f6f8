"""The shape layer: one item that paints every plain shape in a few batched calls, and the
spatial index the tools query.

Thousands of per-shape ``QGraphicsItem``s cannot be painted in 16 ms from Python (each item
costs a Python ``paint`` call plus its own stroke), so unselected polylines (polygon,
rectangle, line, linestrip, oriented rectangle) and points are drawn here instead: the image is cut into
at most about 12x12 cells, each cell keeps one ``QPainterPath`` per (colour, proposed, selected) built in
C++ from numpy, and a frame draws only the cells it exposes with a cosmetic pen: 2 pixels
wide (as LabelMe) when the exposed cells hold few vertices, 1 pixel for dense views.
Zoomed out, cells use decimated outlines (level of detail: segments of about a screen
pixel). An edit only rebuilds the cells the shape was and is in.

Selected shapes, circles and mask shapes are drawn by their own ``ShapeItem`` (see
:mod:`segstudio.canvas.view`); a hovered shape gets an overlay item on top of its batched outline.

Every full frame is rendered offscreen and kept; while a zoom gesture is in progress
(``zooming``, set by the canvas for ``ZOOM_QUIET_MS`` after each zoom step) a frame the kept
one covers is that image scaled, so zooming in stays fast with any number of shapes; the canvas
repaints crisply when the zoom settles.

All shapes (drawn here or not) are in the spatial index: :meth:`ShapeLayer.query`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from segcore.io.annotation import Shape

from .geometry import bbox, canvas_kind, decimate, polyline, polylines_path
from .shape_item import POINT_PX

MAX_CELLS_PER_SIDE = 12
MIN_CELL = 512.0
MAX_LOD = 5
GLOBAL_ABOVE_CELLS = 16
ZOOM_SNAPSHOTS = True  # scale the last full frame while a zoom gesture is in progress
LOD_SEGMENT_PX = 4.0  # decimated outlines keep segments up to this long on screen
THICK_MAX_VERTICES = 2000  # 2-px outlines when the exposed cells hold at most this many


@dataclass
class _Entry:
    shape: Shape
    points_ref: object  # the shape's points list when the geometry was computed
    bbox: tuple[float, float, float, float]
    xy: np.ndarray | None  # outline polyline for batched types
    key: tuple  # (r, g, b, proposed, selected)
    cell: tuple[int, int]
    batched: bool = False


@dataclass
class _Cell:
    members: set[int] = field(default_factory=set)
    paths: dict[tuple, dict[tuple, QPainterPath]] = field(default_factory=dict)  # lod -> key -> path
    rect: QRectF | None = None  # union of the members' bboxes
    vertices: dict[int, int] = field(default_factory=dict)  # lod -> vertices in its paths
    points: dict[tuple, QPolygonF] = field(default_factory=dict)  # key -> point shapes


class ShapeLayer(QGraphicsItem):
    """Batched painter + spatial index of a document's shapes (``canvas.shape_layer``)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(-0.5)  # above overlays at -1 (e.g. the confidence map), below shape items
        self._entries: dict[int, _Entry] = {}
        self._cells: dict[tuple[int, int], _Cell] = {}
        self._cell_size = MIN_CELL
        self._bounds = QRectF(0, 0, 1, 1)
        self._seg = 4.0  # typical segment length (for level of detail)
        self._pens: dict[tuple, QPen] = {}
        self._global: dict[int, dict[tuple, QPainterPath]] = {}  # lod -> key -> all cells' paths
        self._bulk = False
        self.exposed_rects: list[QRectF] | None = None  # set by the canvas around each paint
        self.zooming = False  # set by the canvas during a zoom gesture
        self._snap: QImage | None = None  # the last full frame (viewport pixels, transparent)
        self._snap_inv = QTransform()
        self._snap_rect = QRectF()

    # ------------------------------------------------------------------ configuration
    def reset(self, image_size: tuple[int, int]) -> None:
        """Forget every shape; size the cells for an image of ``image_size`` (w, h)."""
        w, h = image_size
        self.prepareGeometryChange()
        self._cell_size = max(MIN_CELL, max(w, h) / MAX_CELLS_PER_SIDE)
        self._entries.clear()
        self._cells.clear()
        self._global.clear()
        self._snap = None
        self._bounds = QRectF(0, 0, max(w, 1), max(h, 1))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _grow_bounds(self, b: tuple[float, float, float, float]) -> None:
        r = QRectF(b[0] - 2, b[1] - 2, b[2] - b[0] + 4, b[3] - b[1] + 4)
        if not self._bounds.contains(r):
            self.prepareGeometryChange()
            self._bounds = self._bounds.united(r)

    # ------------------------------------------------------------------ shapes
    def set_shape(self, shape: Shape, colour: QColor, batched: bool, selected: bool = False) -> None:
        """Add or update ``shape`` (geometry, colour, whether this layer draws it, and whether
        it is drawn in the selected style: used for large selections)."""
        key = (colour.red(), colour.green(), colour.blue(), bool(shape.proposed), bool(selected))
        batched = batched and canvas_kind(shape).batched
        e = self._entries.get(id(shape))
        if e is not None and e.points_ref is shape.points:  # same geometry: restyle only
            if e.batched != batched or e.key != key:
                e.batched, e.key = batched, key
                self._dirty(e.cell)
            return
        if e is not None:
            self._detach(e, repaint=e.batched)
        b = bbox(shape)
        xy = polyline(shape) if canvas_kind(shape).batched else None
        cs = self._cell_size
        cell = (int(((b[0] + b[2]) / 2) // cs), int(((b[1] + b[3]) / 2) // cs))
        e = _Entry(shape, shape.points, b, xy, key, cell, batched)
        self._entries[id(shape)] = e
        c = self._cells.setdefault(cell, _Cell())
        c.members.add(id(shape))
        if c.rect is not None or len(c.members) == 1:  # grow the cached union (None: recomputed)
            x0, y0, x1, y1 = b
            if c.rect is not None:  # by hand: QRectF.united ignores zero-size rects (points)
                x0, y0 = min(x0, c.rect.left()), min(y0, c.rect.top())
                x1, y1 = max(x1, c.rect.right()), max(y1, c.rect.bottom())
            c.rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self._grow_bounds(b)
        if batched:  # a shape drawn by its own item (e.g. being dragged) leaves the paths alone
            self._dirty(cell)

    def set_batched(self, shape: Shape, batched: bool) -> None:
        e = self._entries.get(id(shape))
        if e is None:
            return
        batched = batched and canvas_kind(shape).batched
        if e.batched != batched:
            e.batched = batched
            self._dirty(e.cell)

    def remove_shape(self, shape: Shape) -> None:
        e = self._entries.pop(id(shape), None)
        if e is not None:
            self._detach(e)

    def _detach(self, e: _Entry, repaint: bool = True) -> None:
        c = self._cells.get(e.cell)
        if c is not None:
            if repaint:
                self._dirty(e.cell)
            c.members.discard(id(e.shape))
            c.rect = None
            if not c.members:
                del self._cells[e.cell]

    def _dirty(self, cell: tuple[int, int]) -> None:
        c = self._cells.get(cell)
        if c is None:
            return
        c.paths.clear()
        c.vertices.clear()
        c.points = {}
        self._global.clear()
        self._snap = None
        if self._bulk:
            return
        rect = self._cell_rect(c)
        if rect is not None:
            self.update(rect.adjusted(-2, -2, 2, 2))

    def begin_bulk(self) -> None:
        """Many :meth:`set_shape` calls follow: skip per-shape repaint requests until
        :meth:`finish_bulk`."""
        self._bulk = True

    def _cell_rect(self, c: _Cell) -> QRectF | None:
        if c.rect is None and c.members:
            bs = np.array([self._entries[i].bbox for i in c.members if i in self._entries], dtype=np.float64)
            if len(bs):
                c.rect = QRectF(bs[:, 0].min(), bs[:, 1].min(),
                                bs[:, 2].max() - bs[:, 0].min(), bs[:, 3].max() - bs[:, 1].min())
        return c.rect

    def finish_bulk(self) -> None:
        """After many :meth:`set_shape` calls: update the typical segment length (LOD) and
        repaint."""
        self._bulk = False
        lens = []
        for e in list(self._entries.values())[:500]:
            if e.xy is not None and len(e.xy) > 1:
                d = np.diff(e.xy, axis=0)
                lens.append(float(np.median(np.hypot(d[:, 0], d[:, 1]))))
        self._seg = float(np.median(lens)) if lens else 4.0
        self.update()

    # ------------------------------------------------------------------ queries
    def query(self, rect: QRectF) -> list[Shape]:
        """Shapes whose bbox intersects ``rect`` (scene coordinates), in no particular order."""
        x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()
        out = []
        for c in self._cells.values():
            r = self._cell_rect(c)
            if r is None or r.right() < x0 or r.left() > x1 or r.bottom() < y0 or r.top() > y1:
                continue
            for i in c.members:
                e = self._entries[i]
                b = e.bbox
                if b[2] >= x0 and b[0] <= x1 and b[3] >= y0 and b[1] <= y1:
                    out.append(e.shape)
        return out

    def batched_count(self) -> int:
        return sum(1 for e in self._entries.values() if e.batched)

    # ------------------------------------------------------------------ painting
    def lod_for_zoom(self, zoom: float) -> int:
        """Level of detail: vertex stride ``2**lod`` keeps segments under ``LOD_SEGMENT_PX``."""
        lod = 0
        px = zoom * self._seg  # screen pixels per typical segment
        while lod < MAX_LOD and px * (1 << (lod + 1)) <= LOD_SEGMENT_PX:
            lod += 1
        return lod

    def warm(self, lods: list[int], budget_s: float = 0.03) -> bool:
        """Build missing cell paths for ``lods`` for up to ``budget_s`` seconds (idle-time
        prefetch); True when everything is built."""
        import time

        end = time.perf_counter() + budget_s
        for lod in lods:
            for c in self._cells.values():
                if lod not in c.paths:
                    c.paths[lod] = self._build(c, lod)
                    if time.perf_counter() > end:
                        return False
        return True

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        t = QTransform(painter.worldTransform())
        ex = option.exposedRect
        if widget is None or not ZOOM_SNAPSHOTS or self.exposed_rects:
            self._render(painter, t, ex)
            return
        view = QRectF(widget.rect())
        inv, _ok = t.inverted()
        needed = inv.mapRect(view).intersected(self._bounds)  # what this frame must show
        if self.zooming and self._snap is not None and self._snap_rect.contains(needed):
            # mid zoom gesture: scale the last full frame (crisp again when the zoom settles)
            painter.setWorldTransform(self._snap_inv * t)
            smooth = painter.testRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(QPointF(0, 0), self._snap)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
            painter.setWorldTransform(t)
            return
        if not ex.adjusted(-1 / max(abs(t.m11()), 1e-9), -1 / max(abs(t.m22()), 1e-9),
                           1 / max(abs(t.m11()), 1e-9), 1 / max(abs(t.m22()), 1e-9)).contains(needed):
            # a partial repaint
            self._render(painter, t, ex)
            return
        # a full frame: render it offscreen and keep it for the next zoom gesture
        dpr = widget.devicePixelRatioF()
        img = QImage(max(1, round(view.width() * dpr)), max(1, round(view.height() * dpr)),
                     QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setRenderHints(painter.renderHints())
        p.setWorldTransform(t)
        self._render(p, t, ex)
        p.end()
        painter.setWorldTransform(QTransform())
        painter.drawImage(QPointF(0, 0), img)
        painter.setWorldTransform(t)
        self._snap, self._snap_inv, self._snap_rect = img, inv, inv.mapRect(view).adjusted(-1, -1, 1, 1)

    def _render(self, painter: QPainter, t: QTransform, ex: QRectF) -> None:
        """Draw the batched outlines of the cells under ``ex`` (or :attr:`exposed_rects`)."""
        lod = self.lod_for_zoom(math.hypot(t.m11(), t.m12()) or 1.0)
        # a scroll exposes an L-shaped strip whose bounding rect is the whole view: the canvas
        # passes the exposed region's rectangles (scene coordinates) in ``exposed_rects``
        rects = [(ex.left(), ex.top(), ex.right(), ex.bottom())]
        if self.exposed_rects:
            rects = [(r.left() - 1, r.top() - 1, r.right() + 1, r.bottom() + 1) for r in self.exposed_rects]
        cells = []
        for c in self._cells.values():
            r = self._cell_rect(c)
            if r is None:
                continue
            cl, ct, cr, cb = r.left(), r.top(), r.right(), r.bottom()
            if not any(cr >= x0 and cl <= x1 and cb >= y0 and ct <= y1 for x0, y0, x1, y1 in rects):
                continue
            if lod not in c.paths:
                c.paths[lod] = self._build(c, lod)
            cells.append(c)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # LabelMe's 2-pixel outlines where they are affordable (a wide stroke costs ~5 us per
        # vertex), 1-pixel ones for dense views
        width = 2.0 if sum(c.vertices.get(lod, 0) for c in cells) <= THICK_MAX_VERTICES else 1.0
        if len(cells) > GLOBAL_ABOVE_CELLS:  # zoomed out: a few big paths, one per colour
            groups = self._global.get(lod)
            if groups is None:
                groups = {}
                for c in self._cells.values():
                    paths = c.paths.get(lod)
                    if paths is None:
                        paths = c.paths[lod] = self._build(c, lod)
                    for key, path in paths.items():
                        g = groups.get(key)
                        if g is None:
                            groups[key] = QPainterPath(path)
                        else:
                            g.addPath(path)
                self._global[lod] = groups
            for key, path in groups.items():
                self._draw(painter, key, path, width)
        else:
            for c in cells:
                for key, path in c.paths[lod].items():
                    self._draw(painter, key, path, width)
        self._draw_points(painter, cells)

    def _draw(self, painter: QPainter, key: tuple, path: QPainterPath, width: float = 1.0) -> None:
        if key[4]:  # selected style: filled as LabelMe fills the selection
            # an antialiased fill of a many-polygon path is ~10x slower than an aliased one
            aa = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.fillPath(path, QColor(key[0], key[1], key[2], 110))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
        painter.setPen(self._pen(key, width))
        painter.drawPath(path)

    def _build(self, c: _Cell, lod: int) -> dict[tuple, QPainterPath]:
        groups: dict[tuple, list[np.ndarray]] = {}
        points: dict[tuple, list[QPointF]] = {}
        stride = 1 << lod
        n = 0
        for i in c.members:
            e = self._entries[i]
            if not e.batched or e.xy is None:
                continue
            if canvas_kind(e.shape).dot:
                points.setdefault(e.key, []).append(QPointF(float(e.xy[0, 0]), float(e.xy[0, 1])))
                continue
            xy = decimate(e.xy, stride) if stride > 1 else e.xy
            n += len(xy)
            groups.setdefault(e.key, []).append(xy)
        c.vertices[lod] = n
        c.points = {key: QPolygonF(pts) for key, pts in points.items()}
        return {key: polylines_path(parts) for key, parts in groups.items()}

    def _draw_points(self, painter: QPainter, cells: list[_Cell]) -> None:
        """Point shapes: one ``drawPoints`` per colour and cell with a wide round pen (aliased:
        ~10x faster than antialiased round dots)."""
        aa = painter.testRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for c in cells:
            for key, poly in c.points.items():
                pen = self._pens.get((key, "point"))
                if pen is None:
                    pen = QPen(QColor(255, 255, 255) if key[4] else QColor(key[0], key[1], key[2]))
                    pen.setCosmetic(True)
                    pen.setWidthF(2 * POINT_PX)
                    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                    self._pens[(key, "point")] = pen
                painter.setPen(pen)
                painter.drawPoints(poly)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, aa)

    def _pen(self, key: tuple, width: float = 1.0) -> QPen:
        pen = self._pens.get((key, width))
        if pen is None:
            pen = QPen(QColor(255, 255, 255) if key[4] else QColor(key[0], key[1], key[2]))
            pen.setCosmetic(True)
            pen.setWidthF(width)
            if key[3]:
                pen.setStyle(Qt.PenStyle.DashLine)
            self._pens[(key, width)] = pen
        return pen
