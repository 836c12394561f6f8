"""A generated LabelMe folder for training tests: coloured squares and discs on noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from segcore.io.annotation import Shape, new_annotation, save


def make_dataset(root: Path, n: int = 8, size: int = 48, seed: int = 0) -> Path:
    """``n`` images ``size`` x ``size`` with one red square and one blue disc each, labelled."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(n):
        img = rng.integers(90, 140, (size, size, 3)).astype(np.uint8)
        s = int(rng.integers(size // 5, size // 3))
        x0, y0 = int(rng.integers(0, size // 2 - s // 2)), int(rng.integers(0, size - s - 1))
        img[y0 : y0 + s + 1, x0 : x0 + s + 1] = (220, 40, 40)
        r = int(rng.integers(size // 8, size // 5))
        cx, cy = int(rng.integers(size // 2 + r, size - r)), int(rng.integers(r, size - r))
        img[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = (40, 40, 220)
        image_path = root / f"img_{i:03d}.png"
        Image.fromarray(img).save(image_path)
        json_path = image_path.with_suffix(".json")
        ann = new_annotation(image_path, json_path, size, size)
        ann.shapes = [
            Shape("square", [(x0, y0), (x0 + s, y0 + s)], shape_type="rectangle"),
            Shape("disc", [(cx, cy), (cx + r, cy)], shape_type="circle"),
        ]
        save(ann, json_path)
    return root


def train_parser():
    """The ``segcore train`` argument parser alone."""
    import argparse

    from segcore.commands.train import add_arguments

    parser = argparse.ArgumentParser(prog="segcore train")
    add_arguments(parser)
    return parser


def parse_train_argv(argv: list[str]):
    """The :class:`TrainConfig` that ``segcore train ARGV`` runs."""
    from segcore.commands.train import config_from_args

    return config_from_args(train_parser().parse_args(argv))


def train_configs():
    """A hypothesis strategy of training configurations: every field takes any value its
    command-line flag can spell (choices as the parser lists them), derived from the dataclass."""
    import dataclasses
    import typing

    from hypothesis import strategies as st

    from segcore.commands.train import FLAGS
    from segcore.training.config import TrainConfig

    choices = {a.dest: a.choices for a in train_parser()._actions if a.choices}
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
    number = st.floats(min_value=1e-4, max_value=1e5, allow_nan=False, allow_infinity=False)
    plain = {
        int: st.integers(1, 100_000), float: number, bool: st.booleans(), str: text,
        dict: st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
                              st.one_of(st.integers(-9, 99), number, st.booleans(), text), max_size=3),
    }
    fields = {}
    for name, hint in typing.get_type_hints(TrainConfig).items():
        kinds = [k for k in typing.get_args(hint) if k is not type(None)] or [hint]
        dest = FLAGS[name].lstrip("-").replace("-", "_")
        strategy = st.sampled_from(sorted(choices[dest])) if dest in choices else plain[kinds[0]]
        fields[name] = st.one_of(st.none(), strategy) if type(None) in typing.get_args(hint) else strategy
    fields["folder"] = st.from_regex(r"[A-Za-z0-9_/.][A-Za-z0-9_/. -]{0,15}", fullmatch=True)
    assert set(fields) == {f.name for f in dataclasses.fields(TrainConfig)}
    return st.builds(TrainConfig, **fields).filter(lambda c: c.epochs is not None or c.minutes)
