"""Review state of an image (no labels / proposals to review / reviewed), the counts that take
only what a person made or accepted, and the confidence scored proposals stand for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from segcore.data.rasterize import shape_mask
from segcore.data.review import (
    NONE,
    PROPOSALS,
    REVIEWED,
    file_review_state,
    is_ground_truth,
    label_counts,
    proposal_confidence,
    review_state,
)
from segcore.io.annotation import Shape, load, new_annotation, save
from segcore.training.data import prepare_folder, training_readiness

from .train_helpers import make_dataset


def _tri(label: str, x: float = 0.0, **kw) -> Shape:
    return Shape(label, [(x, 0.0), (x + 5.0, 0.0), (x + 5.0, 5.0)], **kw)


def test_states_of_annotations(tmp_path):
    img = tmp_path / "a.png"
    Image.new("RGB", (20, 10)).save(img)
    ann = new_annotation(img, img.with_suffix(".json"), 20, 10)
    assert review_state(None) == NONE and review_state(ann) == NONE
    ann.shapes = [_tri("car", proposed=True, score=0.4)]
    assert review_state(ann) == PROPOSALS and not is_ground_truth(ann)
    ann.shapes.append(_tri("dog", 8.0))  # a person's shape beside a proposal: still to review
    assert review_state(ann) == PROPOSALS and is_ground_truth(ann)
    ann.shapes[0].proposed, ann.shapes[0].score = False, None  # accepted
    assert review_state(ann) == REVIEWED
    assert label_counts([_tri("car"), _tri("car", proposed=True), _tri("dog", proposed=True)]) == (
        {"car": 1}, {"car": 1, "dog": 1})


def test_file_state_of_missing_broken_and_empty_files(tmp_path):
    assert file_review_state(tmp_path / "missing.json") == NONE
    (tmp_path / "broken.json").write_text('{"shapes": [', encoding="utf-8")
    assert file_review_state(tmp_path / "broken.json") == NONE
    (tmp_path / "empty.json").write_text(json.dumps({"shapes": [], "imagePath": "a.png"}), encoding="utf-8")
    assert file_review_state(tmp_path / "empty.json") == NONE
    (tmp_path / "null.json").write_text(json.dumps({"shapes": None, "proposed": True}), encoding="utf-8")
    assert file_review_state(tmp_path / "null.json") == NONE


_flags = st.lists(st.tuples(st.sampled_from(["car", "dog"]), st.sampled_from([None, False, True])), max_size=6)


@settings(max_examples=40, deadline=None)
@given(flags=_flags)
def test_file_state_matches_the_parsed_file(tmp_path_factory, flags):
    """The quick file check agrees with the state of the fully read annotation, whatever the
    mix of proposals and a person's shapes (``"proposed": null`` means a person's shape)."""
    folder = tmp_path_factory.mktemp("f")
    shapes = [{"label": lab, "points": [[0, 0], [4, 0], [4, 4]], "shape_type": "polygon",
               **({} if p is None else {"proposed": p, "score": 0.5 if p else None})} for lab, p in flags]
    jp = folder / "a.json"
    jp.write_text(json.dumps({"version": "5.5.0", "flags": {}, "shapes": shapes, "imagePath": "a.png",
                              "imageData": None, "imageHeight": 10, "imageWidth": 10}), encoding="utf-8")
    assert file_review_state(jp) == review_state(load(jp))


def test_proposal_confidence_is_each_score_over_its_pixels():
    a = Shape("car", [(2.0, 2.0), (9.0, 6.0)], shape_type="rectangle", proposed=True, score=0.25)
    b = Shape("car", [(6.0, 4.0), (14.0, 8.0)], shape_type="rectangle", proposed=True, score=0.75)
    person = Shape("dog", [(0.0, 0.0), (19.0, 9.0)], shape_type="rectangle")
    unscored = Shape("cat", [(15.0, 0.0), (19.0, 3.0)], shape_type="rectangle", proposed=True)
    assert proposal_confidence([person, unscored], 10, 20) is None
    conf, step = proposal_confidence([person, a, b, unscored], 10, 20)
    assert step == 1 and conf.shape == (10, 20) and conf.dtype == np.float32
    ma, mb = shape_mask(a, 10, 20), shape_mask(b, 10, 20)
    assert np.all(conf[ma] == 0.25)  # the lower score where they overlap
    assert np.all(conf[mb & ~ma] == 0.75)
    assert np.all(conf[~ma & ~mb] == 1.0)


@settings(max_examples=40, deadline=None)
@given(x0=st.integers(-5, 60), y0=st.integers(-5, 40), w=st.integers(1, 30), h=st.integers(1, 30),
       max_side=st.integers(4, 70), score=st.floats(0.0, 1.0, width=32))
def test_reduced_confidence_samples_the_full_map(x0, y0, w, h, max_side, score):
    """A big image's map is the full-resolution map sampled every ``step`` pixels."""
    shape = Shape("car", [(float(x0), float(y0)), (float(x0 + w), float(y0 + h))], shape_type="rectangle",
                  proposed=True, score=score)
    full, one = proposal_confidence([shape], 45, 65, max_side=4096)
    small, step = proposal_confidence([shape], 45, 65, max_side=max_side)
    assert one == 1 and max(small.shape) <= max_side
    np.testing.assert_array_equal(small, full[::step, ::step])


def _proposals_only(folder: Path, names: list[str]) -> None:
    for name in names:
        src = folder / "img_000.png"
        img = folder / f"{name}.png"
        img.write_bytes(src.read_bytes())
        ann = new_annotation(img, img.with_suffix(".json"), 48, 48)
        ann.shapes = [Shape("square", [(4.0, 4.0), (20.0, 20.0)], shape_type="rectangle", proposed=True, score=0.9),
                      Shape("blob", [(30.0, 30.0), (40.0, 40.0)], shape_type="rectangle", proposed=True, score=0.6)]
        save(ann, img.with_suffix(".json"))


def test_training_summary_counts_only_a_persons_work(tmp_path):
    data = make_dataset(tmp_path / "data", n=3)
    _proposals_only(data, ["p1", "p2"])
    mixed = load(data / "img_000.json")
    mixed.shapes.append(Shape("blob", [(1.0, 40.0), (6.0, 46.0)], shape_type="rectangle", proposed=True, score=0.5))
    save(mixed, data / "img_000.json")
    r = training_readiness(data)
    assert r["labelled"] == 3 and r["to_review"] == 2 and r["unlabelled"] == 0
    assert r["classes"]["square"]["instances"] == 3 and "blob" not in r["classes"]
    assert any("2 images hold only unreviewed model proposals" in w for w in r["warnings"])


def test_training_uses_no_image_holding_only_proposals(tmp_path):
    data = make_dataset(tmp_path / "data", n=3)
    _proposals_only(data, ["p1"])
    prepared = prepare_folder(data, cache_dir=tmp_path / "cache", val_ratio=0.34)
    keys = {s.key for s in prepared.train + prepared.val}
    assert keys == {"img_000", "img_001", "img_002"}
    assert "blob" not in prepared.class_names and prepared.instances["square"] == 3
    assert any("1 images hold only unreviewed model proposals" in w for w in prepared.warnings)
