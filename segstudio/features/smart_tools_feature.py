"""Smart tools plug-in: box to polygon, intelligent scissors, magic wand, brush, eraser and the
polygon operations (merge, subtract, simplify), in Tools menu and a "Smart tools" toolbar with
the wand tolerance / connectivity, brush radius, smallest part and simplify tolerance controls.

Each tool has a one-key shortcut (G, L, W, B, E: none is taken by the window's actions); ``[``
and ``]`` shrink and grow the brush while the brush or eraser is the tool. The controls'
values are remembered in the window's settings (``smart_tools/<option>``).

The operations are thin: :mod:`segcore.interactive` computes, one command per operation makes
it undoable. Subtract: of two selected shapes, the upper one (drawn later) is cut out of the
lower one and stays as it is.
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLabel, QSlider, QSpinBox, QToolBar

from segcore import interactive
from segstudio import undo_commands as cmd
from segstudio.actions import ActionSpec
from segstudio.canvas import tool_brush, tool_grabcut, tool_scissors, tool_wand  # noqa: F401 - register tools
from segstudio.canvas.geometry import is_area
from segstudio.canvas.smart_base import OPTIONS, SmartOptions
from segstudio.document import Document
from segstudio.icons import set_icons

# Texts are translated where the actions are built (segstudio.actions.build_action, context "Actions").
TOOL_ACTIONS = (  # (tool, menu text, toolbar text, shortcut, tip)
    ("grabcut", QT_TRANSLATE_NOOP("Actions", "Box to &Polygon"), QT_TRANSLATE_NOOP("Actions", "Box"), "G",
     QT_TRANSLATE_NOOP("Actions", "Drag a box around an object; GrabCut outlines it (then strokes refine, Enter)")),
    ("scissors", QT_TRANSLATE_NOOP("Actions", "Intelligent &Scissors"), QT_TRANSLATE_NOOP("Actions", "Scissors"), "L",
     QT_TRANSLATE_NOOP("Actions", "Click along an edge; the path snaps to it; close to make a polygon")),
    ("wand", QT_TRANSLATE_NOOP("Actions", "Magic &Wand"), QT_TRANSLATE_NOOP("Actions", "Wand"), "W",
     QT_TRANSLATE_NOOP("Actions", "Click a region of similar colour (Shift adds, Ctrl removes; Enter)")),
    ("brush", QT_TRANSLATE_NOOP("Actions", "&Brush"), QT_TRANSLATE_NOOP("Actions", "Brush"), "B",
     QT_TRANSLATE_NOOP("Actions", "Paint onto the selected shape, or a new one ([ and ] change the radius)")),
    ("eraser", QT_TRANSLATE_NOOP("Actions", "&Eraser"), QT_TRANSLATE_NOOP("Actions", "Eraser"), "E",
     QT_TRANSLATE_NOOP("Actions", "Erase from the selected shapes or the shape under the pointer")),
)
RADIUS_STEP = 1.25  # [ and ] divide / multiply the brush radius by this
BRUSH_SIZE_ACTIONS = (  # (name, menu text, shortcut, tip, radius factor)
    ("smaller_brush", QT_TRANSLATE_NOOP("Actions", "Smaller Brush"), "[",
     QT_TRANSLATE_NOOP("Actions", "Smaller Brush (brush and eraser)"), 1 / RADIUS_STEP),
    ("larger_brush", QT_TRANSLATE_NOOP("Actions", "Larger Brush"), "]",
     QT_TRANSLATE_NOOP("Actions", "Larger Brush (brush and eraser)"), RADIUS_STEP),
)
OPERATIONS = (  # (name, menu text, toolbar text, tip)
    ("merge", QT_TRANSLATE_NOOP("Actions", "&Merge Selected Shapes"), QT_TRANSLATE_NOOP("Actions", "Merge"),
     QT_TRANSLATE_NOOP("Actions", "Merge Selected Shapes")),
    ("subtract", QT_TRANSLATE_NOOP("Actions", "S&ubtract Upper Shape"), QT_TRANSLATE_NOOP("Actions", "Subtract"),
     QT_TRANSLATE_NOOP("Actions", "Subtract Upper Shape")),
    ("simplify", QT_TRANSLATE_NOOP("Actions", "Simp&lify Selected Shapes"), QT_TRANSLATE_NOOP("Actions", "Simplify"),
     QT_TRANSLATE_NOOP("Actions", "Simplify Selected Shapes")),
)
RADIUS_RANGE = (1.0, 500.0)
RADIUS_TOOLS = ("brush", "eraser")


def _area_selection(doc: Document) -> list[int]:
    return [i for i in doc.selected_indices() if is_area(doc.shapes[i])]


def merge_selected(doc: Document) -> int:
    """Merge the selected area shapes (one label) into one command; returns shapes made."""
    idx = _area_selection(doc)
    if len(idx) < 2:
        raise ValueError(QCoreApplication.translate("SmartToolsFeature", "select two or more area shapes of one label to merge"))
    merged = interactive.merge([doc.shapes[i] for i in idx])
    doc.push(cmd.ReplaceShapes(doc, idx, merged, text=QCoreApplication.translate("SmartToolsFeature", "Merge shapes")))
    return len(merged)


def subtract_selected(doc: Document) -> int:
    """Cut the upper of two selected area shapes out of the lower one."""
    idx = _area_selection(doc)
    if len(idx) != 2:
        raise ValueError(QCoreApplication.translate("SmartToolsFeature", "select exactly two area shapes: the upper one is cut out of the lower one"))
    lower, upper = sorted(idx)
    result = interactive.subtract(doc.shapes[lower], doc.shapes[upper])
    doc.push(cmd.ReplaceShapes(doc, [lower], result, text=QCoreApplication.translate("SmartToolsFeature", "Subtract shape")))
    return len(result)


def simplify_selected(doc: Document, tolerance: float) -> int:
    """Simplify each selected area shape (one undo step for all of them)."""
    idx = _area_selection(doc)
    if not idx:
        raise ValueError(QCoreApplication.translate("SmartToolsFeature", "select the area shapes to simplify"))
    doc.undo_stack.beginMacro(QCoreApplication.translate("SmartToolsFeature", "Simplify shapes"))
    try:
        for i in sorted(idx, reverse=True):  # from the end: earlier indices stay valid
            doc.push(cmd.ReplaceShapes(doc, [i], interactive.simplify(doc.shapes[i], tolerance),
                                       text=QCoreApplication.translate("SmartToolsFeature", "Simplify")))
    finally:
        doc.undo_stack.endMacro()
    return len(idx)


class SmartToolsFeature:
    """The actions and controls; ``window.smart_tools`` after install."""

    def __init__(self, window) -> None:
        self.window = window
        self.actions: dict[str, QAction] = {}
        menu = window.menus["tools"]
        self.toolbar = QToolBar(self.tr("Smart tools"), window)
        self.toolbar.setObjectName("smart_tools_toolbar")
        group = QActionGroup(window)
        group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        for name, text, short, keys, tip in TOOL_ACTIONS:
            act = window.add_action(ActionSpec(f"tool_{name}", "tools", text, (keys,), checkable=True, tip=tip,
                                               icon_text=short))
            act.triggered.connect(lambda _c=False, n=name: self.use_tool(n))
            self.actions[name] = act
            group.addAction(act)
            self.toolbar.addAction(act)
        menu.addSeparator()
        for name, text, keys, tip, factor in BRUSH_SIZE_ACTIONS:
            spec = ActionSpec(name, "tools", text, (keys,), tip=tip)
            act = self.actions[name] = window.add_action(spec, lambda f=factor: self.scale_radius(f))
            act.setEnabled(False)  # while the brush or eraser is the tool
        menu.addSeparator()
        self.toolbar.addSeparator()
        for name, text, short, tip in OPERATIONS:
            spec = ActionSpec(name, "tools", text, tip=tip, icon_text=short)
            self.actions[name] = window.add_action(spec, getattr(self, name))
            self.toolbar.addAction(self.actions[name])
        set_icons(self.actions)
        self._load_options()
        self._build_controls()
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        window.canvas.toolChanged.connect(self._tool_changed)

    def tr(self, text: str) -> str:
        """``text`` in the interface's language (context ``SmartToolsFeature``)."""
        return QCoreApplication.translate("SmartToolsFeature", text)

    # ------------------------------------------------------------------ options
    def _settings(self):
        settings = getattr(self.window, "settings", None)
        return settings if settings is not None and hasattr(settings, "set_value") else None

    def _load_options(self) -> None:
        """Every option from the settings (its default where none is stored or it is unreadable)."""
        settings = self._settings()
        for f in fields(SmartOptions):
            value = f.default
            stored = settings.value(f"smart_tools/{f.name}") if settings is not None else None
            if stored is not None:
                try:
                    value = type(f.default)(float(stored))
                except (TypeError, ValueError):
                    pass
            setattr(OPTIONS, f.name, value)

    def set_option(self, name: str, value) -> None:
        """Set one smart-tool option: remembered in the settings, shown by the current tool."""
        setattr(OPTIONS, name, value)
        settings = self._settings()
        if settings is not None:
            settings.set_value(f"smart_tools/{name}", value)
        self.window.canvas.tool.options_changed()

    def scale_radius(self, factor: float) -> None:
        """``[`` / ``]``: the brush radius times ``factor``, within the Radius box's range."""
        lo, hi = RADIUS_RANGE
        self.radius.setValue(min(hi, max(lo, OPTIONS.radius * factor)))

    def _build_controls(self) -> None:
        tb = self.toolbar
        tb.addSeparator()
        tb.addWidget(QLabel(" {} ".format(self.tr("Tolerance")), tb))
        self.tolerance = QSpinBox(tb)
        self.tolerance.setObjectName("wand_tolerance")
        self.tolerance.setRange(0, 255)
        self.tolerance.setValue(OPTIONS.tolerance)
        self.tolerance.setToolTip(self.tr("Magic wand: largest per-channel colour difference from the clicked pixel"))
        self.tolerance.valueChanged.connect(lambda v: self.set_option("tolerance", int(v)))
        tb.addWidget(self.tolerance)
        self.eight = QCheckBox(self.tr("8-connected"), tb)
        self.eight.setToolTip(self.tr("Magic wand: diagonal neighbours join the region too"))
        self.eight.setObjectName("wand_connectivity")
        self.eight.setChecked(OPTIONS.connectivity == 8)
        self.eight.toggled.connect(lambda on: self.set_option("connectivity", 8 if on else 4))
        tb.addWidget(self.eight)
        tb.addWidget(QLabel(" {} ".format(self.tr("Radius")), tb))
        self.radius = QDoubleSpinBox(tb)
        self.radius.setObjectName("brush_radius")
        self.radius.setRange(*RADIUS_RANGE)
        self.radius.setValue(OPTIONS.radius)
        self.radius.setToolTip(self.tr("Brush and eraser radius in image pixels ([ and ] shrink and grow it)"))
        self.radius.valueChanged.connect(lambda v: self.set_option("radius", float(v)))
        tb.addWidget(self.radius)
        tb.addWidget(QLabel(" {} ".format(self.tr("Min. part")), tb))
        self.min_area = QSpinBox(tb)
        self.min_area.setObjectName("min_area")
        self.min_area.setRange(0, 100_000)
        self.min_area.setSuffix(" px²")
        self.min_area.setValue(int(round(OPTIONS.min_area)))
        self.min_area.setToolTip(self.tr("Smart tools drop parts of their result smaller than this many square "
                                         "pixels (the largest part always stays; the eraser drops every small "
                                         "scrap)"))
        self.min_area.valueChanged.connect(lambda v: self.set_option("min_area", float(v)))
        tb.addWidget(self.min_area)
        tb.addWidget(QLabel(" {} ".format(self.tr("Simplify")), tb))
        self.simplify_slider = QSlider(Qt.Orientation.Horizontal, tb)
        self.simplify_slider.setObjectName("simplify_tolerance")
        self.simplify_slider.setRange(1, 100)  # tenths of a pixel
        self.simplify_slider.setValue(int(round(OPTIONS.simplify_tolerance * 10)))
        self.simplify_slider.setMaximumWidth(120)
        self.simplify_slider.setToolTip(self.tr("Simplify tolerance (0.1 to 10 px)"))
        self.simplify_slider.valueChanged.connect(lambda v: self.set_option("simplify_tolerance", v / 10))
        tb.addWidget(self.simplify_slider)

    # ------------------------------------------------------------------ handlers
    def use_tool(self, name: str) -> None:
        self.window.canvas.set_tool(name)

    def _tool_changed(self, name: str) -> None:
        for tool, act in self.actions.items():
            if act.isCheckable():
                act.setChecked(tool == name)
        for act in (self.actions["smaller_brush"], self.actions["larger_brush"]):
            act.setEnabled(name in RADIUS_TOOLS)

    def _run(self, fn, *args) -> None:
        doc = self.window.document
        if doc is None:
            return
        try:
            fn(doc, *args)
        except ValueError as exc:
            self.window.statusBar().showMessage(str(exc), 8000)

    def merge(self) -> None:
        self._run(merge_selected)

    def subtract(self) -> None:
        self._run(subtract_selected)

    def simplify(self) -> None:
        self._run(simplify_selected, OPTIONS.simplify_tolerance)


def install(window) -> None:
    """Add the smart tools to ``window`` (menu Tools, a toolbar)."""
    window.smart_tools = SmartToolsFeature(window)
