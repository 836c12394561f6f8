"""``python -m segcore info FOLDER``: summarise a labelled folder (classes, counts, problems).

Exit codes: 0 when the folder could be read (even if it has problems; they are listed), 2 when
the folder or the labels file cannot be used.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from segcore.data.dataset import DatasetError, DatasetSummary, summarize
from segcore.data.rasterize import ClassList, ClassListError

# Without --images, at most this many images are listed one per line.
MAX_LISTED_IMAGES = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``info``."""
    parser.add_argument("folder", help="folder of images and LabelMe JSON files (searched recursively)")
    parser.add_argument("--labels", metavar="FILE",
                        help="class list (labels.txt: optional __ignore__, _background_, then one class "
                             "a line); without it the classes are collected from the JSON files")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--images", action="store_true",
                        help=f"list every image with its labels (by default only up to {MAX_LISTED_IMAGES})")
    parser.add_argument("--no-image-check", action="store_true",
                        help="trust the JSON's imageWidth/imageHeight instead of reading image headers")


def run(args: argparse.Namespace) -> int:
    """Summarise ``args.folder``; returns the exit code."""
    classes = None
    if args.labels:
        try:
            classes = ClassList.from_file(args.labels)
        except ClassListError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    progress = None
    if not args.json and sys.stderr.isatty():
        from segcore.progress import cli_progress

        progress = cli_progress(desc="reading labels")
    try:
        summary = summarize(args.folder, classes, check_images=not args.no_image_check, progress=progress)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.json:
            json.dump(summary.to_json(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            print_summary(summary, sys.stdout, list_all=args.images,
                          class_source=f"from {args.labels}" if args.labels else "collected from the labels")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def print_summary(summary: DatasetSummary, out: TextIO, *, list_all: bool = False,
                  class_source: str = "") -> None:
    """Write the human-readable report: counts, class table, images, problems."""
    w = out.write
    n = len(summary.items)
    w(f"Folder: {summary.root}\n")
    broken = f", {summary.broken} with an unreadable label file" if summary.broken else ""
    w(f"Images: {n} ({summary.labelled} labelled, {summary.unlabelled} unlabelled{broken})\n")
    if not n:
        from segcore.io.imageio import IMAGE_EXTENSIONS

        w(f"No images found (searched recursively for {', '.join(sorted(IMAGE_EXTENSIONS))}).\n")
    elif not summary.labelled and not summary.broken:
        w("No image has a LabelMe JSON beside it yet: nothing to export or train on.\n")
    if summary.proposed:
        w(f"{summary.proposed} unreviewed model proposals in {summary.proposal_images} images are not counted "
          "(training and export leave them out until a person accepts them)\n")
    w(f"Classes: {len(summary.classes) - 1} plus background"
      f"{' and __ignore__' if summary.classes.has_ignore else ''}"
      f"{f' ({class_source})' if class_source else ''}\n\n")

    rows = [("class", "id", "images", "instances", "pixels %")]
    total = summary.total_pixels or 1
    ids = {name: str(i) for i, name in enumerate(summary.classes.names)}
    for name, s in summary.class_stats.items():
        rows.append((name, ids.get(name, "255"), str(s.images), str(s.instances), f"{100 * s.pixels / total:.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for k, r in enumerate(rows):
        w("  ".join([r[0].ljust(widths[0])] + [c.rjust(widths[i]) for i, c in enumerate(r) if i]) .rstrip() + "\n")
        if k == 0:
            w("  ".join("-" * x for x in widths) + "\n")

    if n:
        shown = summary.items if list_all else summary.items[:MAX_LISTED_IMAGES]
        w("\nImages:\n")
        kw = max(len(it.key) for it in shown)
        for it in shown:
            labels = summary.image_labels.get(it.key)
            if it.json is None:
                text = "(no label file)"
            elif labels is None:
                text = "(label file unreadable)"
            else:
                text = ", ".join(labels) if labels else "(no shapes)"
            w(f"  {it.key.ljust(kw)}  {text}\n")
        if len(shown) < n:
            w(f"  ... and {n - len(shown)} more (--images lists them all)\n")

    if summary.problems:
        w(f"\nProblems ({len(summary.problems)}):\n")
        for p in summary.problems:
            w(f"  [{p.kind}] {p}\n")
    else:
        w("\nNo problems found.\n")
