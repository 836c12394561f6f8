"""Drive LabelMe 6.3.1 (installed in a side venv) on gui_bench's workloads and print one JSON
line. Run by ``bench/gui_bench.py --labelme-python /tmp/labelme-venv/bin/python``; it imports
nothing from this repository (the side venv has only LabelMe and its dependencies).

    python bench/labelme_side.py PART INPUT [--quick]

PART is pan (INPUT: a LabelMe JSON of 2,000 polygons beside its image), folder (INPUT: the
10,000-image folder), huge (INPUT: the big JPEG) or save (INPUT: the JSON of 2,000 polygons).
Uses LabelMe's private window methods (``_load_file``, ``_set_zoom``, ``save_labels``) of
version 6.3.1 only.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _rss_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _window():
    from labelme.app import MainWindow
    from PyQt5 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    cfg = tempfile.mkdtemp()
    w = MainWindow(config_overrides={"auto_save": False})
    w.resize(1280, 800)
    w.show()
    app.processEvents()
    del cfg
    return app, w


def _paint(app, w) -> None:
    app.sendPostedEvents()
    app.processEvents()


def pan(path: str) -> dict:
    app, w = _window()
    w._load_file(path)  # noqa: SLF001 - LabelMe 6.3.1 internals
    _paint(app, w)
    canvas = w._canvas_widgets.canvas  # noqa: SLF001
    bars = w._canvas_widgets.scroll_bars  # noqa: SLF001
    from PyQt5.QtCore import Qt

    times = []
    zoom = w._canvas_widgets.zoom_widget  # noqa: SLF001
    steps = [("zoom", 1.1)] * 8 + [("pan", (37 if k % 2 == 0 else 23, 19)) for k in range(20)] + [("zoom", 1 / 1.1)] * 8
    for kind, amount in steps:
        t0 = time.perf_counter()
        if kind == "zoom":
            w._set_zoom(max(1, round(zoom.value() * amount)))  # noqa: SLF001
        else:
            bars[Qt.Horizontal].setValue(bars[Qt.Horizontal].value() + amount[0])
            bars[Qt.Vertical].setValue(bars[Qt.Vertical].value() + amount[1])
        _paint(app, w)
        times.append(time.perf_counter() - t0)
    ms = sorted(t * 1000 for t in times)
    assert len(canvas.shapes) > 0
    return {"median_ms": statistics.median(ms), "p95_ms": ms[int(0.95 * (len(ms) - 1))], "max_ms": ms[-1],
            "frames": len(ms), "shapes": len(canvas.shapes)}


def folder(path: str) -> dict:
    app, w = _window()
    t0 = time.perf_counter()
    w._load_from_file_or_dir(path)  # noqa: SLF001 - what `labelme FOLDER` does
    _paint(app, w)
    w._canvas_widgets.canvas.repaint()  # noqa: SLF001
    t = time.perf_counter() - t0
    return {"first_image_ms": t * 1000, "all_listed_ms": t * 1000, "files": w._docks.file_list.count()}  # noqa: SLF001


def huge(path: str) -> dict:
    base = _rss_peak_mib()
    app, w = _window()
    t0 = time.perf_counter()
    w._load_file(path)  # noqa: SLF001
    _paint(app, w)
    w._canvas_widgets.canvas.repaint()  # noqa: SLF001
    t = time.perf_counter() - t0
    return {"visible_s": t, "detail_s": t, "peak_rss_mib": _rss_peak_mib(), "base_rss_mib": base}


def save(path: str) -> dict:
    app, w = _window()
    w._load_file(path)  # noqa: SLF001
    _paint(app, w)
    out = os.path.join(tempfile.mkdtemp(), "saved.json")
    t0 = time.perf_counter()
    ok = w.save_labels(out)  # LabelMe saves on the GUI thread
    t = time.perf_counter() - t0
    with open(out) as f:
        n = len(json.load(f)["shapes"])
    return {"max_block_ms": t * 1000, "worst_block_ms": t * 1000, "save_ms": t * 1000,
            "file_ok": bool(ok) and n > 0}


if __name__ == "__main__":
    part, arg = sys.argv[1], sys.argv[2]
    result = {"pan": pan, "folder": folder, "huge": huge, "save": save}[part](arg)
    print(json.dumps(result), flush=True)
    os._exit(0)
