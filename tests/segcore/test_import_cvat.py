"""CVAT for images 1.1 XML into LabelMe JSON: shapes, labels, flags, z order, masks in CVAT's
RLE, hostile paths and XML, exit codes."""

from __future__ import annotations

import numpy as np
import pytest

from segcore.cli import main
from segcore.formats.common import ExportError
from segcore.formats.import_cvat import import_cvat, rle_mask
from segcore.io.annotation import load
from tests.segcore.export_fixtures import write_image


def cvat_rle(mask: np.ndarray) -> str:
    """CVAT's RLE of a box mask, written here from its documented rule: run lengths over the
    box in row-major order, starting with a run of background (possibly 0)."""
    flat = mask.ravel().astype(np.int8)
    edges = np.flatnonzero(np.diff(flat)) + 1
    runs = np.diff(np.concatenate([[0], edges, [flat.size]])).tolist()
    if flat[0]:
        runs = [0] + runs
    return ", ".join(str(r) for r in runs)


MASK = np.zeros((4, 5), dtype=bool)
MASK[1:3, 1:4] = True
MASK[0, 0] = True


def cvat_xml(name: str = "a.png", width: int = 64, height: int = 48, extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta><task><name>t</name><labels>
    <label><name>car</name><attributes><attribute><name>parked</name><input_type>checkbox</input_type>
    </attribute></attributes></label>
    <label><name>road</name></label><label><name>lane</name></label><label><name>kp</name></label>
  </labels></task></meta>
  <image id="0" name="{name}" width="{width}" height="{height}">
    <polygon label="road" source="manual" occluded="0" points="0.0,20.0;63.0,20.0;63.0,47.0;0.0,47.0" z_order="0">
    </polygon>
    <box label="car" source="manual" occluded="1" xtl="10.0" ytl="25.0" xbr="30.5" ybr="40.0" z_order="2">
      <attribute name="parked">true</attribute>
      <attribute name="colour">red</attribute>
    </box>
    <polyline label="lane" source="manual" occluded="0" points="1.0,30.0;20.0,31.0;40.0,33.0" z_order="1">
    </polyline>
    <points label="kp" source="manual" occluded="0" points="5.0,5.0;7.5,6.0" z_order="3"></points>
    <mask label="car" source="manual" occluded="0" rle="{cvat_rle(MASK)}" left="40" top="2" width="5"
          height="4" z_order="1" group_id="7"></mask>
    {extra}
  </image>
</annotations>
"""


def setup(tmp_path, xml: str | None = None):
    images = tmp_path / "images"
    images.mkdir()
    write_image(images / "a.png", 64, 48)
    src = tmp_path / "annotations.xml"
    src.write_text(xml or cvat_xml(), encoding="utf-8")
    return src, images


def test_rle_reader_matches_the_documented_encoding():
    rng = np.random.default_rng(0)
    for _ in range(20):
        m = rng.random((7, 9)) < 0.4
        assert np.array_equal(rle_mask(cvat_rle(m), 9, 7), m)


def test_cvat_import_shapes_labels_flags_and_order(tmp_path):
    src, images = setup(tmp_path)
    rep = import_cvat(src, images, workers=1)
    assert rep.complete, rep.to_text()
    ann = load(images / "a.json")
    kinds = [(s.label, s.shape_type) for s in ann.shapes]
    # z_order 0, then 1 (file order: polyline before mask), 2, 3
    assert kinds == [("road", "polygon"), ("lane", "linestrip"), ("car", "mask"), ("car", "rectangle"),
                     ("kp", "point"), ("kp", "point")]
    road, lane, mask, box, p1, p2 = ann.shapes
    assert road.points == [(0, 20), (63, 20), (63, 47), (0, 47)]
    assert box.points == [(10, 25), (30.5, 40)]
    assert box.flags == {"parked": True, "occluded": True}
    assert box.description == "colour=red"
    assert lane.points == [(1, 30), (20, 31), (40, 33)]
    assert mask.points == [(40, 2), (44, 5)] and mask.group_id == 7
    assert np.array_equal(mask.mask, MASK)
    assert p1.points == [(5, 5)] and p2.points == [(7.5, 6)] and p1.group_id == p2.group_id is not None
    assert rep.instances["car"] == 2


def test_cvat_rotated_box_is_an_oriented_rectangle(tmp_path):
    extra = '<box label="car" occluded="0" xtl="10" ytl="10" xbr="20" ybr="14" rotation="90" z_order="5"></box>'
    src, images = setup(tmp_path, cvat_xml(extra=extra))
    import_cvat(src, images, workers=1)
    last = load(images / "a.json").shapes[-1]
    assert last.shape_type == "oriented_rectangle"
    assert sorted((round(x, 6), round(y, 6)) for x, y in last.points) == [(13, 7), (13, 17), (17, 7), (17, 17)]


def test_cvat_bad_rle_refuses_the_image_naming_it(tmp_path):
    extra = '<mask label="car" rle="1, 2" left="0" top="0" width="5" height="4" z_order="0"></mask>'
    src, images = setup(tmp_path, cvat_xml(extra=extra))
    rep = import_cvat(src, images, workers=1)
    assert rep.refused == 1 and rep.images == 0 and not (images / "a.json").exists()
    assert "a.png" in str(rep.problems[0]) and "rle" in str(rep.problems[0])


def test_cvat_size_mismatch_is_refused(tmp_path):
    src, images = setup(tmp_path, cvat_xml(width=100))
    rep = import_cvat(src, images, workers=1)
    assert rep.refused == 1 and "100x48" in str(rep.problems[0])


@pytest.mark.parametrize("name", ["../outside.png", "/etc/passwd.png", "sub/../../x.png"])
def test_cvat_hostile_names_are_refused(tmp_path, name):
    src, images = setup(tmp_path, cvat_xml(name=name))
    write_image(tmp_path / "outside.png", 64, 48)
    rep = import_cvat(src, images, workers=1)
    assert rep.refused == 1 and rep.images == 0
    assert not (tmp_path / "outside.json").exists()
    assert "outside the images folder" in str(rep.problems[0])


def test_cvat_entities_are_refused(tmp_path):
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE annotations [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           '<annotations><image id="0" name="a.png" width="64" height="48">'
           '<polygon label="&x;" points="0,0;5,0;5,5"/></image></annotations>')
    src, images = setup(tmp_path, xml)
    with pytest.raises(ExportError, match="annotations.xml"):
        import_cvat(src, images)
    assert not (images / "a.json").exists()


def test_cvat_cli_exit_codes(tmp_path, capsys):
    src, images = setup(tmp_path)
    assert main(["import", "cvat", str(src), "--images", str(images), "--quiet", "--workers", "1"]) == 0
    assert "wrote 1 of 1 images" in capsys.readouterr().out
    # the label file exists now: kept, not everything was written
    assert main(["import", "cvat", str(src), "--images", str(images), "--quiet", "--workers", "1"]) == 1
    assert main(["import", "cvat", str(src), "--quiet"]) == 2
    (tmp_path / "bad.xml").write_text("<annotations><image", encoding="utf-8")
    assert main(["import", "cvat", str(tmp_path / "bad.xml"), "--images", str(images), "--quiet"]) == 2
