"""Every undo command: redo/undo restore exact values; merging; limits; random sequences."""

from __future__ import annotations

import random

import numpy as np
import pytest

from segcore.io import annotation as sa
from segcore.io.annotation import Annotation, Shape
from segstudio import undo_commands as cmd
from segstudio.document import Document

pytestmark = pytest.mark.gui


def S(label, pts, t="polygon", **kw):
    return Shape(label, [(float(x), float(y)) for x, y in pts], t, **kw)


def make_doc():
    shapes = [
        S("a", [(0.1, 0.2), (10.3, 0.7), (10.9, 10.1)]),
        S("b", [(5, 5), (20, 25)], "rectangle", group_id=2, flags={"x": True}),
        S("c", [(1, 1), (3, 3), (5, 1)], "linestrip", proposed=True, score=0.75),
        S("d", [(7, 7)], "point"),
    ]
    return Document(Annotation(shapes=shapes, image_width=100, image_height=80, image_path="i.png"))


def state(doc):
    return sa.dumps(doc.annotation)


def test_add_remove_replace(qtbot):
    doc = make_doc()
    s0 = state(doc)
    new = S("e", [(1, 2), (3, 4), (5, 7)])
    doc.push(cmd.AddShapes(doc, [new]))
    assert doc.shapes[-1] is new
    doc.push(cmd.AddShapes(doc, [S("f", [(9, 9)], "point")], index=1))
    assert [s.label for s in doc.shapes] == ["a", "f", "b", "c", "d", "e"]
    doc.push(cmd.RemoveShapes(doc, [0, 3]))
    assert [s.label for s in doc.shapes] == ["f", "b", "d", "e"]
    merged = S("m", [(0, 0), (4, 0), (4, 4)])
    doc.push(cmd.ReplaceShapes(doc, [1, 2], [merged]))
    assert [s.label for s in doc.shapes] == ["f", "m", "e"]
    assert doc.selected_shapes() == [merged]
    s_end = state(doc)
    for _ in range(4):
        doc.undo_stack.undo()
    assert state(doc) == s0
    for _ in range(4):
        doc.undo_stack.redo()
    assert state(doc) == s_end


def test_move_shapes_merges_within_a_gesture_and_restores_exact(qtbot):
    doc = make_doc()
    before = list(doc.shapes[0].points)
    doc.push(cmd.MoveShapes(doc, [0, 1], 0.1, 0.2, gesture="nudge"))
    doc.push(cmd.MoveShapes(doc, [0, 1], 0.1, 0.2, gesture="nudge"))
    doc.push(cmd.MoveShapes(doc, [0, 1], 0.1, 0.2, gesture="nudge"))
    assert doc.undo_stack.count() == 1
    moved = list(doc.shapes[0].points)
    doc.push(cmd.MoveShapes(doc, [0], 1, 1, gesture="nudge"))  # other shapes: new step
    assert doc.undo_stack.count() == 2
    doc.push(cmd.MoveShapes(doc, [0], 1, 1))  # no gesture: never merges
    doc.push(cmd.MoveShapes(doc, [0], 1, 1))
    assert doc.undo_stack.count() == 4
    for _ in range(3):
        doc.undo_stack.undo()
    assert doc.shapes[0].points == moved
    doc.undo_stack.undo()
    assert doc.shapes[0].points == before  # exact floats, not re-subtracted
    doc.undo_stack.redo()
    assert doc.shapes[0].points == moved


def test_no_merge_after_save(qtbot):
    doc = make_doc()
    doc.push(cmd.MoveShapes(doc, [0], 1, 0, gesture="nudge"))
    doc.set_clean()
    doc.push(cmd.MoveShapes(doc, [0], 1, 0, gesture="nudge"))
    assert doc.undo_stack.count() == 2
    assert doc.is_dirty()


def test_vertex_commands(qtbot):
    doc = make_doc()
    orig = list(doc.shapes[0].points)
    g = cmd.new_gesture()
    for k in range(5):
        doc.push(cmd.MoveVertex(doc, 0, 1, (20 + k * 0.3, 1.0), gesture=g))
    assert doc.undo_stack.count() == 1
    assert doc.shapes[0].points[1] == (20 + 4 * 0.3, 1.0)
    doc.push(cmd.MoveVertex(doc, 0, 1, (30, 1), gesture=cmd.new_gesture()))  # next drag
    assert doc.undo_stack.count() == 2
    doc.push(cmd.InsertVertex(doc, 0, 1, (5.5, 0.25)))
    assert doc.shapes[0].points[1] == (5.5, 0.25) and len(doc.shapes[0].points) == 4
    doc.push(cmd.RemoveVertex(doc, 0, 0))
    with pytest.raises(ValueError, match="at least 3"):
        cmd.RemoveVertex(doc, 0, 0)
    with pytest.raises(ValueError, match="fixed"):
        cmd.InsertVertex(doc, 1, 1, (0, 0))
    with pytest.raises(ValueError):
        cmd.RemoveVertex(doc, 1, 0)  # rectangle
    with pytest.raises(ValueError, match="at least 2"):
        doc.push(cmd.RemoveVertex(doc, 2, 0))  # linestrip 3 -> 2 is fine
        cmd.RemoveVertex(doc, 2, 0)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.shapes[0].points == orig


def test_geometry_edit_accepts_a_proposal_and_undo_restores_it(qtbot):
    doc = make_doc()
    doc.push(cmd.MoveVertex(doc, 2, 0, (2, 2)))
    s = doc.shapes[2]
    assert (s.proposed, s.score) == (False, None)
    doc.undo_stack.undo()
    assert (s.proposed, s.score, s.points[0]) == (True, 0.75, (1.0, 1.0))
    g = "drag"
    doc.push(cmd.MoveShapes(doc, [2], 1, 1, gesture=g))
    doc.push(cmd.MoveShapes(doc, [2], 1, 1, gesture=g))
    doc.undo_stack.undo()
    assert (s.proposed, s.score, s.points[0]) == (True, 0.75, (1.0, 1.0))


def test_edit_props_and_accept_proposals(qtbot):
    doc = make_doc()
    doc.push(cmd.EditShapeProps(doc, [0, 1], label="z", group_id=7))
    assert [(s.label, s.group_id) for s in doc.shapes[:2]] == [("z", 7), ("z", 7)]
    assert doc.shapes[1].flags == {"x": True}  # untouched
    flags = {"occluded": True}
    doc.push(cmd.EditShapeProps(doc, [1], description="hi", flags=flags))
    flags["occluded"] = False  # the command copied it
    assert doc.shapes[1].flags == {"occluded": True} and doc.shapes[1].description == "hi"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert [(s.label, s.group_id) for s in doc.shapes[:2]] == [("a", None), ("b", 2)]
    assert doc.shapes[1].flags == {"x": True}
    doc.push(cmd.AcceptProposals(doc, keep_score=True))
    assert (doc.shapes[2].proposed, doc.shapes[2].score) == (False, 0.75)
    doc.undo_stack.undo()
    doc.push(cmd.AcceptProposals(doc, [2]))
    assert (doc.shapes[2].proposed, doc.shapes[2].score) == (False, None)
    doc.undo_stack.undo()
    assert (doc.shapes[2].proposed, doc.shapes[2].score) == (True, 0.75)
    assert '"proposed": true' in state(doc)


def test_reorder(qtbot):
    doc = make_doc()
    labels = lambda: "".join(s.label for s in doc.shapes)  # noqa: E731
    doc.push(cmd.Reorder.raise_(doc, [0]))
    assert labels() == "bacd"
    doc.push(cmd.Reorder.lower(doc, [3]))
    assert labels() == "badc"
    doc.push(cmd.Reorder.to_front(doc, [0, 1]))
    assert labels() == "dcba"
    doc.push(cmd.Reorder.to_back(doc, [3]))
    assert labels() == "adcb"
    doc.push(cmd.Reorder.move(doc, [0], 2))
    assert labels() == "dcab"
    with pytest.raises(ValueError):
        cmd.Reorder(doc, [0, 0, 1, 2])
    for _ in range(5):
        doc.undo_stack.undo()
    assert labels() == "abcd"


def test_image_flags(qtbot):
    doc = make_doc()
    seen = []
    doc.imageFlagsChanged.connect(lambda: seen.append(1))
    doc.push(cmd.SetImageFlags(doc, {"blurry": True}))
    assert doc.annotation.flags == {"blurry": True}
    doc.undo_stack.undo()
    assert doc.annotation.flags == {} and len(seen) == 2


def test_random_edit_sequences_undo_and_redo_exactly(qtbot):
    rng = random.Random(7)
    doc = make_doc()
    m = np.zeros((3, 4), bool)
    m[1, 1:3] = True
    doc.push(cmd.AddShapes(doc, [S("m", [(2, 2), (5, 4)], "mask", mask=m)]))
    with pytest.raises(ValueError, match="mask"):
        cmd.MoveVertex(doc, 4, 0, (1, 1))
    doc.undo_stack.clear()
    states = [state(doc)]
    for _ in range(60):
        n = len(doc)
        op = rng.randrange(8)
        i = rng.randrange(n) if n else 0
        try:
            if op == 0:
                c = cmd.AddShapes(doc, [S("r", [(rng.random() * 50, rng.random() * 50) for _ in range(3)])])
            elif op == 1 and n > 1:
                c = cmd.RemoveShapes(doc, [i])
            elif op == 2 and n:
                c = cmd.MoveShapes(doc, [i], rng.uniform(-3, 3), rng.uniform(-3, 3))
            elif op == 3 and n:
                c = cmd.MoveVertex(doc, i, rng.randrange(len(doc.shapes[i].points)), (rng.random(), rng.random()))
            elif op == 4 and n:
                c = cmd.InsertVertex(doc, i, 1, (rng.random(), rng.random()))
            elif op == 5 and n:
                c = cmd.RemoveVertex(doc, i, 0)
            elif op == 6 and n:
                c = cmd.Reorder(doc, rng.sample(range(n), n))
            else:
                c = cmd.EditShapeProps(doc, [i] if n else [], label=rng.choice("xyz"), group_id=rng.randrange(3))
        except ValueError:
            continue
        doc.push(c)
        states.append(state(doc))
    assert doc.undo_stack.count() == len(states) - 1 > 20
    for k in range(len(states) - 1, 0, -1):
        assert state(doc) == states[k]
        doc.undo_stack.undo()
    assert state(doc) == states[0]
    for k in range(1, len(states)):
        doc.undo_stack.redo()
        assert state(doc) == states[k]


def test_mask_shapes_move_by_whole_pixels(qtbot):
    m = np.ones((3, 4), bool)
    doc = Document(Annotation(shapes=[S("m", [(2, 2), (5, 4)], "mask", mask=m)], image_width=20, image_height=20))
    doc.push(cmd.MoveShapes(doc, [0], 1.6, -0.4))
    assert doc.shapes[0].points == [(4.0, 2.0), (7.0, 4.0)]
    sa.dumps(doc.annotation)  # still a valid mask shape
