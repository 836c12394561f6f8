"""Pieces shared by the architectures: torchvision backbones built offline, their feature taps
(torchvision's ``IntermediateLayerGetter``), safe BatchNorm, bilinear transposed-convolution
init, size matching.

Every torchvision builder is called with ``weights=None`` unless ``pretrained=True``; then the
ImageNet weights are fetched through torchvision, and when that fails (offline) the user gets
ONE :class:`PretrainedUnavailableWarning` and a randomly initialised backbone.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models._utils import IntermediateLayerGetter


class PretrainedUnavailableWarning(UserWarning):
    """ImageNet backbone weights were asked for but could not be downloaded."""


_warned: set[str] = set()


def with_pretrained(builder: Callable[..., nn.Module], weights: Any, pretrained: bool, name: str,
                    **kwargs: Any) -> nn.Module:
    """``builder(weights=weights if pretrained else None, **kwargs)``; falls back to random init.

    The fallback emits one warning per backbone name and process, saying why.
    """
    if isinstance(pretrained, Mapping):  # a state dict checked by segcore.models.pretrained
        net = builder(weights=None, **kwargs)
        net.load_state_dict(pretrained, strict=False)  # the ImageNet classifier may be left out
        return net
    if not pretrained:
        return builder(weights=None, **kwargs)
    try:
        return builder(weights=weights, **kwargs)
    except Exception as exc:  # noqa: BLE001 - any download/cache failure means "no weights"
        if name not in _warned:
            _warned.add(name)
            warnings.warn(
                f"ImageNet weights for the {name} backbone could not be downloaded ({type(exc).__name__}: "
                f"{exc}); the backbone is randomly initialised instead. Connect to the internet once "
                "(torchvision caches the file) or train without pretrained_backbone.",
                PretrainedUnavailableWarning,
                stacklevel=3,
            )
        return builder(weights=None, **kwargs)


def resnet(depth: int, *, pretrained: bool = False,
           replace_stride_with_dilation: list[bool] | None = None) -> nn.Module:
    """A torchvision ResNet-18/34/50/101 (optionally dilated), ImageNet weights when asked."""
    from torchvision import models as tvm

    table = {
        18: (tvm.resnet18, "ResNet18_Weights"),
        34: (tvm.resnet34, "ResNet34_Weights"),
        50: (tvm.resnet50, "ResNet50_Weights"),
        101: (tvm.resnet101, "ResNet101_Weights"),
    }
    if depth not in table:
        raise ValueError(f"unsupported ResNet depth {depth}; choose one of {sorted(table)}")
    builder, weights_name = table[depth]
    weights = getattr(tvm, weights_name).IMAGENET1K_V1
    kw: dict[str, Any] = {}
    if replace_stride_with_dilation is not None:
        if depth < 50 and any(replace_stride_with_dilation):
            raise ValueError(f"ResNet-{depth} (basic blocks) cannot be dilated; use ResNet-50 or -101")
        kw["replace_stride_with_dilation"] = replace_stride_with_dilation
    return with_pretrained(builder, weights, pretrained, f"resnet{depth}", **kw)


def resnet_dilation(output_stride: int) -> list[bool]:
    """``replace_stride_with_dilation`` for a ResNet with the given output stride (8, 16, 32)."""
    table = {8: [False, True, True], 16: [False, False, True], 32: [False, False, False]}
    if output_stride not in table:
        raise ValueError(f"output_stride must be 8, 16 or 32, got {output_stride}")
    return table[output_stride]


def set_bn_momentum(module: nn.Module, momentum: float = 0.1) -> nn.Module:
    """Set every BatchNorm's momentum (MobileNetV3 ships 0.01, which leaves the running
    statistics near their initial values for hundreds of steps: eval-mode results early in
    training would then be meaningless)."""
    for m in module.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = momentum
    return module


def mobilenet_v3_large_features(*, pretrained: bool = False, output_stride: int = 16) -> nn.Sequential:
    """MobileNetV3-Large's ``features`` with the strides beyond ``output_stride`` replaced by
    dilation (depthwise convolutions get the growing rate), BN momentum 0.1."""
    from torchvision import models as tvm

    net = with_pretrained(tvm.mobilenet_v3_large, tvm.MobileNet_V3_Large_Weights.IMAGENET1K_V1,
                          pretrained, "mobilenet_v3_large")
    features: nn.Sequential = net.features
    dilate_strided_convs(features, output_stride)
    return set_bn_momentum(features)


def dilate_strided_convs(features: nn.Sequential, output_stride: int) -> None:
    """Walk ``features`` in order; once the running stride reaches ``output_stride``, turn
    further stride-2 convolutions into stride 1 and dilate the following spatial convs."""
    if output_stride not in (8, 16, 32):
        raise ValueError(f"output_stride must be 8, 16 or 32, got {output_stride}")
    stride, dilation = 1, 1
    for block in features:
        for m in block.modules():
            if not isinstance(m, nn.Conv2d) or m.kernel_size[0] == 1:
                continue
            if m.stride[0] == 2:
                if stride >= output_stride:
                    m.stride = (1, 1)
                    dilation *= 2
                else:
                    stride *= 2
            if dilation > 1:
                k = m.kernel_size[0]
                m.dilation = (dilation, dilation)
                m.padding = ((k - 1) // 2 * dilation,) * 2


def feature_strides(features: nn.Sequential) -> list[int]:
    """The output stride after each block of a (possibly dilated) feature stack."""
    out, stride = [], 1
    for block in features:
        for m in block.modules():
            if isinstance(m, nn.Conv2d) and m.stride[0] == 2:
                stride *= 2
        out.append(stride)
    return out


def last_block_at_stride(features: nn.Sequential, stride: int) -> int:
    """Index of the last block of ``features`` whose output has ``stride``."""
    return max(i for i, s in enumerate(feature_strides(features)) if s == stride)


class LowHighTaps(IntermediateLayerGetter):
    """A backbone returning ``{"low", "high"}`` (and ``"mid"`` when named): the outputs of its
    children ``low``, ``high`` and ``mid`` (torchvision's :class:`IntermediateLayerGetter`;
    children after ``high`` are dropped). ``mid`` feeds an auxiliary head in training.

    ``renames`` are (old prefix, new prefix) pairs of state-dict keys: weights saved under an
    earlier layout of this backbone are renamed as they load, in this one place.
    """

    def __init__(self, model: nn.Module, low: str, high: str, renames: Sequence[tuple[str, str]] = (),
                 mid: str | None = None):
        super().__init__(model, {low: "low", high: "high"} | ({mid: "mid"} if mid is not None else {}))
        self.renames = tuple(renames)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        for old, new in self.renames:
            for key in [k for k in state_dict if k.startswith(prefix + old)]:
                state_dict[prefix + new + key[len(prefix + old):]] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


def resnet_taps(net: nn.Module, *, mid: bool = False) -> LowHighTaps:
    """``layer1`` (stride 4) and ``layer4`` of a torchvision ResNet, and ``layer3`` with ``mid``.
    Weights saved when the stem was a ``stem`` Sequential (``stem.0`` conv1, ``stem.1`` bn1) load too."""
    return LowHighTaps(net, "layer1", "layer4", renames=(("stem.0.", "conv1."), ("stem.1.", "bn1.")),
                       mid="layer3" if mid else None)


def features_taps(features: nn.Sequential, *, mid: int | None = None) -> LowHighTaps:
    """The last stride-4 block and the last block of a feature stack (MobileNetV3), and block
    ``mid`` when given. Weights saved when the stack was kept as ``features`` (``features.N``) load too."""
    low = last_block_at_stride(features, 4)
    return LowHighTaps(features, str(low), str(len(features) - 1), renames=(("features.", ""),),
                       mid=None if mid is None else str(mid))


class PoolingBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm for 1x1 pooled branches (DeepLab image pooling, PSPNet's 1-bin pool).

    Plain BatchNorm raises "Expected more than 1 value per channel when training" when a
    training batch holds ONE image, because a 1x1 map then has a single value per channel.
    Here such a batch is normalised with the running statistics (which it does not update);
    batches of two or more images train the statistics as usual. State-dict compatible with
    ``nn.BatchNorm2d``.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and x.shape[0] * x.shape[2] * x.shape[3] == 1:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                False, 0.0, self.eps)
        return super().forward(x)


def replace_bn_with_pooling_bn(module: nn.Module) -> nn.Module:
    """Swap every ``nn.BatchNorm2d`` directly inside ``module`` for :class:`PoolingBatchNorm2d`."""
    for name, child in module.named_children():
        if type(child) is nn.BatchNorm2d:
            new = PoolingBatchNorm2d(child.num_features, child.eps, child.momentum, child.affine,
                                     child.track_running_stats)
            new.load_state_dict(child.state_dict())
            setattr(module, name, new)
        else:
            replace_bn_with_pooling_bn(child)
    return module


def conv_bn_relu(cin: int, cout: int, k: int = 3, *, dilation: int = 1, stride: int = 1) -> nn.Sequential:
    """Conv (no bias) + BatchNorm + ReLU, 'same' padding."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=(k - 1) // 2 * dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def conv_head(cin: int, width: int, num_classes: int, dropout: nn.Module) -> nn.Sequential:
    """A classifier head: 3x3 conv + BN + ReLU to ``width``, ``dropout``, 1x1 conv to the classes
    (keys ``0.*``, ``2.*``): PSPNet's head and aux head, DeepLab v3+'s aux head."""
    return nn.Sequential(conv_bn_relu(cin, width), dropout, nn.Conv2d(width, num_classes, 1))


def separable_conv(cin: int, cout: int, *, dilation: int = 1) -> nn.Sequential:
    """Atrous separable convolution: depthwise 3x3 (dilated) + BN + ReLU, pointwise 1x1 + BN + ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, padding=dilation, dilation=dilation, groups=cin, bias=False),
        nn.BatchNorm2d(cin),
        nn.ReLU(inplace=True),
        nn.Conv2d(cin, cout, 1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


def bilinear_kernel(channels: int, size: int) -> torch.Tensor:
    """Weights (channels, channels, size, size) making a transposed conv a bilinear upsampler."""
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    og = torch.arange(size, dtype=torch.float32)
    filt1d = 1 - (og - center).abs() / factor
    filt = filt1d[:, None] * filt1d[None, :]
    w = torch.zeros(channels, channels, size, size)
    for i in range(channels):
        w[i, i] = filt
    return w


def match_size(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Crop or replicate-pad ``x`` (N, C, h, w) on the bottom/right to ``size`` (H, W)."""
    h, w = x.shape[-2:]
    H, W = size
    if h > H or w > W:
        x = x[..., : min(h, H), : min(w, W)]
        h, w = x.shape[-2:]
    if h < H or w < W:
        x = F.pad(x, (0, W - w, 0, H - h), mode="replicate")
    return x


def upsample_to(x: torch.Tensor, size: tuple[int, int] | torch.Size) -> torch.Tensor:
    """Bilinear resize to ``size`` (align_corners=False)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)
