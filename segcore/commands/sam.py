"""``python -m segcore sam FOLDER --boxes-to-polygons``: rectangles to outlines with a SAM model.

Each rectangle shape of the folder's LabelMe files is a box prompt; the object's outline is
added after it (polygons, or ``mask`` shapes with ``--mask``) with the box's label. The boxes
stay unless ``--replace`` (a box that gives nothing always stays), so a detector's boxes can be
outlined and checked side by side. Files are written atomically and only when they change.

Weights are fetched on first use into osam's cache (``--mirror`` or ``$OSAM_BLOB_ENDPOINT``
for another source; ``--no-download`` to never use the network).

Exit codes: 0 all done, 1 some files failed (each named on stderr; the others were written),
2 unusable folder, model or weights.
"""

from __future__ import annotations

import argparse
import sys

from segcore.interactive.cleanup import DEFAULT_MIN_AREA
from segcore.interactive.sam_osam import DEFAULT_MODEL


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``sam``."""
    parser.add_argument("folder", help="folder of images and LabelMe JSON files (searched recursively)")
    parser.add_argument("--boxes-to-polygons", action="store_true",
                        help="outline the object in each rectangle shape")
    parser.add_argument("--replace", action="store_true",
                        help="remove each rectangle that gave an outline (default: keep it)")
    parser.add_argument("--mask", action="store_true", help="write mask shapes instead of polygons")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"promptable model (default {DEFAULT_MODEL})")
    parser.add_argument("--tolerance", type=float, default=1.0,
                        help="polygon simplification tolerance in pixels (default 1)")
    parser.add_argument("--min-area", type=float, default=DEFAULT_MIN_AREA,
                        help=f"drop parts smaller than this many pixels (default {DEFAULT_MIN_AREA:g}; "
                             "the largest part stays)")
    parser.add_argument("--mirror", default=None,
                        help="fetch weights from MIRROR/<sha256> (default: $OSAM_BLOB_ENDPOINT, else the origin)")
    parser.add_argument("--no-download", action="store_true", help="fail instead of downloading missing weights")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _load(args: argparse.Namespace):
    """The model, its weights fetched first when allowed; prints why and returns None when it cannot."""
    from segcore.interactive.promptable import ModelError
    from segcore.interactive.sam_models import load_model, needed_files
    from segcore.interactive.weights import WeightsError, fetch_all
    from segcore.progress import Cancelled, cli_progress

    try:
        missing = needed_files(args.model)
        if missing and args.no_download:
            names = ", ".join(f.name for f in missing)
            print(f"error: {args.model}: weights not downloaded ({names}) and --no-download was given",
                  file=sys.stderr)
            return None
        for f in missing:
            progress = None if args.quiet else cli_progress(0, f"downloading {f.name}")
            try:
                fetch_all([f], mirror=args.mirror, progress=progress)
            finally:
                if progress is not None:
                    progress.close()
        return load_model(args.model)
    except (ModelError, WeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except Cancelled:
        print("cancelled", file=sys.stderr)
    return None


def run(args: argparse.Namespace) -> int:
    """Run the chosen operation on ``args.folder``; returns the exit code."""
    if not args.boxes_to_polygons:
        print("error: choose an operation: --boxes-to-polygons", file=sys.stderr)
        return 2
    if args.tolerance < 0 or args.min_area < 0:
        print("error: --tolerance and --min-area must be >= 0", file=sys.stderr)
        return 2
    from segcore.data.dataset import DatasetError, scan

    try:
        items = [it for it in scan(args.folder) if it.json is not None]
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from segcore.io import annotation as sa

    todo = []
    failed = 0
    for it in items:
        try:
            ann = sa.load(it.json)
        except (sa.AnnotationError, OSError) as exc:
            print(f"error: {it.json}: {exc}", file=sys.stderr)
            failed += 1
            continue
        if any(s.shape_type == "rectangle" for s in ann.shapes):
            todo.append((it, ann))
    if not todo:
        print(f"no rectangle shapes in {args.folder} ({len(items)} label files): nothing to do")
        return 1 if failed else 0
    model = _load(args)
    if model is None:
        return 2
    return _convert(model, todo, args, failed)


def _convert(model, todo, args: argparse.Namespace, failed: int) -> int:
    from segcore.interactive.sam_boxes import boxes_to_shapes
    from segcore.io import annotation as sa
    from segcore.io.imageio import ImageReadError, read_image
    from segcore.progress import cli_progress

    progress = None if args.quiet else cli_progress(len(todo), "outlining boxes")
    boxes = converted = made = written = 0
    try:
        for n, (it, ann) in enumerate(todo, 1):
            try:
                image = read_image(it.image)
                if ann.image_width and ann.image_width != image.shape[1]:
                    raise ValueError(f"the image is {image.shape[1]}x{image.shape[0]} but the label file says "
                                     f"{ann.image_width}x{ann.image_height}")
                result = boxes_to_shapes(model, model.encode(image), ann, replace=args.replace,
                                         as_mask=args.mask, tolerance=args.tolerance, min_area=args.min_area)
                if result.shapes:
                    sa.save(result.annotation, it.json)
                    written += 1
            except (ImageReadError, ValueError, OSError) as exc:
                print(f"error: {it.json}: {exc}", file=sys.stderr)
                failed += 1
                continue
            finally:
                if progress is not None:
                    progress(n, len(todo), "")
            boxes, converted, made = boxes + result.boxes, converted + result.converted, made + result.shapes
            for what in result.empty:
                print(f"{it.json}: nothing found in box {what}; it was kept", file=sys.stderr)
    finally:
        if progress is not None:
            progress.close()
    kept = "replaced" if args.replace else "kept"
    print(f"{converted} of {boxes} boxes outlined ({made} shapes, boxes {kept}), "
          f"{written} label files written, {failed} failed")
    return 1 if failed else 0
