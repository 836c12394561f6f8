"""Zoom, fit, wheel scrolling and the crosshair for the canvas (a mixin of :class:`segstudio.canvas.view.Canvas`).

- Ctrl+wheel zooms about the cursor by 10% a notch (LabelMe); plain wheel scrolls, Shift+wheel
  scrolls sideways; ``canvas.wheel_zooms = True`` makes the plain wheel zoom instead.
- Zoom from 1% to 3200%; repeated zooms at one spot keep the scene point under the cursor
  exactly (the scroll bars' whole-pixel rounding does not accumulate).
- ``fit_window`` / ``fit_width`` are kept on resize until the zoom is changed.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

MIN_ZOOM = 0.01
MAX_ZOOM = 32.0
WHEEL_STEP = 1.1
ZOOM_QUIET_MS = 150  # a zoom gesture ends this long after its last step


class NavigationMixin(QGraphicsView):
    """Zoom/fit/wheel/crosshair behaviour; expects ``_fit_mode``, ``_zoom_anchor``, ``_items``,
    ``_crosshair``, ``_cursor_scene``,
    ``image_size()``, ``_refresh_pads()``, ``_zoom_step()`` and ``zoomChanged`` on the
    class it is mixed into."""

    def zoom(self) -> float:
        """Current zoom (1.0 = one image pixel per screen pixel)."""
        return self.transform().m11()

    def set_zoom(self, z: float, anchor: QPointF | QPoint | None = None, *, keep_fit: bool = False) -> None:
        """Zoom to ``z`` keeping the scene point under viewport position ``anchor`` (default:
        the viewport centre) where it is."""
        z = min(max(z, MIN_ZOOM), MAX_ZOOM)
        if not keep_fit:
            self._fit_mode = None
        vp = self.viewport().rect()
        a = QPointF(anchor) if anchor is not None else QPointF(vp.width() / 2, vp.height() / 2)
        exact_before = self._map_to_scene_f(a)
        # repeated zooms at the same spot (wheel notches) reuse the first scene point, so the
        # scroll bars' whole-pixel rounding does not accumulate
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        last = self._zoom_anchor
        if last is not None and last[0] == (a.x(), a.y(), h.value(), v.value(), self.zoom()):
            exact_before = last[1]
        old = self.zoom()
        self.resetTransform()
        self.scale(z, z)
        # scroll so that exact_before sits under a again
        cur = self._map_to_scene_f(a)
        h.setValue(h.value() + round((exact_before.x() - cur.x()) * z))
        v.setValue(v.value() + round((exact_before.y() - cur.y()) * z))
        self._zoom_anchor = ((a.x(), a.y(), h.value(), v.value(), self.zoom()), exact_before)
        if abs(old - z) > 1e-12:
            self._refresh_pads(self._items.values())
            self._zoom_step()
            self.zoomChanged.emit(z)

    def _map_to_scene_f(self, p: QPointF) -> QPointF:
        """Sub-pixel viewport -> scene mapping."""
        t, _ = self.viewportTransform().inverted()
        return t.map(p)

    def zoom_by(self, factor: float, anchor: QPointF | QPoint | None = None) -> None:
        self.set_zoom(self.zoom() * factor, anchor)

    def zoom_in(self) -> None:
        self.zoom_by(WHEEL_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / WHEEL_STEP)

    def zoom_original(self) -> None:
        """1:1 (Ctrl+0)."""
        self.set_zoom(1.0)

    def fit_window(self) -> None:
        """Whole image in view (Ctrl+F); kept on resize until the zoom is changed."""
        self._fit_mode = "window"
        self._apply_fit()

    def fit_width(self) -> None:
        """Image width fills the view (Ctrl+Shift+F)."""
        self._fit_mode = "width"
        self._apply_fit()

    def fit_mode(self) -> str | None:
        return self._fit_mode

    def _apply_fit(self) -> None:
        size = self.image_size()
        if size is None:
            return
        w, h = size
        vp = self.viewport().rect()
        if vp.width() <= 2 or vp.height() <= 2:
            return
        m = 2.0
        zx = (vp.width() - m) / w
        zy = (vp.height() - m) / h
        z = zx if self._fit_mode == "width" else min(zx, zy)
        mode = self._fit_mode
        self.set_zoom(z, keep_fit=True)
        self._fit_mode = mode
        if mode == "width":
            self.centerOn(QPointF(w / 2, min(h / 2, vp.height() / 2 / z)))
        else:
            self.centerOn(QPointF(w / 2, h / 2))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fit_mode:
            self._apply_fit()

    def wheelEvent(self, event) -> None:
        mods = event.modifiers()
        delta = event.angleDelta()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if ctrl != self.wheel_zooms and delta.y() != 0:  # Ctrl+wheel (or plain, if wheel_zooms)
            self.zoom_by(WHEEL_STEP ** (delta.y() / 120.0), event.position())
            event.accept()
            return
        if mods & Qt.KeyboardModifier.ShiftModifier:
            d = delta.y() or delta.x()
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - d)
            event.accept()
            return
        self._fit_mode = None
        super().wheelEvent(event)

    # ------------------------------------------------------------------ crosshair
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self._crosshair and self._cursor_scene is not None:
            pen = QPen(QColor(0, 0, 0, 160))
            pen.setCosmetic(True)
            painter.setPen(pen)
            c = self._cursor_scene
            painter.drawLine(QPointF(rect.left(), c.y()), QPointF(rect.right(), c.y()))
            painter.drawLine(QPointF(c.x(), rect.top()), QPointF(c.x(), rect.bottom()))

    def set_crosshair(self, on: bool) -> None:
        self._crosshair = on
        self.viewport().update()

    def _update_crosshair(self, p: QPoint) -> None:
        vp = self.viewport()
        old = self.mapFromScene(self._cursor_scene) if self._cursor_scene is not None else None
        for q in (old, p):
            if q is not None:
                vp.update(QRect(0, q.y() - 1, vp.width(), 3))
                vp.update(QRect(q.x() - 1, 0, 3, vp.height()))

    def leaveEvent(self, event) -> None:
        if self._crosshair and self._cursor_scene is not None:
            self._cursor_scene = None
            self.viewport().update()
        super().leaveEvent(event)
