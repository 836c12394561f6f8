"""The canvas: a ``QGraphicsView`` over one :class:`segstudio.document.Document`.

Scene coordinates are image pixel coordinates (LabelMe's: the pixel ``(i, j)`` covers
``[i, i+1) x [j, j+1)``; points are floats). The canvas observes the document and keeps, by
shape identity: a :class:`ShapeLayer` entry for every shape (spatial index + batched drawing
of plain outlines) and a :class:`ShapeItem` for the shapes that need their own item (selected,
hovered, circles, masks; a selection of more than ``MAX_SELECTED_ITEMS`` shapes is
drawn batched too). Only the changed shapes are touched on an edit. The image is painted in
``drawBackground`` by an :class:`ImageLayer` (tiled pyramid).

Public API (used by the window and the plug-ins): ``set_document(doc)``, ``set_image(rgb,
full_size)`` / ``load_image(path)``, ``image_size()``, ``pixel_at(x, y)``,
``set_brightness_contrast(b, c)``, ``set_crosshair(on)``, ``zoom()``, ``set_zoom(z, anchor)``,
``zoom_by``, ``zoom_in``, ``zoom_out``, ``zoom_original``, ``fit_window``, ``fit_width``,
``fit_mode()``, ``set_tool(name)`` / ``tool`` / ``tool_name``, ``label_provider``,
``default_label``, ``wheel_zooms``, ``finish_shape(shape)``, ``pick_radius()``,
``clamp_to_image(p)``, ``shape_indices_at(pos, r)``, ``shape_indices_in(rect)``,
``set_hover(i, vertex)``, ``item_at_index(i)``, ``image_layer``, ``shape_layer``.

Mouse and keys (choices documented here):
- Ctrl+wheel zooms about the cursor by 10% a notch (LabelMe); plain wheel scrolls, Shift+wheel
  scrolls sideways. Set ``canvas.wheel_zooms = True`` to zoom with the plain wheel instead
  (zoom, fit and wheel live in :mod:`segstudio.canvas.navigation`).
- Middle-button drag, or Space held + left drag (when no shape is being drawn), pans.
- Zoom from 1% to 3200% (:data:`MAX_ZOOM`); pixels are crisp when zoomed in.
- Everything else goes to the current tool (``set_tool(name)``, table ``TOOLS``).

Who adds drawn shapes: the canvas. A drawing tool calls :meth:`Canvas.finish_shape`; the
canvas calls ``label_provider(shape)`` (set by the window: show the label dialog, return the
shape with label/group/flags filled in, or None to discard); without a provider it uses
``default_label``. It then pushes ``AddShapes`` and emits ``shapeCreated(index)``.

Signals: ``zoomChanged(float)`` (1.0 = 100%), ``cursorMoved(float, float)`` (scene position),
``shapeCreated(int)``, ``shapeDoubleClicked(int)``, ``toolChanged(str)``,
``contextMenuRequested(QPoint)`` (global position; not emitted after a right-drag copy),
``imageReady()`` (the image given to :meth:`Canvas.set_image` is on screen).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from segcore.io.annotation import Shape

from .. import undo_commands as cmd
from ..document import Document
from . import draw_tools as _draw_tools  # noqa: F401 - registers the drawing tools
from . import edit_tool as _edit_tool  # noqa: F401 - registers the edit tool
from . import geometry
from .image_layer import ImageLayer
from .image_view import ASYNC_ABOVE_PIXELS, ImageMixin  # noqa: F401 - re-exported
from .navigation import MAX_ZOOM, MIN_ZOOM, ZOOM_QUIET_MS, NavigationMixin  # noqa: F401 - re-exported
from .shape_item import HANDLE_PX, POINT_PX, ShapeItem
from .shape_layer import ShapeLayer
from .tools import TOOLS, Tool, ToolEvent

MAX_SELECTED_ITEMS = 100  # larger selections are drawn batched (no vertex handles)


class Canvas(ImageMixin, NavigationMixin, QGraphicsView):
    """The annotation canvas widget (``window.canvas``)."""

    PICK_PX = 10.0  # vertex / edge pick radius in screen pixels

    zoomChanged = Signal(float)
    cursorMoved = Signal(float, float)
    shapeCreated = Signal(int)
    shapeDoubleClicked = Signal(int)
    toolChanged = Signal(str)
    contextMenuRequested = Signal(QPoint)
    imageReady = Signal()
    _levelsBuilt = Signal(object)  # from the pyramid worker thread (queued to the GUI thread)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setBackgroundBrush(QColor(60, 60, 60))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.image_layer = ImageLayer()
        self.document: Document | None = None
        self.label_provider: Callable[[Shape], Shape | None] | None = None
        self.default_label = "object"
        self.wheel_zooms = False
        self.shape_layer = ShapeLayer()
        self._scene.addItem(self.shape_layer)
        self._items: dict[int, ShapeItem] = {}  # id(shape) -> item, only for shapes that need one
        self._index: dict[int, int] = {}  # id(shape) -> index
        self._by_id: dict[int, Shape] = {}
        self._sel_ids: set[int] = set()
        self._hover_id: int | None = None
        self._hover_vertex: int | None = None
        self._fit_mode: str | None = "window"
        self._pan_from: QPoint | None = None
        self._space = False
        self._crosshair = False
        self._cursor_scene: QPointF | None = None
        self._suppress_menu = False
        self._zoom_anchor = None
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_budget = 0.01
        self._image_gen = 0
        self._image_doc: weakref.ref | None = None  # the document shown when the image was set
        self._levelsBuilt.connect(self._on_levels_built, Qt.ConnectionType.QueuedConnection)
        self._warm_timer.timeout.connect(self._warm)
        self._zoom_settle = QTimer(self)
        self._zoom_settle.setSingleShot(True)
        self._zoom_settle.timeout.connect(self._zoom_settled)
        self.zoomChanged.connect(self._update_scroll_bars)
        self._update_scroll_bars()
        self.tool: Tool = TOOLS["edit"](self)
        self.tool_name = "edit"

    # ------------------------------------------------------------------ document
    def set_document(self, doc: Document | None) -> None:
        """Show ``doc`` (its shapes; the image comes from :meth:`set_image` / :meth:`load_image`)."""
        self.tool.deactivate()
        if self.document is not None:
            for sig, slot in self._connections():
                sig.disconnect(slot)
        self.document = doc
        for item in self._items.values():
            self._scene.removeItem(item)
        self._items.clear()
        self._index.clear()
        self._by_id.clear()
        self._sel_ids = set()
        self._hover_id = None
        self.shape_layer.reset((doc.image_size() if doc is not None else None) or self.image_size() or (640, 480))
        if doc is not None:
            for sig, slot in self._connections():
                sig.connect(slot)
            self._sync_items()
        self._update_scene_rect()
        self._schedule_warm(0)

    def _connections(self):
        d = self.document
        return [
            (d.shapesChanged, self._sync_items),
            (d.shapeChanged, self._on_shape_changed),
            (d.selectionChanged, self._sync_selection),
            (d.visibilityChanged, self._sync_all),
            (d.colours.changed, self._sync_all),
        ]

    def _apply(self, i: int, s: Shape) -> None:
        """Bring the layer entry and the item (if one is needed) of shape ``i`` up to date."""
        doc = self.document
        sid = id(s)
        visible = doc.is_visible(i)
        selected = sid in self._sel_ids
        own = selected and len(self._sel_ids) <= MAX_SELECTED_ITEMS  # else batched, selected style
        hovered = sid == self._hover_id
        colour = doc.colours.colour(s.label)
        self.shape_layer.set_shape(s, colour, batched=visible and not own, selected=selected and not own)
        need = visible and (own or hovered or not geometry.canvas_kind(s).batched)
        item = self._items.get(sid)
        if need:
            if item is None:
                item = ShapeItem(s, colour)
                self._items[sid] = item
                self._scene.addItem(item)
            else:
                item.set_colour(colour)
                item.sync(s)
            item.setZValue(i)
            item.set_selected(selected)
            item.set_hovered(hovered, self._hover_vertex if hovered else None)
            self._refresh_pads([item])
        elif item is not None:
            self._scene.removeItem(item)
            del self._items[sid]

    def _sync_items(self) -> None:
        doc = self.document
        assert doc is not None
        shapes = doc.shapes
        index = {id(s): i for i, s in enumerate(shapes)}
        for sid, shape in self._by_id.items():
            if sid not in index:
                self.shape_layer.remove_shape(shape)
                item = self._items.pop(sid, None)
                if item is not None:
                    self._scene.removeItem(item)
                if sid == self._hover_id:
                    self._hover_id = None
        bulk = len(index) - len(self._index) > 20
        self._index = index
        self._by_id = {id(s): s for s in shapes}
        self._sel_ids = {id(s) for s in doc.selected_shapes()}
        if bulk:
            self.shape_layer.begin_bulk()
        for i, s in enumerate(shapes):
            self._apply(i, s)
        if bulk:
            self.shape_layer.finish_bulk()

    def _on_shape_changed(self, index: int) -> None:
        self._apply(index, self.document.shapes[index])

    def _sync_selection(self) -> None:
        new = {id(s) for s in self.document.selected_shapes()}
        changed = new ^ self._sel_ids
        if (len(new) > MAX_SELECTED_ITEMS) != (len(self._sel_ids) > MAX_SELECTED_ITEMS):
            changed = new | self._sel_ids  # every selected shape changes how it is drawn
        self._sel_ids = new
        for sid in changed:
            if sid in self._index:
                self._apply(self._index[sid], self._by_id[sid])

    def _sync_all(self) -> None:
        for i, s in enumerate(self.document.shapes):
            self._apply(i, s)

    def item_at_index(self, index: int) -> ShapeItem | None:
        """The item drawing shape ``index`` on its own, or None when the shape layer draws it
        (unselected polylines) or it is hidden."""
        if self.document is None or not 0 <= index < len(self.document):
            return None
        return self._items.get(id(self.document.shapes[index]))

    def shape_items(self) -> list[ShapeItem]:
        """The per-shape items that exist now (selected, hovered, circles, masks)."""
        return list(self._items.values())

    def clamp_to_image(self, p: QPointF) -> QPointF:
        size = self.image_size()
        if size is None:
            return QPointF(p)
        w, h = size
        return QPointF(min(max(p.x(), 0.0), w - 1.0), min(max(p.y(), 0.0), h - 1.0))

    def _update_scene_rect(self) -> None:
        size = self.image_size() or (640, 480)
        w, h = size
        pad = max(w, h) * 0.5 + 100
        self.setSceneRect(QRectF(-pad, -pad, w + 2 * pad, h + 2 * pad))
        if self._fit_mode:
            self._apply_fit()
        self._update_scroll_bars()

    def _update_scroll_bars(self, *_args) -> None:
        """Scroll bars only while the image does not fit in the view. The scene's margin around
        the image (room to pan past the edges) is no reason to show them."""
        size = self.image_size()
        room = self.maximumViewportSize()  # the viewport without scroll bars
        z = self.zoom()
        fits = size is None or (size[0] * z <= room.width() + 0.5 and size[1] * z <= room.height() + 0.5)
        policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fits else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        if self.horizontalScrollBarPolicy() != policy or self.verticalScrollBarPolicy() != policy:
            self.setHorizontalScrollBarPolicy(policy)
            self.setVerticalScrollBarPolicy(policy)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_scroll_bars()

    def paintEvent(self, event) -> None:
        region = event.region()
        if 1 < region.rectCount() <= 16:  # e.g. the L-shaped strip a diagonal scroll exposes
            self.shape_layer.exposed_rects = [self.mapToScene(r).boundingRect() for r in region]
        try:
            super().paintEvent(event)
        finally:
            self.shape_layer.exposed_rects = None

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        self.image_layer.paint(painter, rect)

    def _zoom_step(self) -> None:
        """A zoom step: the shape layer scales its last frame until the zoom settles."""
        self.shape_layer.zooming = True
        self._zoom_settle.start(ZOOM_QUIET_MS)
        self._schedule_warm(ZOOM_QUIET_MS)

    def _zoom_settled(self) -> None:
        self.shape_layer.zooming = False
        self.viewport().update()  # crisp outlines at the final zoom

    def pick_radius(self) -> float:
        """:attr:`PICK_PX` screen pixels in scene units at the current zoom."""
        return self.PICK_PX / max(self.zoom(), 1e-9)

    def _refresh_pads(self, items) -> None:
        z = max(self.zoom(), 1e-9)
        big = max(HANDLE_PX, POINT_PX * 2) / z + 1
        for item in items:
            item.set_pad(big if item.needs_pad() else 1.0 / z)

    # ------------------------------------------------------------------ hover / hits
    def set_hover(self, index: int | None, vertex: int | None = None) -> None:
        """Highlight the shape at ``index`` (and a vertex) or nothing."""
        doc = self.document
        new = id(doc.shapes[index]) if doc is not None and index is not None else None
        old = self._hover_id
        if new == old and vertex == self._hover_vertex:
            return
        self._hover_id, self._hover_vertex = new, vertex
        for sid in {old, new} - {None}:
            if sid in self._index:
                self._apply(self._index[sid], self._by_id[sid])

    def shape_indices_at(self, pos: QPointF, radius: float) -> list[int]:
        """Indices of visible shapes hit at ``pos`` (topmost first)."""
        doc = self.document
        if doc is None:
            return []
        r = QRectF(pos.x() - radius, pos.y() - radius, 2 * radius, 2 * radius)
        out = []
        for s in self.shape_layer.query(r):
            i = self._index.get(id(s))
            if i is not None and doc.is_visible(i) and geometry.hit(s, pos, radius):
                out.append(i)
        return sorted(out, reverse=True)

    def shape_indices_in(self, rect: QRectF) -> list[int]:
        """Indices of visible shapes whose outline lies entirely inside ``rect``."""
        doc = self.document
        if doc is None:
            return []
        out = []
        for s in self.shape_layer.query(rect):
            i = self._index.get(id(s))
            if i is None or not doc.is_visible(i):
                continue
            x0, y0, x1, y1 = geometry.bbox(s)
            if rect.left() <= x0 and rect.top() <= y0 and x1 <= rect.right() and y1 <= rect.bottom():
                out.append(i)
        return sorted(out)

    # ------------------------------------------------------------------ tools
    def set_tool(self, name: str) -> None:
        """Switch to the tool registered as ``name`` (``KeyError`` if unknown)."""
        cls = TOOLS[name]
        self.tool.deactivate()
        self.set_hover(None)
        self.tool = cls(self)
        self.tool_name = name
        self.viewport().setCursor(cls.cursor)
        self.tool.activate()
        self.toolChanged.emit(name)

    def finish_shape(self, shape: Shape) -> int | None:
        """Label a freshly drawn shape and add it to the document; returns its index."""
        doc = self.document
        if doc is None:
            return None
        if self.label_provider is not None:
            result = self.label_provider(shape)
            if result is None:
                return None
            shape = result
        elif not shape.label:
            shape.label = self.default_label
        doc.push(cmd.AddShapes(doc, [shape]))
        index = doc.index_of(shape)
        self.shapeCreated.emit(index)
        return index

    def suppress_context_menu(self) -> None:
        """Skip the next context menu (a right-drag copy just happened)."""
        self._suppress_menu = True

    def contextMenuEvent(self, event) -> None:
        if self._suppress_menu:
            self._suppress_menu = False
            event.accept()
            return
        self.contextMenuRequested.emit(event.globalPos())
        event.accept()

    # ------------------------------------------------------------------ events
    def _tool_event(self, event, button=None) -> ToolEvent:
        return ToolEvent(
            pos=self._map_to_scene_f(event.position()),
            button=event.button() if button is None else button,
            buttons=event.buttons(),
            modifiers=event.modifiers(),
        )

    def mousePressEvent(self, event) -> None:
        self.setFocus()
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space
        ):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if self.document is not None and self.tool.press(self._tool_event(event)):
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        pos = self._map_to_scene_f(event.position())
        if self._pan_from is not None:
            p = event.position().toPoint()
            d = p - self._pan_from
            self._pan_from = p
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            event.accept()
            return
        if self._crosshair:
            self._update_crosshair(event.position().toPoint())
        self._cursor_scene = pos
        self.cursorMoved.emit(pos.x(), pos.y())
        if self.document is not None and self.tool.move(self._tool_event(event)):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else self.tool.cursor)
            event.accept()
            return
        if self.document is not None and self.tool.release(self._tool_event(event)):
            event.accept()
            return
        super().mouseReleaseEvent(event)
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:
        if self.document is not None and self.tool.double_click(self._tool_event(event)):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and isinstance(ev, QKeyEvent):
            if self.tool.wants_key(ev):
                ev.accept()
                return True
        return super().event(ev)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.document is not None and self.tool.key_press(event):
            event.accept()
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._pan_from = None
            self.viewport().setCursor(self.tool.cursor)
            event.accept()
            return
        super().keyReleaseEvent(event)
