"""SAM-family models through ``osam`` (the optional ``sam`` extra: ``pip install osam``).

osam runs EfficientSAM, SAM and SAM2 on onnxruntime (the CUDA provider when present, else the
CPU). Its model catalogue gives each model's files (address and SHA-256); they are fetched by
:mod:`segcore.interactive.weights` into osam's own cache (``~/.cache/osam/models/blobs``), so
models already downloaded by osam or LabelMe are found, and osam never downloads by itself.

:data:`DEFAULT_MODEL` is EfficientSAM 10M: the smallest and fastest on a CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from segcore.interactive.promptable import Box, Embedding, ModelError, Point
from segcore.interactive.weights import WeightFile

DEFAULT_MODEL = "efficientsam:10m"
MODELS = ("efficientsam:10m", "efficientsam:latest", "sam2:tiny", "sam2:small", "sam:100m")
"""The promptable models offered (osam names, smallest first; "efficientsam:latest" is the 30M one)."""

class WeightsMissing(ModelError):
    """The model's weights are not in the cache yet (``files`` says which)."""

    def __init__(self, model: str, files: list[WeightFile]):
        self.model, self.files = model, files
        names = ", ".join(f.name for f in files)
        super().__init__(f"{model}: its weights ({names}) are not downloaded yet")


def available() -> bool:
    """True when osam can be imported."""
    try:
        import osam  # noqa: F401
    except ImportError:
        return False
    return True


def _model_type(name: str):
    try:
        import osam
    except ImportError as exc:
        raise ModelError(f"{name}: the AI tools need the osam package (pip install 'segstudio[sam]' "
                         "or pip install osam)") from exc
    try:
        return osam.apis.get_model_type_by_name(name)
    except ValueError as exc:
        raise ModelError(f"unknown SAM model {name!r}; known: {', '.join(MODELS)}") from exc


def weight_files(name: str) -> list[WeightFile]:
    """The files model ``name`` needs, with their places in osam's cache."""
    files = []
    for blob in _model_type(name)._blobs.values():
        base = Path(blob.path)
        for b, path in [(blob, base)] + [(a, base.parent / a.filename) for a in blob.attachments]:
            algo, _, digest = b.hash.partition(":")
            if algo != "sha256":
                raise ModelError(f"{name}: unsupported checksum {b.hash!r}")
            files.append(WeightFile(model=name, url=b.url, sha256=digest, path=Path(path)))
    return files


def missing_files(name: str) -> list[WeightFile]:
    """The files of model ``name`` not in the cache yet."""
    return [f for f in weight_files(name) if not f.present()]


class OsamModel:
    """A :class:`~segcore.interactive.promptable.PromptableModel` on an osam model whose
    weights are in the cache (``WeightsMissing`` otherwise)."""

    def __init__(self, name: str = DEFAULT_MODEL) -> None:
        self.name = name
        missing = missing_files(name)
        if missing:
            raise WeightsMissing(name, missing)
        self._model = _model_type(name)()  # finds its files in the cache: no download

    def encode(self, image: np.ndarray) -> Embedding:
        """Encode an RGB image (a grey or RGBA one is turned into RGB first)."""
        image = np.asarray(image)
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        image = np.ascontiguousarray(image[:, :, :3], dtype=np.uint8)
        emb = self._model.encode_image(image)
        return Embedding(self.name, int(image.shape[0]), int(image.shape[1]), emb)

    def predict(self, embedding: Embedding, points: Sequence[Point], labels: Sequence[int],
                box: Box | None = None) -> tuple[np.ndarray, float | None]:
        """The mask for points (label 1 object, 0 not) and an optional box (osam's corner labels 2, 3)."""
        import osam

        pts = [tuple(map(float, p)) for p in points]
        lab = list(labels)
        if box is not None:
            pts += [(box[0], box[1]), (box[2], box[3])]
            lab += [2, 3]
        prompt = osam.types.Prompt(points=np.array(pts, np.float32), point_labels=np.array(lab, np.int32))
        mask = np.zeros((embedding.height, embedding.width), bool)
        try:
            request = osam.types.GenerateRequest(model=self.name, image_embedding=embedding.data, prompt=prompt)
            ann = self._model.generate(request).annotations[0]
        except (ValueError, IndexError):  # osam fails on an empty mask: nothing found
            return mask, None
        bb = ann.bounding_box
        crop = np.asarray(ann.mask, bool)
        mask[bb.ymin:bb.ymin + crop.shape[0], bb.xmin:bb.xmin + crop.shape[1]] = crop
        return mask, ann.score
