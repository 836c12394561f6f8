"""Per-sample image operations of training: resize, normalise, and the random augmentation
(scale, rotation, crop with ignore padding, horizontal flip, colour jitter) on numpy arrays."""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from segcore.io.palette import IGNORE_INDEX

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass
class AugmentConfig:
    """Training augmentation; every probability/amount can be set to 0 to disable it."""

    scale_min: float = 0.5
    scale_max: float = 2.0
    rotation_deg: float = 10.0
    hflip: bool = True
    brightness: float = 0.25
    contrast: float = 0.25
    saturation: float = 0.25


def resize_long(image: np.ndarray, long_side: int | None, interp: int) -> np.ndarray:
    """Shrink so the longer side is ``long_side`` (None: unchanged); a smaller image is never enlarged."""
    if not long_side:
        return image
    h, w = image.shape[:2]
    s = long_side / max(h, w)
    if s > 1.0 - 1e-6:
        return image
    return cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=interp)


def fitted_crop(crop: int | None, sizes: list[tuple[int, int]], base_size: int | None,
                multiple: int = 32) -> tuple[int, int] | None:
    """The training crop (h, w) for images of ``sizes`` (h, w): at most ``crop`` on each side, and
    no larger than the largest image (after the ``base_size`` shrink) rounded up to ``multiple``,
    so small images are padded only to what the model needs."""
    if not crop:
        return None
    if not sizes:
        return crop, crop
    scaled = [(h * min(1.0, base_size / max(h, w)), w * min(1.0, base_size / max(h, w))) if base_size else (h, w)
              for h, w in sizes]
    up = lambda v: max(multiple, -(-round(v) // multiple) * multiple)  # noqa: E731
    return min(crop, up(max(h for h, _ in scaled))), min(crop, up(max(w for _, w in scaled)))


def normalise(image: np.ndarray, mean=IMAGENET_MEAN, std=IMAGENET_STD) -> torch.Tensor:
    """uint8 HWC RGB -> float32 CHW tensor normalised with ``mean``/``std``."""
    x = image.astype(np.float32) * (1.0 / 255.0)
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def augment(
    image: np.ndarray, label: np.ndarray, crop: int | tuple[int, int] | None, aug: AugmentConfig,
    rng: random.Random,
) -> tuple[np.ndarray, np.ndarray]:
    """Random scale, rotation, crop (``crop`` or ``(h, w)``, padding with ignore), flip and colour jitter."""
    if aug.scale_max > aug.scale_min or aug.scale_min != 1.0:
        s = rng.uniform(aug.scale_min, aug.scale_max)
        h, w = label.shape
        nh, nw = max(8, round(h * s)), max(8, round(w * s))
        image = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
        label = cv2.resize(label, (nw, nh), interpolation=cv2.INTER_NEAREST)
    if aug.rotation_deg > 0:
        angle = rng.uniform(-aug.rotation_deg, aug.rotation_deg)
        h, w = label.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        image = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        label = cv2.warpAffine(label, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=IGNORE_INDEX)
    if crop:
        ch, cw = (crop, crop) if isinstance(crop, int) else crop
        h, w = label.shape
        ph, pw = max(0, ch - h), max(0, cw - w)
        if ph or pw:
            image = cv2.copyMakeBorder(image, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=(124, 116, 104))
            label = cv2.copyMakeBorder(label, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=IGNORE_INDEX)
            h, w = label.shape
        y, x = rng.randint(0, h - ch), rng.randint(0, w - cw)
        image, label = image[y : y + ch, x : x + cw], label[y : y + ch, x : x + cw]
    if aug.hflip and rng.random() < 0.5:
        image, label = image[:, ::-1], label[:, ::-1]
    if aug.brightness or aug.contrast or aug.saturation:
        img = image.astype(np.float32)
        b = 1 + rng.uniform(-aug.brightness, aug.brightness)
        c = 1 + rng.uniform(-aug.contrast, aug.contrast)
        sat = 1 + rng.uniform(-aug.saturation, aug.saturation)
        gray = img @ np.array([0.299, 0.587, 0.114], np.float32)
        img = img * b
        img = (img - gray.mean() * b) * c + gray.mean() * b
        g2 = (img @ np.array([0.299, 0.587, 0.114], np.float32))[..., None]
        img = (img - g2) * sat + g2
        image = np.clip(img, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(image), np.ascontiguousarray(label)
