"""``python -m segcore import coco|voc|masks|yolo|cvat SOURCE ...``: COCO instances, a VOC folder,
a folder of index masks, a YOLO dataset (segmentation or detection) or CVAT for images XML into
LabelMe JSON next to the images, with a progress bar on stderr.

Examples::

    python -m segcore import coco annotations/instances_train.json --images images/
    python -m segcore import voc VOC_ROOT [--labels class_names.txt]
    python -m segcore import masks IMAGES_DIR --masks MASKS_DIR --labels class_names.txt --ignore-value 11
    python -m segcore import yolo DATASET_DIR [--labels classes.txt]
    python -m segcore import cvat annotations.xml --images IMAGES_DIR

Exit codes: 0 when every image with something to import got its label file and nothing was
wrong; 1 when some were not written (refused for a problem, or an existing label file kept
without --overwrite), a problem was found, or there was nothing to import: the report says
"wrote N of M images" and names each problem; 2 when the import cannot start (bad arguments,
not a COCO file, no such folder).
Label files are only ever written inside the images folder. COCO crowd regions (iscrowd 1)
become __ignore__ shapes whose description names their category.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the import command."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = __doc__.split("Examples::", 1)[1].strip("\n")
    parser.add_argument("format", choices=("coco", "voc", "masks", "yolo", "cvat"), help="what to import")
    parser.add_argument("source", help="coco: the instances JSON; voc: the VOC folder; masks: the images folder; "
                                           "yolo: the dataset folder; cvat: the annotations XML")
    parser.add_argument("--images", help="coco, cvat: folder the image names are relative to")
    parser.add_argument("--masks", help="masks: folder of index-mask PNGs named like the images")
    parser.add_argument("--labels", help="class list (one name a line, index = pixel value); "
                                         "required for masks, default class_names.txt for voc, "
                                         "data.yaml / classes.txt for yolo")
    parser.add_argument("--ignore-value", type=int, default=None, help="masks: pixel value meaning ignore")
    parser.add_argument("--tolerance", type=float, default=1.0,
                        help="polygon simplification in pixels (0 = lossless, default 1)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing LabelMe JSON files")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the import; exit code 0 when complete, 1 when not everything was written or a
    problem was found, 2 when it cannot start."""
    from segcore.formats import importers
    from segcore.formats.common import ExportError
    from segcore.progress import cli_progress

    progress = None if args.quiet else cli_progress(0, "")
    common = {"tolerance": args.tolerance, "overwrite": args.overwrite, "workers": args.workers,
              "progress": progress}
    try:
        if args.format in ("coco", "cvat"):
            if not args.images:
                print(f"error: import {args.format} needs --images FOLDER", file=sys.stderr)
                return 2
            fn = importers.import_coco if args.format == "coco" else importers.import_cvat
            report = fn(args.source, args.images, **common)
        elif args.format == "yolo":
            report = importers.import_yolo(args.source, class_names=args.labels, **common)
        elif args.format == "voc":
            report = importers.import_voc(args.source, class_names=args.labels, **common)
        else:
            if not args.masks or not args.labels:
                print("error: import masks needs --masks FOLDER and --labels FILE", file=sys.stderr)
                return 2
            report = importers.import_index_masks(args.source, args.masks, args.labels,
                                                  ignore_value=args.ignore_value, **common)
    except (ExportError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_json(), indent=2) if args.json else report.to_text())
    return 0 if report.complete else 1
