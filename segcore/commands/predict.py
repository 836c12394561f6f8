"""``python -m segcore predict CHECKPOINT IMAGES_OR_FOLDER...``: pre-annotate images.

Writes (or updates, atomically) the LabelMe JSON beside each image: earlier model proposals are
replaced, shapes a person made are never changed or removed. Exit codes: 0 all done, 1 some
images failed (each named on stderr; the others were written), 2 unusable checkpoint or paths.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``predict``."""
    parser.add_argument("checkpoint", help="a checkpoint written by `segcore train`, or its ONNX export")
    parser.add_argument("paths", nargs="+", metavar="IMAGES_OR_FOLDER",
                        help="image files and/or folders (searched recursively)")
    parser.add_argument("--only-unlabelled", action="store_true",
                        help="skip images whose JSON already holds a shape a person made")
    parser.add_argument("--min-score", type=float, default=0.0,
                        help="drop proposals whose mean confidence is below this (0..1, default 0)")
    parser.add_argument("--tolerance", type=float, default=1.0,
                        help="polygon simplification tolerance in pixels (default 1)")
    parser.add_argument("--min-area", type=float, default=None,
                        help="drop components smaller than this many pixels (default 64, an 8x8 speck)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1, mps (default: best available)")
    parser.add_argument("--tile-size", type=int, default=None, help="tile side for large images (default 1024)")
    parser.add_argument("--batch-size", type=int, default=4, help="tiles per forward pass (default 4)")
    parser.add_argument("--no-amp", action="store_true", help="no fp16 autocast on CUDA (PyTorch engine)")
    parser.add_argument("--engine", choices=("auto", "torch", "onnxruntime"), default="auto",
                        help="auto (default): onnxruntime when installed and the ONNX export works (cached "
                             "beside the checkpoint), else PyTorch")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Pre-annotate ``args.paths``; returns the exit code."""
    if not 0.0 <= args.min_score <= 1.0:
        print(f"error: --min-score must be between 0 and 1, got {args.min_score}", file=sys.stderr)
        return 2
    if args.tolerance < 0:
        print(f"error: --tolerance must be >= 0, got {args.tolerance}", file=sys.stderr)
        return 2
    for flag, value, least in (("--tile-size", args.tile_size, 32), ("--batch-size", args.batch_size, 1)):
        if value is not None and value < least:
            print(f"error: {flag} must be at least {least}, got {value}", file=sys.stderr)
            return 2
    from segcore.checkpoint import CheckpointError
    from segcore.inference.engine import open_predictor
    from segcore.inference.preannotate import list_images, preannotate_many
    from segcore.progress import Cancelled, cli_progress

    try:
        images = list_images(args.paths)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not images:
        print("error: no images found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    try:
        predictor = open_predictor(args.checkpoint, engine=args.engine, device=args.device,
                                   tile_size=args.tile_size, batch_size=args.batch_size, amp=not args.no_amp)
    except (CheckpointError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"model: {predictor.describe()}", file=sys.stderr)
    if predictor.engine_note:
        print(f"note: {predictor.engine_note}", file=sys.stderr)
    progress = None if args.quiet else cli_progress(len(images), "pre-annotating")

    def on_error(exc: Exception) -> None:
        print(f"error: {exc}", file=sys.stderr)

    try:
        written, added, errors = preannotate_many(
            predictor, images, only_unlabelled=args.only_unlabelled, progress=progress, on_error=on_error,
            tolerance=args.tolerance, min_area=args.min_area, min_score=args.min_score)
    except Cancelled:
        print("cancelled", file=sys.stderr)
        return 130
    finally:
        if progress is not None:
            progress.close()
    skipped = len(images) - written - len(errors)
    print(f"{written} label files written, {added} proposed shapes, {skipped} skipped, {len(errors)} failed")
    return 1 if errors else 0
