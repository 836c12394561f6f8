"""LabelMe JSON I/O: lossless round trips, old files, errors that name file and shape, atomic save."""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segcore.io import annotation as A
from segcore.io.annotation import Annotation, AnnotationError, Shape

# A LabelMe 3.x file: no shape_type/group_id/description, lineColor/fillColor at both levels.
OLD_V3 = """{
  "flags": {},
  "shapes": [
    {
      "label": "cat",
      "line_color": null,
      "fill_color": [
        255,
        0,
        0,
        128
      ],
      "points": [
        [
          10,
          20
        ],
        [
          30.5,
          20
        ],
        [
          30,
          40
        ]
      ]
    }
  ],
  "lineColor": [
    0,
    255,
    0,
    128
  ],
  "fillColor": [
    255,
    0,
    0,
    128
  ],
  "imagePath": "..\\\\images\\\\cat.jpg",
  "imageData": "aGVsbG8="
}"""


def sample_shapes() -> list[Shape]:
    mask = np.zeros((4, 6), dtype=bool)
    mask[1:3, 2:5] = True
    return [
        Shape("poly", [(1.5, 2.25), (10.0, 2.0), (5.0, 9.75)], "polygon", group_id=0),
        Shape("rect", [(20.0, 5.0), (3.0, 1.0)], "rectangle", description="backwards corners"),
        Shape("circ", [(50.0, 50.0), (55.0, 50.0)], "circle", flags={"occluded": True}),
        Shape("line", [(0.0, 0.0), (99.0, 99.0)], "line", group_id=7),
        Shape("strip", [(0.0, 0.0), (5.0, 1.0), (9.0, 4.0)], "linestrip", description=None),
        Shape("pt", [(3.0, 4.0)], "point"),
        Shape("obb", [(0.0, 5.0), (5.0, 0.0), (10.0, 5.0), (5.0, 10.0)], "oriented_rectangle"),
        Shape("m", [(10, 20), (15, 23)], "mask", mask=mask),
        Shape("prop", [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0)], score=0.875, proposed=True),
        Shape("ünïcödé 猫", [(1.0, 1.0), (2.0, 1.0), (2.0, 2.0)], extra={"other": {"a": [1, None]}}),
    ]


def sample_annotation() -> Annotation:
    return Annotation(
        shapes=sample_shapes(),
        image_path="sub/img 1.jpg",
        image_height=100,
        image_width=120,
        flags={"blurry": False},
        extra={"custom": [1, 2, 3]},
    )


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("index", range(len(sample_shapes())))
def test_every_shape_type_round_trips(index: int, tmp_path: Path) -> None:
    shape = sample_shapes()[index]
    ann = Annotation(shapes=[shape], image_path="a.jpg", image_height=100, image_width=120)
    path = tmp_path / "a.json"
    A.save(ann, path)
    back = A.load(path)
    assert back == ann
    assert back.shapes[0].shape_type == shape.shape_type
    assert A.dumps(back) == path.read_text(encoding="utf-8")


def test_all_shape_types_are_covered() -> None:
    assert {s.shape_type for s in sample_shapes()} == set(A.SHAPE_TYPES)


def test_whole_annotation_round_trip_is_byte_stable(tmp_path: Path) -> None:
    ann = sample_annotation()
    text = A.dumps(ann)
    assert A.loads(text) == ann
    assert A.dumps(A.loads(text)) == text
    assert "ünïcödé 猫" in text  # ensure_ascii=False, as LabelMe writes
    data = json.loads(text)
    assert list(data) == ["version", "flags", "shapes", "imagePath", "imageData", "imageHeight",
                          "imageWidth", "custom"]
    assert list(data["shapes"][0]) == ["label", "points", "group_id", "description", "shape_type",
                                       "flags", "mask"]
    assert data["shapes"][0]["group_id"] == 0  # 0 is a valid group, not null


def test_real_example_files_are_byte_identical(labelme_example: Path, tmp_path: Path) -> None:
    files = sorted((labelme_example / "data_annotated").glob("*.json"))
    assert len(files) == 3
    for f in files:
        raw = f.read_bytes()
        ann = A.load(f)
        assert ann.image_width and ann.image_height and ann.shapes
        out = tmp_path / f.name
        A.save(ann, out)
        assert out.read_bytes() == raw, f.name
        assert A.load(out) == ann


def test_real_example_edit_changes_only_the_edit(labelme_example: Path) -> None:
    f = labelme_example / "data_annotated" / "2011_000003.json"
    original = json.loads(f.read_text(encoding="utf-8"))
    ann = A.load(f)
    ann.shapes[0].label = "renamed"
    ann.shapes[1].points[0] = (1.0, 2.0)
    data = json.loads(A.dumps(ann))
    original["shapes"][0]["label"] = "renamed"
    original["shapes"][1]["points"][0] = [1.0, 2.0]
    assert data == original


def test_old_v3_file_round_trips_without_losing_or_adding_keys() -> None:
    ann = A.loads(OLD_V3, "old.json")
    s = ann.shapes[0]
    assert s.shape_type == "polygon" and s.description == "" and s.group_id is None
    assert s.extra == {"line_color": None, "fill_color": [255, 0, 0, 128]}
    assert ann.extra["lineColor"] == [0, 255, 0, 128]
    assert ann.image_path == "../images/cat.jpg"  # normalised in memory...
    assert ann.image_data == "aGVsbG8="
    assert A.dumps(ann) == OLD_V3  # ...but written back as the file spelled it
    assert s.points[0] == (10, 20) and isinstance(s.points[0][0], int)


def test_old_file_edited_gets_new_keys_but_keeps_old_ones() -> None:
    ann = A.loads(OLD_V3)
    ann.shapes[0].description = "now described"
    ann.image_path = "cat.jpg"
    ann.shapes.append(Shape("dog", [(0.0, 0.0), (1.0, 1.0)], "rectangle"))
    data = json.loads(A.dumps(ann))
    old = data["shapes"][0]
    assert list(old) == ["label", "line_color", "fill_color", "points", "description"]
    assert data["imagePath"] == "cat.jpg"
    assert "version" not in data and "imageHeight" not in data
    assert data["shapes"][1]["shape_type"] == "rectangle"


def test_null_and_odd_spellings_survive() -> None:
    text = json.dumps({
        "version": 4,
        "flags": None,
        "shapes": [{"label": "a", "points": [[0, 0], [1, 1]], "shape_type": "line",
                    "flags": None, "group_id": None, "description": None, "mask": None,
                    "proposed": False, "score": None}],
        "imagePath": "a.jpg",
        "imageData": None,
        "imageHeight": 338.0,
        "imageWidth": 500,
    }, indent=2, ensure_ascii=False)
    ann = A.loads(text)
    assert ann.version == "4" and ann.image_height == 338 and ann.flags == {}
    assert ann.shapes[0].description is None and ann.shapes[0].flags == {}
    assert A.dumps(ann) == text


def test_absent_and_null_shapes_key() -> None:
    for doc in ({"imagePath": "a.jpg"}, {"imagePath": "a.jpg", "shapes": None}):
        text = json.dumps(doc, indent=2)
        ann = A.loads(text)
        assert ann.shapes == []
        assert A.dumps(ann) == text
        ann.shapes.append(Shape("x", [(1.0, 1.0)], "point"))
        assert json.loads(A.dumps(ann))["shapes"][0]["label"] == "x"


def test_unknown_keys_stay_in_place() -> None:
    doc = {
        "first": 1,
        "version": "5.4.1",
        "flags": {},
        "middle": {"nested": [1, "two", None]},
        "shapes": [{"label": "a", "before": True, "points": [[0.5, 0.5]], "group_id": None,
                    "description": "", "shape_type": "point", "flags": {}, "mask": None,
                    "after": "x"}],
        "imagePath": "a.jpg",
        "imageData": None,
        "imageHeight": 10,
        "imageWidth": 10,
        "last": "z",
    }
    text = json.dumps(doc, indent=2)
    ann = A.loads(text)
    assert ann.extra == {"first": 1, "middle": {"nested": [1, "two", None]}, "last": "z"}
    assert ann.shapes[0].extra == {"before": True, "after": "x"}
    assert A.dumps(ann) == text
    assert A.dumps(ann.copy()) == text


def labelme_mask_b64(mask: np.ndarray) -> str:
    """How LabelMe encodes a mask: PIL image of the bool array (mode "1"), PNG, base64."""
    buf = io.BytesIO()
    Image.fromarray(mask).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def test_labelme_mask_is_decoded_and_its_text_kept() -> None:
    mask = np.zeros((3, 5), dtype=bool)
    mask[0, 0] = mask[2, 4] = mask[1, 2] = True
    b64 = labelme_mask_b64(mask)
    doc = {"shapes": [{"label": "m", "points": [[2.0, 3.0], [6.0, 5.0]], "group_id": None,
                       "description": "", "shape_type": "mask", "flags": {}, "mask": b64}],
           "imagePath": "a.png", "imageHeight": 10, "imageWidth": 10}
    ann = A.loads(json.dumps(doc))
    np.testing.assert_array_equal(ann.shapes[0].mask, mask)
    assert json.loads(A.dumps(ann))["shapes"][0]["mask"] == b64
    ann.shapes[0].mask[0, 1] = True  # edited in place: must be re-encoded
    new = json.loads(A.dumps(ann))["shapes"][0]["mask"]
    assert new != b64
    np.testing.assert_array_equal(A.decode_mask(new), ann.shapes[0].mask)


def test_proposals_keys_written_only_while_set() -> None:
    s = Shape("car", [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0)], score=0.5, proposed=True)
    d = A.shape_to_dict(s)
    assert d["score"] == 0.5 and d["proposed"] is True
    s.proposed, s.score = False, None  # a person accepted it
    d = A.shape_to_dict(s)
    assert "score" not in d and "proposed" not in d


def test_copy_is_deep() -> None:
    ann = sample_annotation()
    dup = ann.copy()
    assert dup == ann
    dup.shapes[0].points[0] = (0.0, 0.0)
    dup.shapes[7].mask[0, 0] = True
    dup.shapes[9].extra["other"]["a"].append(3)
    dup.flags["new"] = True
    assert dup != ann
    assert ann == sample_annotation()
    assert ann.labels()[:3] == ["poly", "rect", "circ"]


# ----------------------------------------------------------------------------- errors


def bad_shape_file(tmp_path: Path, shape: dict, index: int = 1) -> Path:
    good = {"label": "ok", "points": [[0, 0], [1, 1]], "shape_type": "rectangle"}
    shapes = [good] * index + [shape]
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"shapes": shapes, "imagePath": "a.jpg"}), encoding="utf-8")
    return p


WRONG_COUNTS = [("polygon", 2), ("rectangle", 3), ("circle", 1), ("line", 3), ("linestrip", 1),
                ("point", 2), ("oriented_rectangle", 3), ("mask", 1)]


@pytest.mark.parametrize(("shape_type", "n"), WRONG_COUNTS)
def test_wrong_point_count_names_file_and_shape(shape_type: str, n: int, tmp_path: Path) -> None:
    p = bad_shape_file(tmp_path, {"label": "x", "points": [[float(i), 1.0] for i in range(n)],
                                  "shape_type": shape_type, "mask": labelme_mask_b64(np.ones((2, 2), bool))})
    with pytest.raises(AnnotationError) as info:
        A.load(p)
    err = info.value
    assert err.path == p and err.shape_index == 1
    assert str(p) in str(err) and "shape 1" in str(err) and f"got {n}" in str(err)


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_coordinates_rejected(bad: str, tmp_path: Path) -> None:
    p = tmp_path / "nan.json"
    p.write_text('{"shapes": [{"label": "a", "points": [[1, 2], [3, ' + bad + '], [5, 6]]}]}')
    with pytest.raises(AnnotationError, match=r"nan\.json: shape 0: point 1: non-finite"):
        A.load(p)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"points": [[0, 0]]}, "no label"),
        ({"label": "a"}, "no points"),
        ({"label": 3, "points": [[0, 0]]}, "label must be a string"),
        ({"label": "a", "points": "0,0"}, "points must be a list"),
        ({"label": "a", "points": [[0, "1"]], "shape_type": "point"}, "must be a number"),
        ({"label": "a", "points": [[0, 1, 2]], "shape_type": "point"}, "must be \\[x, y\\]"),
        ({"label": "a", "points": [[0, 1]], "shape_type": "blob"}, "unknown shape_type 'blob'"),
        ({"label": "a", "points": [[0, 1]], "shape_type": "point", "group_id": "g"}, "group_id"),
        ({"label": "a", "points": [[0, 1]], "shape_type": "point", "flags": [1]}, "flags"),
        ({"label": "a", "points": [[0, 0], [3, 3]], "shape_type": "mask"}, "without a mask"),
        ({"label": "a", "points": [[0, 0], [3, 3]], "shape_type": "mask", "mask": "!!notpng"},
         "not a readable base64 PNG"),
        ({"label": "a", "points": [[0, 0], [9, 9]], "shape_type": "mask",
          "mask": labelme_mask_b64(np.ones((2, 2), bool))}, "mask image is 2x2"),
        ({"label": "a", "points": [[0, 1]], "shape_type": "point", "score": "high"}, "score"),
        ({"label": "a", "points": [[0, 1]], "shape_type": "point", "score": 10**400}, "score"),
        ({"label": "a", "points": [[0, 10**400]], "shape_type": "point"}, "non-finite"),
        ({"label": "a", "points": [[0, 1]], "shape_type": "point", "proposed": "yes"}, "proposed"),
        ("not a shape", "must be an object"),
    ],
)
def test_malformed_shapes_name_file_and_index(shape, message: str, tmp_path: Path) -> None:
    p = bad_shape_file(tmp_path, shape, index=2)
    with pytest.raises(AnnotationError, match=message) as info:
        A.load(p)
    assert info.value.shape_index == 2 and str(info.value).startswith(f"{p}: shape 2: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "top level must be an object"),
        ('{"shapes": {}}', "shapes must be a list"),
        ('{"imageHeight": -3}', "imageHeight must be a positive integer"),
        ('{"imageWidth": true}', "imageWidth must be a positive integer"),
        ('{"imagePath": 5}', "imagePath must be a string"),
        ('{"imageData": 5}', "imageData"),
        ('{"flags": []}', "flags must be an object"),
        ("[" * 100_000, "not valid JSON"),
        ("1" * 10_000, "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
def test_malformed_files_name_the_file(text, message: str, tmp_path: Path) -> None:
    p = tmp_path / "top.json"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(AnnotationError, match=message) as info:
        A.load(p)
    assert info.value.shape_index is None and str(info.value).startswith(str(p))


def test_missing_file_is_an_annotation_error(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="cannot read the file") as info:
        A.load(tmp_path / "nope.json")
    assert info.value.path == tmp_path / "nope.json"


def test_invalid_annotation_is_not_saved(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    A.save(sample_annotation(), p)
    before = p.read_bytes()
    bad = sample_annotation()
    bad.shapes[3].points[1] = (float("nan"), 1.0)
    with pytest.raises(AnnotationError, match=r"a\.json: shape 3: point 1: non-finite"):
        A.save(bad, p)
    bad = sample_annotation()
    bad.extra["thing"] = object()
    with pytest.raises(AnnotationError, match="cannot be written as JSON"):
        A.save(bad, p)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["a.json"]


def test_numpy_coordinates_are_written_as_plain_numbers() -> None:
    s = Shape("a", [(np.float32(1.5), np.int64(2)), (np.float64(3.0), 4), (5.0, 6.0)])
    d = json.loads(json.dumps(A.shape_to_dict(s)))
    assert d["points"] == [[1.5, 2], [3.0, 4], [5.0, 6.0]]


# ----------------------------------------------------------------------------- atomic save


def test_failed_replace_keeps_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "a.json"
    A.save(sample_annotation(), p)
    before = p.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    changed = sample_annotation()
    changed.shapes[0].label = "changed"
    with pytest.raises(AnnotationError, match="No space left on device.*previous file is unchanged"):
        A.save(changed, p)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["a.json"]


def test_failed_write_keeps_old_file(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "a.json"
    p.write_text("original", encoding="utf-8")

    def boom(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(AnnotationError, match="Input/output error"):
        A.save(sample_annotation(), p)
    assert p.read_text(encoding="utf-8") == "original"
    assert os.listdir(tmp_path) == ["a.json"]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="cannot save") as info:
        A.save(sample_annotation(), tmp_path / "no" / "such" / "a.json")
    assert "no/such/a.json" in str(info.value).replace("\\", "/")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_folder_and_file(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    p = folder / "a.json"
    A.save(sample_annotation(), p)
    before = p.read_bytes()
    folder.chmod(0o555)
    try:
        with pytest.raises(AnnotationError, match="cannot save"):
            A.save(Annotation(), p)
    finally:
        folder.chmod(0o755)
    p.chmod(0o444)
    with pytest.raises(AnnotationError, match="read-only"):
        A.save(Annotation(), p)
    assert p.read_bytes() == before
    assert os.listdir(folder) == ["a.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes and symlinks")
def test_save_keeps_mode_and_follows_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    A.save(Annotation(), real)
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    A.save(sample_annotation(), link)
    assert link.is_symlink()
    assert A.load(real) == sample_annotation()
    assert real.stat().st_mode & 0o777 == 0o640


# ----------------------------------------------------------------------------- paths


def test_relative_image_paths(tmp_path: Path) -> None:
    img = tmp_path / "images" / "sub" / "a b.jpg"
    js = tmp_path / "labels" / "a b.json"
    rel = A.relative_image_path(img, js)
    assert rel == "../images/sub/a b.jpg"
    ann = A.new_annotation(img, js, 640, 480)
    assert (ann.image_path, ann.image_width, ann.image_height) == (rel, 640, 480)
    assert A.resolve_image_path(ann, js) == img.resolve()
    assert A.json_path_for(img) == img.with_suffix(".json")
    assert A.relative_image_path(tmp_path / "x.png", tmp_path / "x.json") == "x.png"


def test_backslash_image_path_resolves(tmp_path: Path) -> None:
    ann = A.loads(OLD_V3)
    js = tmp_path / "labels" / "cat.json"
    assert A.resolve_image_path(ann, js) == (tmp_path / "images" / "cat.jpg").resolve()


def test_image_path_from_another_machine_falls_back_to_the_json_folder(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"x")
    for written in ("C:\\Users\\me\\data\\a.jpg", "/elsewhere/a.jpg", "gone/a.jpg"):
        ann = Annotation(image_path=written)
        assert A.resolve_image_path(ann, tmp_path / "a.json") == (tmp_path / "a.jpg").resolve()
    ann = Annotation(image_path="missing.jpg")
    assert A.resolve_image_path(ann, tmp_path / "a.json") == (tmp_path / "missing.jpg").resolve()
