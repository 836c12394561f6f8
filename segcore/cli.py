"""Command-line entry point: ``python -m segcore COMMAND ...``.

Each command lives in its own module under :mod:`segcore.commands` and exposes
``add_arguments(parser)`` and ``run(args) -> int``. Modules are imported only when their
command runs, so ``--help`` and light commands never pay for importing torch.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "info": ("segcore.commands.info", "summarise a labelled folder: images, classes, problems"),
    "export": ("segcore.commands.export", "export a labelled folder to VOC or COCO"),
    "import": ("segcore.commands.import_", "import COCO / VOC / index masks into LabelMe JSON"),
    "predict": ("segcore.commands.predict", "pre-annotate images with a trained checkpoint"),
    "train": ("segcore.commands.train", "train a segmentation model on a labelled folder"),
    "eval": ("segcore.commands.eval", "evaluate a checkpoint on a labelled folder"),
    "export-onnx": ("segcore.commands.export_onnx", "export a checkpoint to ONNX"),
    "sam": ("segcore.commands.sam", "outline a folder's rectangle shapes with a SAM model (box prompts)"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the top-level parser; only ``command``'s module is imported for its arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m segcore",
        description="Segmentation dataset and model engine (LabelMe-compatible).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            importlib.import_module(module_name).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in COMMANDS:
        command = None
    try:
        parser = build_parser(command)
    except ModuleNotFoundError as exc:  # a command whose module is not built yet
        print(f"error: command {command!r} is not available: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
