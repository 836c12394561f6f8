"""Architectures by name: ``build_model(name, num_classes, **kwargs)``.

Every model is built offline (``weights=None``); ``pretrained_backbone`` may be a torchvision
state dict of the backbone (checked and fetched by :mod:`segcore.models.pretrained`), loaded into
it; ``True`` fetches ImageNet weights through torchvision and, offline, warns once.
``model(x)`` returns logits ``(N, C, H, W)`` at the input resolution for any input size (sizes
divisible by 32 avoid internal padding). In ``train()`` mode a model with an auxiliary head
(``pspnet_resnet50``, ``deeplabv3plus_*`` with ``aux``; torchvision ones built with ``aux_loss=True``) returns
``{"out": logits, "aux": logits}``; :func:`main_output` gives the logits either way.

Extra keyword arguments per architecture:
- ``unet``: ``encoder`` (None | "resnet18" | "resnet34" | "resnet50" | "resnet101"),
  ``depth`` (4), ``base_channels`` (64), ``in_channels`` (3) for the classic encoder.
- ``deeplabv3plus_*``: ``output_stride`` (16 or 8), ``head_channels`` (width of ASPP and decoder, 256),
  ``aux`` (False; a new training run turns it on: :func:`training_kwargs`).
- ``deeplabv3_*``, ``fcn_resnet50``: ``aux_loss`` (False).
- ``fcn8s_vgg16``: ``fc_channels`` (4096). ``pspnet_resnet50``: ``aux`` (True).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import torch
from torch import nn

from .deeplab import build_deeplabv3plus, torchvision_segmentation
from .fcn import build_fcn8s_vgg16
from .pspnet import build_pspnet_resnet50
from .segnet import build_segnet_vgg16
from .unet import build_unet

Builder = Callable[..., nn.Module]

BUILDERS: dict[str, Builder] = {
    "unet": build_unet,
    "deeplabv3_resnet50": partial(torchvision_segmentation, "deeplabv3_resnet50"),
    "deeplabv3_resnet101": partial(torchvision_segmentation, "deeplabv3_resnet101"),
    "deeplabv3_mobilenet_v3_large": partial(torchvision_segmentation, "deeplabv3_mobilenet_v3_large"),
    "deeplabv3plus_resnet50": partial(build_deeplabv3plus, backbone="resnet50"),
    "deeplabv3plus_resnet101": partial(build_deeplabv3plus, backbone="resnet101"),
    "deeplabv3plus_mobilenet_v3_large": partial(build_deeplabv3plus, backbone="mobilenet_v3_large"),
    "fcn_resnet50": partial(torchvision_segmentation, "fcn_resnet50"),
    "fcn8s_vgg16": build_fcn8s_vgg16,
    "pspnet_resnet50": build_pspnet_resnet50,
    "segnet_vgg16": build_segnet_vgg16,
    "lraspp_mobilenet_v3_large": partial(torchvision_segmentation, "lraspp_mobilenet_v3_large"),
}
MODEL_NAMES: list[str] = list(BUILDERS)

# Keyword arguments fixed by the registry entry itself (not the caller's to choose).
_FIXED = {"backbone"}


def allowed_kwargs(name: str) -> list[str]:
    """The extra keyword arguments ``build_model(name, ...)`` accepts."""
    builder = _builder(name)
    fn = builder.func if isinstance(builder, partial) else builder
    fixed = set(builder.keywords) if isinstance(builder, partial) else set()
    params = inspect.signature(fn).parameters
    return [p for p in params if p not in ("name", "num_classes", "pretrained_backbone") and p not in fixed | _FIXED]


def training_kwargs(name: str, kwargs: dict, aux: bool) -> dict:
    """``kwargs`` for a new training run of ``name``: an architecture that can have an auxiliary
    head (an ``aux`` argument) gets one when the run weights its loss (``aux``), unless ``kwargs``
    already says. The checkpoint records the result, so the model rebuilds as it trained."""
    if "aux" in allowed_kwargs(name) and "aux" not in kwargs:
        return {**kwargs, "aux": aux}
    return dict(kwargs)


def _builder(name: str) -> Builder:
    try:
        return BUILDERS[name]
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; choose one of: {', '.join(MODEL_NAMES)}") from None


def build_model(name: str, num_classes: int, *, pretrained_backbone: bool | Mapping = False,
                **kwargs: Any) -> nn.Module:
    """Build architecture ``name`` with ``num_classes`` outputs (weights random unless the
    backbone is pretrained). Unknown names or arguments raise ``ValueError`` listing the valid ones."""
    builder = _builder(name)
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    allowed = allowed_kwargs(name)
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise ValueError(f"{name} does not take {', '.join(unknown)}; it accepts: {', '.join(allowed) or 'nothing'}")
    return builder(num_classes, pretrained_backbone=pretrained_backbone, **kwargs)


def main_output(y: torch.Tensor | dict[str, torch.Tensor]) -> torch.Tensor:
    """The logits tensor of a model output (``y["out"]`` for aux-head dict outputs)."""
    return y["out"] if isinstance(y, dict) else y
