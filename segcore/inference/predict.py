"""Predictor: image -> probabilities -> label map -> proposed shapes.

- Engine: the forward call is a runner (:mod:`segcore.inference.runners`): eager PyTorch on
  CUDA, then Apple MPS, then CPU (:func:`pick_device`, overridable; fp16 autocast on CUDA with
  ``amp=True``), or an onnxruntime session; :func:`segcore.inference.engine.open_predictor`
  chooses. Everything else here (input policy, tiling, label map) is the same for both.
- Input policy from the checkpoint: images whose long side is longer than ``resize_long_side``
  are shrunk to it (smaller ones are never enlarged), padded (replicate) to a multiple of
  ``divisor`` and normalised with the checkpoint's mean/std (RGB scaled to 0..1).
- Large inputs are cut into ``tile_size`` tiles overlapping by ``overlap`` pixels, run in
  batches of ``batch_size``; each output pixel comes from the tile in which it lies farthest
  from a tile border (the seam sits in the middle of each overlap), so with an overlap of at
  least twice the model's effective receptive-field radius the seams do not show and the
  result equals an untiled run. Only one batch of tiles is ever on the device: memory is
  bounded by ``batch_size * tile_size**2`` however large the image.
- ``predict(image, return_probs=False)`` skips the (C, H, W) probability array (2 GB for 21
  classes at 6000x4000) and keeps only the label map and the confidence (max probability).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from segcore.checkpoint import LoadedCheckpoint, load_checkpoint
from segcore.inference.runners import OrtRunner, TorchRunner
from segcore.io.annotation import Shape
from segcore.progress import CancelToken, ProgressCallback, check_cancel, report

DEFAULT_MIN_AREA = 64.0
"""Components smaller than this many pixels (an 8x8 square) are not proposed: a model's
specks are noise a person would have to delete one by one (on a CamVid-trained DeepLab
output at 1024x768, a third of the components are 16..63 px)."""
NON_OBJECT_NAMES = ("_background_", "__ignore__")


def pick_device(preferred: str | torch.device | None = None) -> torch.device:
    """``preferred`` when given (e.g. "cpu", "cuda:1"), else CUDA, then MPS, then CPU."""
    if preferred is not None and str(preferred) not in ("", "auto"):
        dev = torch.device(preferred)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device {preferred!r} asked for, but CUDA is not available here")
        if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise ValueError(f"device {preferred!r} asked for, but Apple MPS is not available here")
        return dev
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@dataclass
class Prediction:
    """``probs`` float32 (C, H, W) or None; ``label_map`` (H, W) uint8 (int32 past 255 classes);
    ``confidence`` float32 (H, W) = max class probability."""

    probs: np.ndarray | None
    label_map: np.ndarray
    confidence: np.ndarray


def tile_windows(length: int, tile: int, overlap: int, align: int = 1) -> list[tuple[int, int]]:
    """``(start, size)`` windows covering ``length``: starts are multiples of ``align`` (the
    model's downsampling grid, so every tile sees the same pixel phase as an untiled run),
    neighbours share at least ``overlap`` pixels, sizes are ``tile`` except the last, which may
    reach ``tile + align - 1`` to end exactly at ``length``."""
    if length <= tile:
        return [(0, length)]
    step = max(align, (tile - overlap) // align * align)
    starts = list(range(0, length - tile + 1, step))
    windows = [(s, tile) for s in starts]
    if starts[-1] + tile < length:
        last = (length - tile) // align * align
        if last > starts[-1]:
            windows.append((last, length - last))
        else:
            windows[-1] = (last, length - last)
    return windows


def tile_starts(length: int, tile: int, overlap: int, align: int = 1) -> list[int]:
    """The start offsets of :func:`tile_windows`."""
    return [s for s, _ in tile_windows(length, tile, overlap, align)]


def _owned(windows: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The [lo, hi) range each window writes: seams in the middle of each overlap."""
    bounds = [0]
    for (a, n), (b, _) in zip(windows, windows[1:]):
        bounds.append((b + min(a + n, length)) // 2)
    bounds.append(length)
    return list(zip(bounds[:-1], bounds[1:]))


@dataclass
class Tile:
    """One window: rows ``y0:y0+h``, cols ``x0:x0+w``; it writes ``oy0:oy1``, ``ox0:ox1``."""

    y0: int
    x0: int
    h: int
    w: int
    oy0: int
    oy1: int
    ox0: int
    ox1: int


def plan_tiles(height: int, width: int, tile: int, overlap: int, align: int = 1) -> list[Tile]:
    """The tiles :class:`Predictor` runs for an image of ``height`` x ``width``."""
    ys, xs = tile_windows(height, tile, overlap, align), tile_windows(width, tile, overlap, align)
    oys, oxs = _owned(ys, height), _owned(xs, width)
    return [
        Tile(y, x, h, w, oy[0], oy[1], ox[0], ox[1])
        for (y, h), oy in zip(ys, oys) for (x, w), ox in zip(xs, oxs)
    ]


def _batches(tiles: list[Tile], size: int) -> Iterator[list[Tile]]:
    """Tiles in batches of at most ``size``, each batch of one tile shape (stackable)."""
    by_shape: dict[tuple[int, int], list[Tile]] = {}
    for t in tiles:
        by_shape.setdefault((t.h, t.w), []).append(t)
    for group in by_shape.values():
        for i in range(0, len(group), size):
            yield group[i:i + size]


def _stacked(batch: list[torch.Tensor] | torch.Tensor) -> torch.Tensor:
    """A batch tensor as is, a list of tensors stacked into one."""
    return batch if isinstance(batch, torch.Tensor) else torch.stack(batch)


def as_rgb(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 from gray (H, W), RGB, or RGBA (alpha dropped); ValueError otherwise."""
    a = np.asarray(image)
    if a.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {a.dtype}")
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    if a.ndim != 3 or a.shape[2] not in (3, 4):
        raise ValueError(f"image must be (H, W), (H, W, 3) or (H, W, 4), got shape {a.shape}")
    if a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"image is empty (shape {a.shape})")
    return a[:, :, :3]


def resize_probs_rows(probs: torch.Tensor, height: int, width: int, rows: int = 256) -> Iterator[tuple[int, torch.Tensor]]:
    """Bilinear (align_corners=False) upsampling of ``probs`` (C, h, w) to (C, height, width),
    yielded as ``(row0, block)`` strips of ``rows`` output rows so memory stays bounded."""
    c, h, w = probs.shape
    dev = probs.device

    def coords(n_out: int, n_in: int, lo: int = 0, hi: int | None = None):
        o = torch.arange(lo, n_out if hi is None else hi, device=dev, dtype=torch.float32)
        src = ((o + 0.5) * (n_in / n_out) - 0.5).clamp(min=0)
        i0 = src.floor().long().clamp(max=n_in - 1)
        i1 = (i0 + 1).clamp(max=n_in - 1)
        return i0, i1, (src - i0).clamp(0, 1)

    x0, x1, fx = coords(width, w)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        y0, y1, fy = coords(height, h, r0, r1)
        strip = probs[:, y0] * (1 - fy)[None, :, None] + probs[:, y1] * fy[None, :, None]
        yield r0, strip[:, :, x0] * (1 - fx) + strip[:, :, x1] * fx


class Predictor:
    """Runs a checkpoint on images (see the module docstring for tiling and devices)."""

    def __init__(self, checkpoint: str | os.PathLike | LoadedCheckpoint, *, device: str | torch.device | None = None,
                 tile_size: int | None = None, overlap: int | None = None, batch_size: int = 4, amp: bool = True,
                 runner: TorchRunner | OrtRunner | None = None):
        ck = checkpoint if isinstance(checkpoint, LoadedCheckpoint) else load_checkpoint(checkpoint, device="cpu")
        if runner is None:
            if ck.model is None:
                raise ValueError("the checkpoint was loaded with build=False; the Predictor needs its model")
            runner = TorchRunner(ck.model, pick_device(device), amp)
        self.runner = runner
        self.engine = runner.engine
        self.engine_note: str | None = None  # why this engine runs, when it is not the one asked for
        self.device = runner.device
        self.checkpoint = ck
        self.model = getattr(runner, "model", None)
        policy = ck.meta.get("input_policy") or {}
        self.divisor = max(1, int(policy.get("divisor") or 32))
        tile = int(tile_size or policy.get("tile_size") or 1024)
        self.tile_size = max(self.divisor, math.ceil(tile / self.divisor) * self.divisor)
        ov = int(overlap if overlap is not None else policy.get("overlap", 128))
        if not 0 <= ov < self.tile_size // 2 + 1:
            raise ValueError(f"overlap must be between 0 and half the tile size ({self.tile_size}), got {ov}")
        self.overlap = ov
        self.resize_long_side = policy.get("resize_long_side") or None
        self.batch_size = max(1, int(batch_size))
        self.amp = runner.amp
        mean = torch.tensor(ck.meta["mean"], dtype=torch.float32, device=self.device).view(3, 1, 1)
        std = torch.tensor(ck.meta["std"], dtype=torch.float32, device=self.device).view(3, 1, 1)
        self._scale, self._shift = 1.0 / (255.0 * std), -mean / std
        # the same as OpenCV's blob parameters: (x - 255 mean) / (255 std), per channel
        self._cv_mean = tuple(255.0 * float(v) for v in ck.meta["mean"])
        self._cv_scale = tuple(1.0 / (255.0 * float(v)) for v in ck.meta["std"])

    @property
    def class_names(self) -> list[str]:
        return self.checkpoint.class_names

    @property
    def arch(self) -> str:
        return self.checkpoint.arch

    def describe(self) -> str:
        """One line for a status bar: model, classes, device and engine."""
        names = [n for n in self.class_names if n not in NON_OBJECT_NAMES]
        shown = ", ".join(names[:6]) + (f" +{len(names) - 6}" if len(names) > 6 else "")
        return f"{self.arch} | {len(self.class_names)} classes ({shown}) | {self.runner.describe()}"

    # ------------------------------------------------------------------ inference
    def _to_input(self, crop: np.ndarray, out: torch.Tensor | None = None) -> torch.Tensor:
        """The normalised (3, h, w) float32 tensor of an RGB ``crop`` (into ``out`` when given).
        The uint8 planes are made contiguous first: the float arithmetic then runs on contiguous
        memory (~4x faster than on the strided HWC view, same values)."""
        planes = np.array(np.asarray(crop).transpose(2, 0, 1), order="C")
        t = torch.from_numpy(planes).to(self.device, non_blocking=True)
        return torch.addcmul(self._shift, t, self._scale, out=out)  # (x / 255 - mean) / std

    def _blob(self, crop: np.ndarray) -> np.ndarray:
        """The normalised (1, 3, h, w) float32 array of an RGB ``crop``, made by OpenCV in one
        pass over the pixels (the CPU's path: ~5x faster than a transposed copy and a torch
        operation; the same values to 1e-6)."""
        import cv2

        crop = np.asarray(crop)
        if crop.strides[1] != 3 or crop.strides[2] != 1 or crop.strides[0] < 0:  # rows OpenCV cannot address
            crop = np.ascontiguousarray(crop)
        h, w = crop.shape[:2]
        params = cv2.dnn.Image2BlobParams(scalefactor=self._cv_scale, size=(w, h), mean=self._cv_mean,
                                          swapRB=False, ddepth=cv2.CV_32F)
        return cv2.dnn.blobFromImageWithParams(crop, params)

    def _batch_input(self, image: np.ndarray, group: list[Tile]) -> torch.Tensor:
        """The normalised tiles of one batch (equal sizes), written straight into one tensor."""
        if self.device.type == "cpu":
            blobs = [self._blob(image[t.y0:t.y0 + t.h, t.x0:t.x0 + t.w]) for t in group]
            return torch.from_numpy(blobs[0] if len(blobs) == 1 else np.concatenate(blobs))
        x = torch.empty((len(group), 3, group[0].h, group[0].w), dtype=torch.float32, device=self.device)
        for k, t in enumerate(group):
            self._to_input(image[t.y0:t.y0 + t.h, t.x0:t.x0 + t.w], out=x[k])
        return x

    def forward_tiles(self, batch: list[torch.Tensor] | torch.Tensor) -> torch.Tensor:
        """Softmax probabilities (N, C, h, w) for normalised tiles of equal size (padded here):
        a list of (3, h, w) tensors or one (N, 3, h, w) tensor."""
        return torch.softmax(self.forward_logits(batch), dim=1)

    def _padded(self, batch: list[torch.Tensor] | torch.Tensor) -> tuple[torch.Tensor, int, int]:
        """The batch as one tensor padded (replicate) to the model's divisor, and its size before."""
        x = _stacked(batch)
        h, w = x.shape[-2:]
        ph, pw = (-h) % self.divisor, (-w) % self.divisor
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="replicate")
        return x, h, w

    def forward_logits(self, batch: list[torch.Tensor] | torch.Tensor) -> torch.Tensor:
        """Float32 logits (N, C, h, w) for normalised tiles of equal size (padded here), from
        the runner (PyTorch module or onnxruntime session)."""
        x, h, w = self._padded(batch)
        return self.runner(x)[..., :h, :w]

    def forward_maps(self, batch: list[torch.Tensor] | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Label maps and confidences (N, h, w) for normalised tiles of equal size (padded
        here), computed by the runner (only when ``runner.has_maps``)."""
        x, h, w = self._padded(batch)
        label, conf = self.runner.maps(x)
        return label[:, :h, :w], conf[:, :h, :w]

    def probabilities(self, image: np.ndarray, *, cancel: CancelToken | None = None,
                      progress: ProgressCallback | None = None,
                      sink=None, logits: bool = False) -> torch.Tensor | None:
        """Run the tiles of ``image`` (already resized); with ``sink(tile, probs)`` each tile's
        owned probabilities (logits when ``logits``) go to the sink and None is returned, else
        (C, H, W) probabilities on the device."""
        H, W = image.shape[:2]
        tiles = plan_tiles(H, W, self.tile_size, self.overlap, self.divisor)
        out = None
        if sink is None:
            out = torch.empty((len(self.class_names), H, W), dtype=torch.float32, device=self.device)

            def sink(t: Tile, p: torch.Tensor) -> None:
                out[:, t.oy0:t.oy1, t.ox0:t.ox1] = p

        with torch.inference_mode():
            self._run_tiles(image, tiles, sink, logits, cancel, progress)
        return out

    def _run_tiles(self, image, tiles, sink, logits, cancel, progress) -> None:
        """Each tile's owned part of the forward to ``sink(tile, out)``: probabilities, logits
        (``logits=True``) or, with ``logits="maps"``, a (label map, confidence) pair."""
        done = 0
        for group in _batches(tiles, self.batch_size):
            check_cancel(cancel)
            inputs = self._batch_input(image, group)
            if logits == "maps":
                outs = zip(*self.forward_maps(inputs))
            else:
                outs = self.forward_logits(inputs) if logits else self.forward_tiles(inputs)
            for t, p in zip(group, outs):
                own = (slice(t.oy0 - t.y0, t.oy1 - t.y0), slice(t.ox0 - t.x0, t.ox1 - t.x0))
                sink(t, (p[0][own], p[1][own]) if logits == "maps" else p[(slice(None), *own)])
            done += len(group)
            report(progress, done, len(tiles), "tiles")

    def predict(self, image: np.ndarray, *, return_probs: bool = True, cancel: CancelToken | None = None,
                progress: ProgressCallback | None = None) -> Prediction:
        """Class probabilities, label map and confidence at the image's own resolution."""
        rgb = as_rgb(image)
        H, W = rgb.shape[:2]
        work = rgb
        if self.resize_long_side and max(H, W) > int(self.resize_long_side):  # shrink only, never enlarge
            import cv2

            s = int(self.resize_long_side) / max(H, W)
            work = cv2.resize(rgb, (max(1, round(W * s)), max(1, round(H * s))), interpolation=cv2.INTER_AREA
                              if s < 1 else cv2.INTER_LINEAR)
        dtype = np.uint8 if len(self.class_names) <= 256 else np.int32
        label = np.empty((H, W), dtype=dtype)
        conf = np.empty((H, W), dtype=np.float32)
        resized = work is not rgb
        if resized or return_probs:
            probs = self.probabilities(work, cancel=cancel, progress=progress)
            if not resized:
                c, i = probs.max(dim=0)
                conf[:], label[:] = c.cpu().numpy(), i.cpu().numpy()
                return Prediction(probs.cpu().numpy(), label, conf)
            full = np.empty((probs.shape[0], H, W), np.float32) if return_probs else None
            for r0, block in resize_probs_rows(probs, H, W):
                c, i = block.max(dim=0)
                r1 = r0 + block.shape[1]
                conf[r0:r1], label[r0:r1] = c.cpu().numpy(), i.cpu().numpy()
                if full is not None:
                    full[:, r0:r1] = block.cpu().numpy()
            return Prediction(full, label, conf)

        if getattr(self.runner, "has_maps", False):  # the runner's graph gives the maps: no pass over the logits here
            whole: list[tuple[np.ndarray, np.ndarray]] = []

            def put(t: Tile, maps: tuple[np.ndarray, np.ndarray]) -> None:
                if (t.oy0, t.oy1, t.ox0, t.ox1) == (0, H, 0, W):  # one tile: its maps are the image's, no copy
                    whole.append(maps)
                else:
                    label[t.oy0:t.oy1, t.ox0:t.ox1], conf[t.oy0:t.oy1, t.ox0:t.ox1] = maps

            with torch.inference_mode():
                self._run_tiles(work, plan_tiles(H, W, self.tile_size, self.overlap, self.divisor), put, "maps",
                                cancel, progress)
            if whole:
                label = np.ascontiguousarray(whole[0][0], dtype=dtype)
                conf = np.ascontiguousarray(whole[0][1], dtype=np.float32)
            return Prediction(None, label, conf)

        def sink(t: Tile, logit: torch.Tensor) -> None:
            # max softmax probability = 1 / sum(exp(l - max l)): no full softmax needed
            top, i = logit.max(dim=0)
            conf[t.oy0:t.oy1, t.ox0:t.ox1] = logit.sub_(top).exp_().sum(dim=0).reciprocal_().cpu().numpy()
            label[t.oy0:t.oy1, t.ox0:t.ox1] = i.cpu().numpy()

        self.probabilities(work, cancel=cancel, progress=progress, sink=sink, logits=True)
        return Prediction(None, label, conf)

    def shapes_from_prediction(self, pred: Prediction, *, tolerance: float = 1.0,
                               min_area: float = DEFAULT_MIN_AREA, min_score: float = 0.0) -> list[Shape]:
        """Proposed shapes (``proposed=True``, ``score`` = mean confidence) for a prediction."""
        from segcore.data.trace import label_map_to_shapes

        names = self.class_names
        skip = {255} | {i for i, n in enumerate(names) if n in NON_OBJECT_NAMES}
        shapes = label_map_to_shapes(pred.label_map, names, confidence=pred.confidence, tolerance=tolerance,
                                     min_area=min_area, skip=skip, proposed=True)
        return [s for s in shapes if s.score is None or s.score >= min_score]

    def predict_shapes(self, image: np.ndarray, *, tolerance: float = 1.0, min_area: float = DEFAULT_MIN_AREA,
                       min_score: float = 0.0, cancel: CancelToken | None = None,
                       progress: ProgressCallback | None = None) -> list[Shape]:
        """The image's proposed shapes: one per connected component of each object class."""
        pred = self.predict(image, return_probs=False, cancel=cancel, progress=progress)
        return self.shapes_from_prediction(pred, tolerance=tolerance, min_area=min_area, min_score=min_score)


__all__ = ["Predictor", "Prediction", "pick_device", "plan_tiles", "tile_starts", "tile_windows"]
