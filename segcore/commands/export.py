"""``python -m segcore export FOLDER --format voc|coco|yolo|masks --out OUT``: a labelled folder
to a VOC segmentation folder, COCO instances JSON, an Ultralytics YOLO segmentation dataset or
flat index-mask PNGs, with a progress bar on stderr."""

from __future__ import annotations

import argparse
import json
import sys

from segcore.formats.exporters import EXPORTERS, exporter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the export command."""
    parser.add_argument("folder", help="folder of images with LabelMe JSON files (searched recursively)")
    parser.add_argument("--format", choices=EXPORTERS, required=True, help="output format")
    parser.add_argument("--out", required=True, help="output folder (must be empty unless --overwrite)")
    parser.add_argument("--labels", help="class list file (labels.txt style); default: the labels used")
    parser.add_argument("--val", type=float, default=0.2, help="share of images in the val split (default 0.2)")
    parser.add_argument("--split-seed", "--seed", dest="seed", type=int, default=0,
                        help="split seed (default 0, as `segcore train` splits)")
    parser.add_argument("--split-from-flags", action="store_true",
                        help="split by the image flags train/val/test instead of --val/--split-seed")
    parser.add_argument("--overlays", action="store_true", help="VOC: also write overlay images to look at")
    parser.add_argument("--colour", action="store_true", help="masks: also write colour PNGs")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the export in a non-empty OUT, once the new one is complete "
                             "(files the export does not write are kept)")
    parser.add_argument("--strict", action="store_true", help="any problem is fatal; nothing is written")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the export; returns the exit code.

    0: the export is complete (problems in the labelled folder, such as an image that does not
    decode, are listed, and those images or shapes left out; ``--strict`` makes them fatal).
    1: refused, strict problems, or a write failed (a full disk): nothing in OUT changed, and
    the message says how many images had been written. 2: bad input (folder, labels file).
    """
    from segcore.data.dataset import DatasetError
    from segcore.data.rasterize import ClassListError
    from segcore.formats.common import ExportError
    from segcore.progress import cli_progress

    export = exporter(args.format)
    extra = {"colour": True} if args.format == "masks" and args.colour else {}
    progress = None if args.quiet else cli_progress(0, "")
    try:
        report = export(args.folder, args.out, classes=args.labels, val_ratio=args.val, seed=args.seed,
                        split_from_flags=args.split_from_flags, overlays=args.overlays,
                        overwrite=args.overwrite, strict=args.strict, workers=args.workers, progress=progress, **extra)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.report is not None:
            for p in exc.report.problems:
                print(f"  {p}", file=sys.stderr)
        return 1
    except (DatasetError, ClassListError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # reading the labelled folder failed (writes are ExportErrors)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report.to_json(), indent=2) if args.json else report.to_text())
    return 0
