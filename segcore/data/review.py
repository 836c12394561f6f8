"""Review state of an image's annotation: has a person labelled it, or does it hold model
proposals nobody has looked at yet?

- ``"none"``: no label file, a file without shapes, or a file that cannot be read.
- ``"proposals"``: at least one unreviewed model proposal (``proposed`` shape), whatever else
  the file holds: a person still has to accept, edit or delete it.
- ``"reviewed"``: shapes, all made or accepted by a person.

Counts of "labelled" images and of label instances (file list, label list, training summary)
take only what a person made or accepted; an image holding only proposals is not a training
image (see :func:`is_ground_truth`).

Also :func:`proposal_confidence`: the per-pixel confidence that scored proposals stand for, so
an image pre-annotated by any tool can show where to look first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from segcore.io.annotation import Annotation, Shape

ReviewState = Literal["none", "proposals", "reviewed"]
NONE: ReviewState = "none"
PROPOSALS: ReviewState = "proposals"
REVIEWED: ReviewState = "reviewed"
REVIEW_STATES: tuple[ReviewState, ...] = (NONE, PROPOSALS, REVIEWED)


def state_of_flags(proposed: Iterable[Any]) -> ReviewState:
    """The review state of shapes given by their ``proposed`` values (in any order)."""
    seen = False
    for p in proposed:
        if p:
            return PROPOSALS
        seen = True
    return REVIEWED if seen else NONE


def shapes_state(shapes: Iterable[Shape]) -> ReviewState:
    """The review state of a list of shapes."""
    return state_of_flags(s.proposed for s in shapes)


def review_state(annotation: Annotation | None) -> ReviewState:
    """The review state of an annotation (None: no label file)."""
    if annotation is None:
        return NONE
    return shapes_state(annotation.shapes)


def file_review_state(json_path: str | os.PathLike) -> ReviewState:
    """The review state of a LabelMe file, without building shapes or decoding masks (a scan of
    thousands of files reads only the JSON). A missing, unreadable or malformed file is
    ``"none"``; a file the annotator cannot open tells the user why when it is opened."""
    try:
        raw = Path(json_path).read_bytes()
    except OSError:
        return NONE
    if b'"proposed"' not in raw and b'"points"' not in raw:
        return NONE  # no shape at all (every shape has points)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return NONE
    shapes = data.get("shapes") if isinstance(data, dict) else None
    if not isinstance(shapes, list):
        return NONE
    return state_of_flags(s.get("proposed") if isinstance(s, dict) else None for s in shapes)


def is_ground_truth(annotation: Annotation) -> bool:
    """Whether training may use the image: anything but a file holding only unreviewed
    proposals (an empty file is an image of background only; proposals' pixels in a mixed
    file are ignored, not learnt)."""
    shapes = annotation.shapes
    return not shapes or any(not s.proposed for s in shapes)


def label_counts(shapes: Iterable[Shape]) -> tuple[dict[str, int], dict[str, int]]:
    """``(person, proposed)``: instances per label made or accepted by a person, and per label
    still proposed."""
    person: dict[str, int] = {}
    proposed: dict[str, int] = {}
    for s in shapes:
        d = proposed if s.proposed else person
        d[s.label] = d.get(s.label, 0) + 1
    return person, proposed


def scored_proposals(shapes: Iterable[Shape]) -> list[Shape]:
    """The unreviewed proposals that carry a score."""
    return [s for s in shapes if s.proposed and s.score is not None]


def proposal_confidence(shapes: Sequence[Shape], height: int, width: int, *,
                        max_side: int = 2048) -> tuple[np.ndarray, int] | None:
    """The confidence the scored proposals stand for, per pixel: each proposal's ``score``
    over its pixels (the lowest where proposals overlap), 1 where there is none.

    Returns ``(map, step)``: a float32 map of the image reduced by ``step`` (the smallest
    integer keeping both sides within ``max_side``), or None when no proposal has a score.
    """
    from segcore.data.rasterize import shape_crop

    scored = scored_proposals(shapes)
    if not scored or height <= 0 or width <= 0:
        return None
    step = max(1, int(np.ceil(max(height, width) / max_side)))
    out = np.ones(((height + step - 1) // step, (width + step - 1) // step), np.float32)
    for s in scored:
        crop = shape_crop(s, height, width)
        if crop is None:
            continue
        m, x0, y0 = crop
        # the reduced map samples pixels (i * step, j * step): keep those inside the crop
        oy, ox = (-y0) % step, (-x0) % step
        sub = m[oy::step, ox::step]
        if sub.size == 0:
            continue
        ty, tx = (y0 + oy) // step, (x0 + ox) // step
        region = out[ty:ty + sub.shape[0], tx:tx + sub.shape[1]]
        sub = sub[:region.shape[0], :region.shape[1]]
        np.minimum(region, np.where(sub, np.float32(s.score), np.float32(1.0)), out=region)
    return out, step
