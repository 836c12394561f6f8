"""YOLO segmentation export, in the Ultralytics dataset layout.

```
out/images/{train,val}/<stem>.jpg    JPEG sources copied byte for byte, others encoded once
out/labels/{train,val}/<stem>.txt    one line per object: ``class x1 y1 ... xn yn`` (normalised)
out/data.yaml                        path, train, val (test when flags name it), names
```
(``test`` folders too when image flags name that split.) Class indices count from 0 without
``_background_``. Each object is what is visible of an instance (shapes drawn over it cut it),
traced pixel-exactly; several parts and holes are joined into one polygon by zero-width
bridges (:mod:`segcore.formats.yolo_rings`). A polygon that no later shape reaches is written
as its own vertices (in full precision) when an import reads that line back as exactly its
pixels (checked when it is written); otherwise it is traced like the rest. An image without
objects gets an empty label file (a background image). Points and lines are not areas and
``__ignore__`` regions have no YOLO form: both are skipped with a note.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from segcore.data.dataset import Item
from segcore.data.rasterize import (
    ClassList,
    Instance,
    instance_map,
    instances_of,
    shape_box,
    shape_crop,
    shape_extent,
)
from segcore.formats import files
from segcore.formats.common import (
    ExportReport,
    Skipped,
    accepted_results,
    check_item,
    image_failed,
    plan_export,
    staged_writes,
)
from segcore.formats.files import SOURCE_ERRORS, export_image
from segcore.formats.pool import run_jobs
from segcore.formats.voc import MAX_INSTANCES, object_map
from segcore.formats.yolo_rings import (
    bridge,
    bridge_points,
    coordinate_text,
    denormalise,
    exact_by_construction,
    holes_by_nesting,
    mask_ring_arrays,
    ring_area,
    rings_crop,
    rings_valid,
    run_rectangles,
    unbridge,
)
from segcore.io.annotation import Shape
from segcore.io.shape_kinds import kind_of
from segcore.progress import CancelToken, ProgressCallback


@dataclass
class _Job:
    item: Item
    stem: str
    split: str
    out: Path
    names: list[str]
    has_ignore: bool


@dataclass
class _Result:
    stem: str
    ok: bool
    problems: list
    skipped: list
    instances: Counter = field(default_factory=Counter)
    written: list[Path] = field(default_factory=list)


def is_area(shape: Shape) -> bool:
    """Whether a shape covers an area (YOLO writes areas only)."""
    return kind_of(shape).has_area


def _visible_crop(imap: np.ndarray, inst_id: int, members: list[Shape]) -> tuple[np.ndarray, int, int] | None:
    """The pixels of instance ``inst_id`` left in ``imap`` as ``(bool crop, x0, y0)`` over
    their bounding box, or None when shapes drawn after it cover it entirely. Only the
    extent of its own shapes is searched."""
    height, width = imap.shape
    ext = [shape_extent(s) for s in members]
    x0 = max(0, math.floor(min(e[0] for e in ext)) - 1)
    y0 = max(0, math.floor(min(e[1] for e in ext)) - 1)
    x1 = min(width, math.ceil(max(e[2] for e in ext)) + 2)
    y1 = min(height, math.ceil(max(e[3] for e in ext)) + 2)
    if x1 <= x0 or y1 <= y0:
        return None
    crop = imap[y0:y1, x0:x1] == inst_id
    bx, by, bw, bh = cv2.boundingRect(crop.view(np.uint8))  # of the set pixels
    if bw == 0:
        return None
    return crop[by : by + bh, bx : bx + bw], x0 + bx, y0 + by


def unreached(shapes: list[Shape]) -> np.ndarray:
    """Per shape, whether no shape after it in the list reaches into its extent (nothing is
    drawn over it)."""
    if not shapes:
        return np.zeros(0, dtype=bool)
    e = np.array([shape_extent(s) for s in shapes], dtype=np.float64)
    apart = ((e[None, :, 0] > e[:, None, 2] + 1) | (e[None, :, 2] < e[:, None, 0] - 1)
             | (e[None, :, 1] > e[:, None, 3] + 1) | (e[None, :, 3] < e[:, None, 1] - 1))
    later = np.triu(np.ones((len(shapes), len(shapes)), dtype=bool), k=1)
    return ~(later & ~apart).any(axis=1)


def vector_line(shape: Shape, inst_id: int, imap: np.ndarray, class_index: int) -> str | None:
    """The YOLO line of a polygon that nothing is drawn over, written as its own vertices (in
    full precision), when an import reads it back as exactly the pixels of instance
    ``inst_id`` in ``imap``: every vertex read back as the same number (the same polygon), or
    else the polygon read back painted and compared. None for other shapes, a vertex outside
    the image (cutting the polygon at the border moves pixels), a vertex used twice (an import
    would split the ring there) or other pixels: the object is then traced."""
    op = kind_of(shape).paint(shape)
    if op.op != "polygon" or len(op.points) < 3:
        return None
    height, width = imap.shape
    pts = [(float(x), float(y)) for x, y in op.points]
    if len(set(pts)) != len(pts) or not all(0 <= x <= width - 1 and 0 <= y <= height - 1 for x, y in pts):
        return None
    texts = [_number(v) for x, y in pts for v in (x / width, y / height)]
    back = denormalise([float(t) for t in texts], width, height)  # as an import reads the line
    if len(set(back)) != len(back) or ring_area(back) <= 0:
        return None
    if back != pts:  # other numbers: compare the pixels
        box = shape_box(shape, height, width)
        crop = shape_crop(Shape(shape.label, back), height, width)
        if box is None or crop is None:
            return None
        m, x0, y0 = crop
        x1, y1 = x0 + m.shape[1], y0 + m.shape[0]
        if box[0] < x0 or box[1] < y0 or box[2] > x1 or box[3] > y1:  # the instance may have pixels outside
            return None
        if not np.array_equal(imap[y0:y1, x0:x1] == inst_id, m):
            return None
    return f"{class_index} " + " ".join(texts)


def _number(v: float) -> str:
    """``v`` in the fewest digits that read back as ``v``, without an exponent."""
    r = repr(v)
    return r if "e" not in r else f"{v:.20f}".rstrip("0")


def object_lines(shapes: list[Shape], height: int, width: int, classes: ClassList, path: Path | None = None,
                 indices: list[int] | None = None) -> tuple[list[str], Counter, list[Skipped]]:
    """The YOLO lines of an image's shapes (areas only), the instances per class written, and
    notes (objects entirely covered, an outline that does not reproduce its pixels)."""
    indices = indices if indices is not None else list(range(len(shapes)))
    if len(instances_of(shapes, classes, path=path)) <= MAX_INSTANCES:  # the same pixels on an 8-bit map
        imap, instances = object_map(shapes, height, width, classes)
    else:
        imap, instances = instance_map(shapes, height, width, classes, path=path)
    text = coordinate_text(width, height)
    lines: list[str] = []
    counts: Counter = Counter()
    notes: list[Skipped] = []
    free = unreached(shapes)
    done: list[tuple[Instance, list[str], Skipped | None]] = []  # per instance: its lines and a note
    traced: list[tuple[int, np.ndarray, int, int, list]] = []  # (slot, crop, x0, y0, rings) to outline
    for inst in instances:
        first = indices[inst.shape_indices[0]]
        if len(inst.shape_indices) == 1 and free[inst.shape_indices[0]]:
            line = vector_line(shapes[inst.shape_indices[0]], inst.id, imap, inst.class_id - 1)
            if line is not None:
                done.append((inst, [line], None))
                continue
        visible = _visible_crop(imap, inst.id, [shapes[i] for i in inst.shape_indices])
        if visible is None:
            done.append((inst, [], Skipped(path, first, f"instance {inst.label!r} is covered entirely by shapes "
                                                        "drawn after it (0 pixels left): not written")))
        else:
            crop, x0, y0 = visible
            traced.append((len(done), crop, x0, y0, mask_ring_arrays(crop, x0, y0)))
            done.append((inst, [], None))
    for (slot, crop, x0, y0, rings), valid in zip(traced, rings_valid([t[4] for t in traced])):
        inst = done[slot][0]
        outlines, whole = object_outline(crop, x0, y0, width, height, traced=rings, valid=valid)
        note = None if whole else Skipped(
            path, indices[inst.shape_indices[0]], f"instance {inst.label!r}: no single outline reproduces its "
            f"pixels (parts touching at corners inside a hole): written as {len(outlines)} rectangles, one line each")
        done[slot] = (inst, [text.line(inst.class_id - 1, o) for o in outlines], note)
    for inst, got, note in done:
        if note is not None:
            notes.append(note)
        if got:
            lines += got
            counts[inst.label] += 1
    return lines, counts, notes


def object_outline(crop: np.ndarray, x0: int, y0: int, width: int, height: int, rounds: int = 3, *,
                   traced: list[tuple[np.ndarray, bool]] | None = None, valid: bool | None = None,
                   ) -> tuple[list, bool]:
    """The YOLO outline(s) of the pixels of ``crop`` (placed at ``(x0, y0)``), each exactly what
    an import reads back: normally one bridged ring (``True``). Pixels the traced rings miss
    (a part touching the rest only at a corner inside a hole) are added as parts, pixels they
    add as holes; when that does not settle it, the pixels are split into disjoint rectangles,
    one outline each (``False``: the object is then several lines). ``traced`` and ``valid``:
    :func:`mask_ring_arrays` of the crop and :func:`rings_valid` of those, when known."""
    traced = mask_ring_arrays(crop, x0, y0) if traced is None else traced
    if exact_by_construction(traced, int(np.count_nonzero(crop)), valid):
        return [traced[0][0] if len(traced) == 1 else bridge_points([r for r, _ in traced])], True
    rings = [r for r, _ in traced]
    h, w = crop.shape
    for _ in range(rounds + 1):
        if len(rings) == 1:
            line, read = (rings[0] if len(rings[0]) >= 3 else bridge(rings)), [(rings[0], False)]
        else:  # bridge(rings) as an array (the same numbers), read back as an import does
            line = bridge_points([np.asarray(r, dtype=np.float64).reshape(-1, 2) for r in rings if len(r)])
            parts = unbridge(list(map(tuple, line.tolist())))
            read = holes_by_nesting([np.asarray(r, dtype=np.float64).reshape(-1, 2) for r in parts])
        back = rings_crop(read, width, height)  # what an import reads
        if back is not None and _same(back, crop, x0, y0):
            return [line], True
        got = np.zeros_like(crop)
        if back is not None:
            m, bx, by = back
            ys, xs = slice(max(y0, by), min(y0 + h, by + m.shape[0])), slice(max(x0, bx), min(x0 + w, bx + m.shape[1]))
            got[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0] = m[ys.start - by : ys.stop - by,
                                                                                 xs.start - bx : xs.stop - bx]
        rings += [r for r, _ in mask_ring_arrays(crop & ~got, x0, y0)]
        rings += [r for r, _ in mask_ring_arrays(got & ~crop, x0, y0)]
    return [bridge([r]) for r in run_rectangles(crop, x0, y0)], False  # exact by construction


def _same(back: tuple[np.ndarray, int, int], crop: np.ndarray, x0: int, y0: int) -> bool:
    m, bx, by = back
    h, w = crop.shape
    if bx > x0 or by > y0 or bx + m.shape[1] < x0 + w or by + m.shape[0] < y0 + h:
        return False
    inner = m[y0 - by : y0 - by + h, x0 - bx : x0 - bx + w]
    return bool(np.array_equal(inner, crop)) and int(np.count_nonzero(m)) == int(np.count_nonzero(crop))


def _yolo_job(job: _Job) -> _Result:
    classes = ClassList(job.names, job.has_ignore)
    chk = check_item(job.item, classes)
    res = _Result(job.stem, False, chk.problems, chk.skipped)
    if not chk.ok:
        return res
    shapes, indices = [], []
    for s, i in zip(chk.shapes, chk.indices):
        if not is_area(s):
            res.skipped.append(Skipped(job.item.json, i, f"a {s.shape_type} is not an area (YOLO needs areas)"))
        elif s.label == "__ignore__":
            res.skipped.append(Skipped(job.item.json, i, "an __ignore__ region has no YOLO form (left out; "
                                                         "objects drawn under it keep their pixels there)"))
        else:
            shapes.append(s)
            indices.append(i)
    lines, res.instances, notes = object_lines(shapes, chk.height, chk.width, classes, job.item.json, indices)
    res.skipped.extend(notes)
    try:
        res.written = [export_image(job.item.image, job.out / "images" / job.split, job.stem)]
    except SOURCE_ERRORS as exc:  # a failed write (OSError) stops the whole export
        return image_failed(res, job.item, exc)
    label = job.out / "labels" / job.split / f"{job.stem}.txt"
    files.write_file(label, "".join(f"{ln}\n" for ln in lines).encode())
    res.written.append(label)
    res.ok = True
    return res


def data_yaml(out: Path, splits: list[str], names: list[str]) -> str:
    """The Ultralytics dataset file: ``path`` (the export folder), one entry per split and
    ``names`` (index: name; names as JSON strings, which YAML reads as they are)."""
    lines = [f"path: {json.dumps(str(out.resolve()), ensure_ascii=False)}"]
    lines += [f"{s}: images/{s}" for s in splits]
    lines.append("names:")
    lines += [f"  {i}: {json.dumps(n, ensure_ascii=False)}" for i, n in enumerate(names)]
    return "\n".join(lines) + "\n"


def export_yolo(root: str | os.PathLike, out: str | os.PathLike, *,
                classes: ClassList | str | os.PathLike | list[str] | None = None,
                val_ratio: float = 0.2, seed: int = 0, split_from_flags: bool = False,
                overlays: bool = False, overwrite: bool = False, strict: bool = False,
                workers: int | None = None, progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None) -> ExportReport:
    """Export the labelled images under ``root`` to an Ultralytics YOLO segmentation folder.

    Arguments and the all-or-nothing replacement of ``out`` as
    :func:`segcore.formats.voc.export_voc` (``overlays`` is accepted and ignored). YOLO class
    ``k`` is class id ``k + 1`` of the class list (``_background_`` has no index).
    """
    del overlays
    plan = plan_export(root, out, "YOLO", classes=classes, val_ratio=val_ratio, seed=seed,
                       split_from_flags=split_from_flags, overwrite=overwrite, strict=strict, area_only=False,
                       workers=workers, progress=progress, cancel=cancel)
    report, tmp, cl = plan.report, plan.out, plan.classes
    with staged_writes(plan) as done:
        splits = ["train", "val"] + (["test"] if "test" in plan.splits else [])
        for s in splits:
            (tmp / "images" / s).mkdir(parents=True, exist_ok=True)
            (tmp / "labels" / s).mkdir(parents=True, exist_ok=True)
        jobs = [_Job(it, st, sp, tmp, list(cl.names), cl.has_ignore)
                for it, st, sp in zip(plan.items, plan.stems, plan.splits)]
        results = run_jobs(_yolo_job, jobs, workers=workers, progress=done, cancel=cancel, desc="YOLO export")
        counts = dict.fromkeys(splits, 0)
        for _, res, split in accepted_results(plan, results, strict=strict):
            report.instances.update(res.instances)
            counts[split] += 1
        report.splits.update(counts)
        p = tmp / "data.yaml"
        files.write_file(p, data_yaml(report.out, splits, list(cl.names[1:])).encode("utf-8"))
        report.written.append(p)
    return report
