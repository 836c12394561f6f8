"""GUI benchmark (offscreen): our annotator against a naive full-repaint QWidget canvas, in the
same run, on the issue-7 workloads. Each measurement runs in its own subprocess (clean memory
figures, no warm caches shared between the two sides).

    python bench/gui_bench.py                 # everything
    python bench/gui_bench.py --only pan save # some parts
    python bench/gui_bench.py --quick         # smaller workloads (smoke test)

Parts:
- pan:    median / p95 frame while panning and zooming, 2,000 polygons of 50 vertices over an
          8000x6000 image (target <= 16 ms).
- folder: from "open this 10,000-image folder" to the first image painted (target <= 300 ms).
- huge:   a 20000x15000 JPEG visible (target <= 2 s, peak RSS < 1.5 GiB).
- save:   longest GUI-thread block while saving the 2,000 polygons (target <= 16 ms).

Where LabelMe 6.3.1 is installed in a side venv (``--labelme-python /tmp/labelme-venv/bin/python``)
its figures are not measured here automatically; the issue's LabelMe figures are printed for
reference.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from bench.gui_workloads import (  # noqa: E402
    WORK,
    _qimage,
    make_rgb,
    make_shapes,
    naive_widget_class,
    prepare_folder,
    prepare_huge,
    prepare_labelme_pan,
)

LABELME = {"pan": "552-1316 ms", "folder": "721 ms", "huge": "6.6 s, 3.7 GiB", "save": "281 ms"}


def _rss_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ----------------------------------------------------------------------------- parts (child side)


def _steps(n_pan: int, n_zoom: int):
    """The view changes of one pan/zoom session: (kind, amount)."""
    steps = []
    for _ in range(n_zoom):
        steps.append(("zoom", 1.1))
    for k in range(n_pan):
        steps.append(("pan", (37 if k % 2 == 0 else 23, 19)))
    for _ in range(n_zoom):
        steps.append(("zoom", 1 / 1.1))
    return steps


def _paint_pending(app) -> None:
    """Deliver the pending update requests: the frame the event loop would paint now."""
    app.sendPostedEvents()
    app.processEvents()


def part_pan(impl: str, quick: bool) -> dict:
    from segstudio.main import application

    app = application()  # as the annotator runs it
    n = 200 if quick else 2000
    W, H = (2000, 1500) if quick else (8000, 6000)
    shapes = make_shapes(n, 50, W, H)
    rgb = make_rgb(W, H)
    steps = _steps(20, 8)
    times = []
    if impl == "ours":
        from segcore.io.annotation import Annotation
        from segstudio.canvas import Canvas
        from segstudio.document import Document

        doc = Document(Annotation(shapes=shapes, image_width=W, image_height=H))
        view = Canvas()
        view.resize(1280, 800)
        view.show()
        view.set_document(doc)
        view.set_image(rgb)
        view.fit_window()
        app.processEvents()
        view.viewport().repaint()
        for kind, amount in steps:
            t0 = time.perf_counter()
            if kind == "zoom":
                view.zoom_by(amount)
            else:
                view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + amount[0])
                view.verticalScrollBar().setValue(view.verticalScrollBar().value() + amount[1])
            _paint_pending(app)  # what the event loop repaints (scrolling reuses pixels)
            times.append(time.perf_counter() - t0)
    else:
        cls = naive_widget_class()
        view = cls(_qimage(rgb), shapes)
        view.resize(1280, 800)
        view.show()
        view.scale = min(1280 / W, 800 / H)
        app.processEvents()
        view.repaint()
        for kind, amount in steps:
            t0 = time.perf_counter()
            if kind == "zoom":
                view.scale *= amount
            else:
                view.offset += type(view.offset)(*amount)
            view.update()
            _paint_pending(app)
            times.append(time.perf_counter() - t0)
    ms = sorted(t * 1000 for t in times)
    return {"median_ms": statistics.median(ms), "p95_ms": ms[int(0.95 * (len(ms) - 1))], "max_ms": ms[-1],
            "frames": len(ms)}


def _wait(app, cond, timeout: float = 60.0) -> None:
    end = time.perf_counter() + timeout
    while not cond():
        app.processEvents()
        if time.perf_counter() > end:
            raise TimeoutError("the image never appeared")
        time.sleep(0.0005)


def part_folder(impl: str, quick: bool) -> dict:
    from segstudio.main import application

    folder = prepare_folder(1000 if quick else 10000)
    app = application()  # as the annotator runs it
    if impl == "ours":
        from segstudio.main_window import MainWindow
        from segstudio.settings import Settings

        w = MainWindow(settings=Settings(str(WORK / "settings.ini")))
        w.resize(1280, 800)
        w.show()
        app.processEvents()
        shown = []
        w.session.imageShown.connect(shown.append)
        t0 = time.perf_counter()
        w.open_path(folder)
        _wait(app, lambda: bool(shown))
        w.canvas.viewport().repaint()
        t = time.perf_counter() - t0
        _wait(app, lambda: not w.file_dock.model.scanning)
        t_all = time.perf_counter() - t0
        return {"first_image_ms": t * 1000, "all_listed_ms": t_all * 1000, "files": w.file_dock.model.rowCount()}
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem

    from segcore.data.dataset import natural_key

    lst = QListWidget()
    label = QLabel()
    label.resize(1280, 800)
    lst.show()
    label.show()
    app.processEvents()
    t0 = time.perf_counter()
    files = []
    for root, _dirs, names in os.walk(folder):
        files += [os.path.join(root, n) for n in names if n.lower().endswith((".jpg", ".png"))]
    files.sort(key=natural_key)
    for f in files:  # LabelMe: one item per file, check state from the label file on disk
        item = QListWidgetItem(os.path.relpath(f, folder))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if os.path.exists(os.path.splitext(f)[0] + ".json")
                           else Qt.CheckState.Unchecked)
        lst.addItem(item)
    img = QImage(files[0])
    canvas = QImage(1280, 800, QImage.Format.Format_RGB32)
    p = QPainter(canvas)
    p.drawImage(0, 0, img)
    p.end()
    app.processEvents()
    t = time.perf_counter() - t0
    return {"first_image_ms": t * 1000, "all_listed_ms": t * 1000, "files": lst.count()}


def part_huge(impl: str, quick: bool) -> dict:
    from segstudio.main import application

    size = (6000, 4500) if quick else (20000, 15000)
    path = prepare_huge(*size)
    app = application()  # as the annotator runs it
    base = _rss_peak_mib()
    if impl == "ours":
        from segstudio.main_window import MainWindow
        from segstudio.settings import Settings

        w = MainWindow(settings=Settings(str(WORK / "settings.ini")))
        w.resize(1280, 800)
        w.show()
        app.processEvents()
        shown = []
        w.session.imageShown.connect(shown.append)
        t0 = time.perf_counter()
        w.open_path(path)
        _wait(app, lambda: bool(shown))
        w.canvas.viewport().repaint()
        t = time.perf_counter() - t0
        detail = getattr(w.session, "detailShown", None)
        full = []
        if detail is not None:
            detail.connect(full.append)
            _wait(app, lambda: bool(full), timeout=120)
        t_full = time.perf_counter() - t0
        return {"visible_s": t, "detail_s": t_full, "peak_rss_mib": _rss_peak_mib(), "base_rss_mib": base}
    from PySide6.QtGui import QImage, QImageReader, QPainter
    from PySide6.QtWidgets import QLabel

    QImageReader.setAllocationLimit(0)
    label = QLabel()
    label.resize(1280, 800)
    label.show()
    app.processEvents()
    t0 = time.perf_counter()
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    img = reader.read()
    if img.isNull():
        raise RuntimeError(f"{path}: {reader.errorString()}")
    canvas = QImage(1280, 800, QImage.Format.Format_RGB32)
    p = QPainter(canvas)
    p.scale(1280 / img.width(), 1280 / img.width())
    p.drawImage(0, 0, img)
    p.end()
    t = time.perf_counter() - t0
    return {"visible_s": t, "detail_s": t, "peak_rss_mib": _rss_peak_mib(), "base_rss_mib": base}


def part_save(impl: str, quick: bool) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    from segcore.io import annotation as sa
    from segstudio.autosave import Saver
    from segstudio.document import Document
    from segstudio.main import application
    from segstudio.undo_commands import AddShapes

    app = application()  # as the annotator runs it
    n = 200 if quick else 2000
    shapes = make_shapes(n, 50, 8000, 6000)
    WORK.mkdir(parents=True, exist_ok=True)
    jp = WORK / "save_bench.json"
    doc = Document(sa.Annotation(image_path="x.jpg", image_width=8000, image_height=6000), json_path=jp)
    doc.push(AddShapes(doc, shapes))
    parent = QWidget()
    saver = Saver(parent, delay_ms=0)
    gaps: list[float] = []
    state = {"last": None, "done": False, "t_save": 0.0}

    def tick():
        now = time.perf_counter()
        if state["last"] is not None:
            gaps.append(now - state["last"])
        state["last"] = now

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    timer.start()

    saves = 3 if quick else 5

    def start():
        t0 = time.perf_counter()
        state["t0"] = t0
        if impl == "ours":
            saver.save_async(doc)
        else:  # LabelMe: serialise and write on the GUI thread
            sa.save(doc.annotation, jp)
            state["t_save"] = time.perf_counter() - t0
            state["done"] = True

    def done(_p):
        state["t_save"] = time.perf_counter() - state["t0"]
        state["done"] = True

    saver.saved.connect(done)
    t_end = time.perf_counter() + 0.2
    _wait(app, lambda: time.perf_counter() > t_end)  # ticking steadily first
    gaps.clear()
    t_end = time.perf_counter() + 0.6
    _wait(app, lambda: time.perf_counter() > t_end)  # the machine's noise floor, nothing running
    idle = max(gaps) * 1000
    blocks, durations = [], []
    for _ in range(saves):
        gaps.clear()
        state["done"] = False
        QTimer.singleShot(0, start)
        _wait(app, lambda: state["done"], timeout=120)
        settle = time.perf_counter() + 0.05
        _wait(app, lambda settle=settle: time.perf_counter() > settle)
        blocks.append(max(gaps) * 1000)
        durations.append(state["t_save"] * 1000)
    ok = sa.load(jp).shapes == doc.shapes
    return {"max_block_ms": statistics.median(blocks), "worst_block_ms": max(blocks), "idle_max_gap_ms": idle,
            "save_ms": statistics.median(durations), "file_ok": ok, "saves": saves}


PARTS = {"pan": part_pan, "folder": part_folder, "huge": part_huge, "save": part_save}


# ----------------------------------------------------------------------------- driver


def run_labelme(python: str, part: str, quick: bool) -> dict:
    """LabelMe 6.3.1's figures from its side venv (``bench/labelme_side.py``)."""
    if part in ("pan", "save"):
        target = prepare_labelme_pan(quick)
    elif part == "folder":
        target = prepare_folder(1000 if quick else 10000)
    else:
        target = prepare_huge(*((6000, 4500) if quick else (20000, 15000)))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONPATH", None)
    side = str(Path(__file__).with_name("labelme_side.py"))
    try:
        out = subprocess.run([python, side, part, str(target)], env=env, capture_output=True, text=True,
                             timeout=900, cwd=str(WORK))
    except subprocess.TimeoutExpired:
        return {"error": "timed out"}
    if out.returncode != 0 or not out.stdout.strip():
        tail = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        return {"error": tail[:60]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(part: str, impl: str, quick: bool) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, __file__, "--child", part, impl] + (["--quick"] if quick else [])
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(part: str, ours: dict, naive: dict, labelme: dict | None = None) -> str:
    def f(d: dict, key: str, unit: str, scale: float = 1.0) -> str:
        return f"{d[key] * scale:.1f} {unit}" if key in d else d.get("error", "?")

    def ratio(key: str) -> str:
        if key in ours and key in naive and ours[key] > 0:
            return f"{naive[key] / ours[key]:.1f}x"
        return "-"

    if part == "pan":
        rows = [("median frame", f(ours, "median_ms", "ms"), f(naive, "median_ms", "ms"), ratio("median_ms")),
                ("p95 frame", f(ours, "p95_ms", "ms"), f(naive, "p95_ms", "ms"), ratio("p95_ms"))]
    elif part == "folder":
        rows = [("first image painted", f(ours, "first_image_ms", "ms"), f(naive, "first_image_ms", "ms"),
                 ratio("first_image_ms")),
                ("whole list in", f(ours, "all_listed_ms", "ms"), f(naive, "all_listed_ms", "ms"), ratio("all_listed_ms"))]
    elif part == "huge":
        rows = [("visible", f(ours, "visible_s", "s"), f(naive, "visible_s", "s"), ratio("visible_s")),
                ("full detail", f(ours, "detail_s", "s"), f(naive, "detail_s", "s"), ratio("detail_s")),
                ("peak RSS", f(ours, "peak_rss_mib", "MiB"), f(naive, "peak_rss_mib", "MiB"), ratio("peak_rss_mib"))]
    else:
        rows = [("GUI block (median/save)", f(ours, "max_block_ms", "ms"), f(naive, "max_block_ms", "ms"),
                 ratio("max_block_ms")),
                ("GUI block (worst save)", f(ours, "worst_block_ms", "ms"), f(naive, "worst_block_ms", "ms"),
                 ratio("worst_block_ms")),
                ("idle max gap (noise)", f(ours, "idle_max_gap_ms", "ms"), f(naive, "idle_max_gap_ms", "ms"), "-"),
                ("save duration", f(ours, "save_ms", "ms"), f(naive, "save_ms", "ms"), "-")]
    lines = [f"## {part}  (LabelMe 6.3.1 per the issue: {LABELME[part]})"]
    if labelme is None:
        lines.append(f"| {'measure':22} | {'ours':>14} | {'naive':>14} | naive/ours |")
        lines += [f"| {a:22} | {b:>14} | {c:>14} | {d:>10} |" for a, b, c, d in rows]
        return "\n".join(lines)
    keys = {"pan": ["median_ms", "p95_ms"], "folder": ["first_image_ms", "all_listed_ms"],
            "huge": ["visible_s", "detail_s", "peak_rss_mib"],
            "save": ["max_block_ms", "worst_block_ms", "idle_max_gap_ms", "save_ms"]}[part]
    units = {"ms": "ms", "s": "s", "mib": "MiB"}
    lines.append(f"| {'measure':22} | {'ours':>14} | {'naive':>14} | naive/ours | {'LabelMe 6.3.1':>14} | LabelMe/ours |")
    for (a, b, c, d), key in zip(rows, keys):
        unit = units[key.rsplit("_", 1)[1]]
        lm = f(labelme, key, unit)
        lr = f"{labelme[key] / ours[key]:.1f}x" if key in labelme and key in ours and ours[key] > 0 else "-"
        lines.append(f"| {a:22} | {b:>14} | {c:>14} | {d:>10} | {lm:>14} | {lr:>12} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", nargs="*", choices=list(PARTS), help="parts to run (default: all)")
    p.add_argument("--quick", action="store_true", help="small workloads (smoke test)")
    p.add_argument("--child", nargs=2, metavar=("PART", "IMPL"), help=argparse.SUPPRESS)
    p.add_argument("--labelme-python", default="/tmp/labelme-venv/bin/python",
                   help="python of a side venv with labelme==6.3.1 (skipped when absent)")
    args = p.parse_args(argv)
    if args.child:
        part, impl = args.child
        print(json.dumps(PARTS[part](impl, args.quick)), flush=True)
        sys.stderr.flush()
        os._exit(0)  # skip interpreter teardown (PySide buffer-backed QImages at exit)
    for part in args.only or list(PARTS):
        ours = run_child(part, "ours", args.quick)
        naive = run_child(part, "naive", args.quick)
        labelme = run_labelme(args.labelme_python, part, args.quick) if Path(args.labelme_python).exists() else None
        print(report(part, ours, naive, labelme))
        print("raw:", json.dumps({"ours": ours, "naive": naive, "labelme": labelme}))
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
