"""Property test: COCO files with random, missing and wrong-typed fields, hostile paths, random
RLE and polygons, random sizes. The import never raises (except :class:`ExportError` for a
file that is not COCO at all, which the CLI turns into a message), never changes anything
outside the images folder, and every label file it writes passes the ``info`` checks."""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segcore.data.dataset import summarize
from segcore.formats.common import ExportError
from segcore.formats.importers import import_coco
from segcore.io.annotation import load
from tests.segcore.export_fixtures import write_image

mask_utils = pytest.importorskip("pycocotools.mask")

SIZES = {"a.png": (16, 12), "b.jpg": (10, 8), "sub/c.png": (8, 8), "d.png": (12, 12)}
SENTINEL = '{"not": "yours"}'

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6), st.lists(st.integers(-2, 20), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
NUMBER = st.one_of(st.integers(-3, 20), st.floats(-3, 20, allow_nan=False), st.sampled_from([1e308, -1e308, 2**70]),
                   st.floats(allow_nan=True, allow_infinity=True))
HOSTILE_NAMES = ["../outside/victim.png", "link/victim.png", "sub/../a.png", "missing.png", "a.json", "", ".",
                 "sub", "../images/a.png", "d.png"]


class _Gen:
    """Draws a COCO document. Its structure comes from a seeded random, so that most documents
    are plausible and reach the writing code: a document-wide ``harm`` (0, 0.5, 1 or 3) scales
    how often each value is broken; breaking values (NaN, huge numbers, wrong types) are drawn
    by hypothesis."""

    def __init__(self, draw, outside: str):
        self.draw, self.outside = draw, outside
        self.rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
        self.harm = self.rnd.choice([0.0, 0.5, 1.0, 3.0])

    def chance(self, p: float) -> bool:
        return self.rnd.random() < p

    def bad(self, p: float) -> bool:
        return self.rnd.random() < p * self.harm

    def junk(self) -> object:
        return self.draw(JUNK)

    def maybe(self, d: dict, p: float = 0.01) -> dict:
        """Now and then drop a key of ``d`` or put junk into it."""
        for k in list(d):
            if self.bad(p):
                d.pop(k)
            elif self.bad(p):
                d[k] = self.junk()
        return d

    def an_id(self, known: list[int]) -> object:
        if self.bad(0.02):
            return self.junk()
        return self.rnd.randint(0, 6) if self.bad(0.05) or not known else self.rnd.choice(known)

    def file_name(self, unused: list[str]) -> object:
        if unused and not self.bad(0.15):
            return unused.pop(self.rnd.randrange(len(unused)))
        if self.chance(0.85):
            return self.rnd.choice([*HOSTILE_NAMES, f"{self.outside}/victim.png"])
        return self.draw(st.one_of(st.text(max_size=8), JUNK))

    def rle(self, w: int, h: int) -> object:
        if self.bad(0.03):
            w, h = self.rnd.randint(1, 30), self.rnd.randint(1, 30)
        if not self.bad(0.1):  # a real mask (a rectangle, maybe with a hole), encoded by pycocotools
            m = np.zeros((h, w), np.uint8, order="F")
            x0, y0 = self.rnd.randrange(w), self.rnd.randrange(h)
            m[y0 : self.rnd.randint(y0 + 1, h), x0 : self.rnd.randint(x0 + 1, w)] = 1
            if self.chance(0.3):
                x0, y0 = self.rnd.randrange(w), self.rnd.randrange(h)
                m[y0 : self.rnd.randint(y0, h), x0 : self.rnd.randint(x0, w)] = 0
            counts: object = _runs(m) if self.chance(0.4) else mask_utils.encode(m)["counts"].decode("ascii")
        elif self.chance(0.5):
            counts = self.draw(st.lists(st.integers(-5, w * h), max_size=6))
        elif self.chance(0.7):
            counts = self.draw(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=120), max_size=12))
        else:
            counts = self.junk()
        size = self.draw(st.lists(st.integers(0, 30), max_size=3)) if self.bad(0.03) else [h, w]
        return self.maybe({"size": size, "counts": counts})

    def point(self, w: int, h: int) -> list:
        if self.bad(0.01):
            return [self.draw(NUMBER), self.draw(NUMBER)]
        slack = 1.2 if self.bad(0.2) else 1.0
        return [self.rnd.uniform(-slack, w + slack), self.rnd.uniform(-slack, h + slack)]

    def segmentation(self, w: int, h: int) -> object:
        if self.bad(0.05):
            return self.draw(st.one_of(st.lists(st.lists(NUMBER, max_size=10), max_size=3), JUNK))
        if self.chance(0.5):
            return self.rle(w, h)
        return [[v for _ in range(self.rnd.randint(3, 6)) for v in self.point(w, h)]
                for _ in range(self.rnd.randint(1, 2))]

    def document(self) -> object:
        if self.bad(0.01):
            return self.junk()
        images, size_of, unused = [], {}, sorted(SIZES)
        for k in range(self.rnd.randint(1, 5)):
            if self.bad(0.03):
                images.append(self.junk())
                continue
            name = self.file_name(unused)
            w, h = SIZES.get(name, (16, 12)) if isinstance(name, str) else (16, 12)
            if self.bad(0.03):
                w, h = self.rnd.randint(-1, 30), self.rnd.randint(-1, 30)
            image_id = self.rnd.choice(list(size_of)) if size_of and self.bad(0.03) else k
            size_of[image_id] = (max(w, 1), max(h, 1))
            images.append(self.maybe({"id": image_id, "file_name": name, "width": w, "height": h}))
        cats = []
        for k in range(self.rnd.randint(1, 3)):
            name = self.rnd.choice(["cat", "dog"]) if not self.bad(0.05) else self.draw(
                st.one_of(st.sampled_from(["__ignore__", "_background_", " "]), st.text(max_size=4)))
            cats.append(self.maybe({"id": self.rnd.randint(0, 3) if self.bad(0.03) else k + 1, "name": name}))
        anns = []
        for k in range(self.rnd.randint(0, 6)):
            if self.bad(0.02):
                anns.append(self.junk())
                continue
            image_id = self.an_id(list(size_of))
            w, h = size_of.get(image_id, (16, 12)) if isinstance(image_id, int) else (16, 12)
            a = {"id": self.junk() if self.bad(0.02) else k, "image_id": image_id,
                 "category_id": self.an_id([c["id"] for c in cats if isinstance(c.get("id"), int)]),
                 "segmentation": self.segmentation(min(w, 64), min(h, 64)),
                 "iscrowd": self.junk() if self.bad(0.02) else self.rnd.choice([0, 0, 0, 1])}
            anns.append(self.maybe(a))
        return self.maybe({"images": images, "categories": cats, "annotations": anns}, 0.005)


def _runs(mask: np.ndarray) -> list[int]:
    """Uncompressed (column-major) RLE counts of a mask, starting with a 0-run."""
    flat = mask.T.ravel().astype(np.int8)
    edges = np.flatnonzero(np.diff(flat)) + 1
    runs = np.diff(np.concatenate([[0], edges, [flat.size]])).tolist()
    return ([0] + runs) if flat[0] else runs


@st.composite
def coco_documents(draw, outside: str) -> object:
    """A COCO document for the project made by :func:`_project`, often broken or hostile."""
    return _Gen(draw, outside).document()


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed) with its bytes; links as their target."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = Path(dirpath, name)
            out[str(p.relative_to(folder))] = (b"link:" + os.readlink(p).encode()) if p.is_symlink() else p.read_bytes()
    return out


def _project(root: Path) -> Path:
    images, outside = root / "images", root / "outside"
    (images / "sub").mkdir(parents=True)
    outside.mkdir()
    for name, (w, h) in SIZES.items():
        write_image(images / name, w, h)
    write_image(outside / "victim.png", 16, 12)
    (outside / "victim.json").write_text(SENTINEL)
    (images / "link").symlink_to(outside, target_is_directory=True)
    (images / "d.json").symlink_to(outside / "victim.json")
    (images / "b.json").write_text(SENTINEL)  # kept unless overwrite
    return images


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), tolerance=st.sampled_from([0.0, 1.0]), overwrite=st.booleans())
def test_fuzzed_coco_never_raises_never_escapes_and_writes_only_clean_files(data, tolerance, overwrite):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        images = _project(root)
        doc = data.draw(coco_documents(str(root / "outside")))
        src = root / "instances.json"
        src.write_text(json.dumps(doc))
        before_outside = _snapshot(root / "outside")
        before_root = {k: v for k, v in _snapshot(root).items() if not k.startswith("images" + os.sep)}
        before_images = _snapshot(images)
        try:
            report = import_coco(src, images, tolerance=tolerance, overwrite=overwrite, workers=1)
        except ExportError as exc:
            assert str(src) in str(exc)
            assert _snapshot(images) == before_images
            report = None
        assert _snapshot(root / "outside") == before_outside
        assert {k: v for k, v in _snapshot(root).items() if not k.startswith("images" + os.sep)} == before_root
        after_images = _snapshot(images)
        changed = {k for k in after_images if after_images[k] != before_images.get(k)}
        if report is None:
            return
        written = {str(p.relative_to(images)) for p in report.written}
        assert changed <= written
        assert all(k.endswith(".json") and not k.startswith("link") for k in written)
        assert report.images == len(report.written)
        assert report.requested == report.images + report.refused + report.kept
        assert report.complete == (0 < report.images == report.requested and not report.problems)
        if not written:
            return
        summary = summarize(images)
        for p in report.written:
            ann = load(p)
            assert (ann.image_width, ann.image_height) == SIZES[str(p.relative_to(images).with_suffix(
                Path(ann.image_path).suffix))]
            mine = {p, p.with_name(Path(ann.image_path).name)}
            assert [str(x) for x in summary.problems if x.path in mine] == []
