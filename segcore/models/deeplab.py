"""DeepLab v3 (torchvision) and DeepLab v3+ (written here).

v3+ (Chen et al. 2018): a dilated backbone (output stride 16 or 8) into ASPP = one 1x1 conv,
three 3x3 atrous separable convs (rates 6/12/18 at OS16, doubled at OS8) and image-level
pooling, each with BatchNorm, concatenated and projected to 256 channels; the decoder upsamples
that 4x (to stride 4), concatenates the stride-4 backbone features reduced to 48 channels by a
1x1 conv, applies two 3x3 separable convs and a 1x1 classifier, and upsamples to the input.

Batch size 1 in train mode: the image-pooling branch is a 1x1 map, where plain BatchNorm
raises; :class:`~segcore.models.backbones.PoolingBatchNorm2d` normalises such a batch with the
running statistics instead (also patched into torchvision's v3 ASPP here).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from .backbones import (
    PoolingBatchNorm2d,
    conv_head,
    features_taps,
    last_block_at_stride,
    mobilenet_v3_large_features,
    replace_bn_with_pooling_bn,
    resnet,
    resnet_dilation,
    resnet_taps,
    separable_conv,
    set_bn_momentum,
    upsample_to,
    with_pretrained,
)


class ASPP(nn.Module):
    """Atrous spatial pyramid pooling with separable atrous branches and image pooling."""

    def __init__(self, cin: int, rates: tuple[int, int, int], cout: int = 256, dropout: float = 0.1):
        super().__init__()
        branches: list[nn.Module] = [
            nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
        ]
        branches += [separable_conv(cin, cout, dilation=r) for r in rates]
        self.branches = nn.ModuleList(branches)
        self.pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(cin, cout, 1, bias=False),
            PoolingBatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )
        self.project = nn.Sequential(
            nn.Conv2d(cout * (len(branches) + 1), cout, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = [b(x) for b in self.branches]
        outs.append(self.pool(x).expand(-1, -1, x.shape[2], x.shape[3]))
        return self.project(torch.cat(outs, dim=1))


MOBILENET_V3_MID_BLOCK = 12
"""MobileNetV3-Large's last 112-channel block: the end of the stride-16 stage of the undilated
network, where DeepLab v3+'s auxiliary head reads (as PSPNet's reads ResNet's ``layer3``)."""


class DeepLabV3Plus(nn.Module):
    """Encoder (backbone + ASPP) and the v3+ decoder; ``backbone(x)`` returns ``{"low", "high"}``
    (and ``"mid"`` for the auxiliary head, when ``aux_channels`` is given)."""

    def __init__(self, backbone: nn.Module, low_channels: int, high_channels: int, num_classes: int,
                 output_stride: int, head_channels: int = 256, aux_channels: int | None = None):
        super().__init__()
        rates = (6, 12, 18) if output_stride == 16 else (12, 24, 36)
        self.backbone = backbone
        self.aspp = ASPP(high_channels, rates, head_channels)
        self.reduce = nn.Sequential(nn.Conv2d(low_channels, 48, 1, bias=False), nn.BatchNorm2d(48),
                                    nn.ReLU(inplace=True))
        self.decoder = nn.Sequential(separable_conv(head_channels + 48, head_channels),
                                     separable_conv(head_channels, head_channels))
        self.classifier = nn.Conv2d(head_channels, num_classes, 1)
        self.aux = None
        if aux_channels is not None:
            width = 256 if aux_channels >= 512 else 128
            self.aux = conv_head(aux_channels, width, num_classes, nn.Dropout(0.1))

    def forward(self, x: torch.Tensor) -> torch.Tensor | dict[str, torch.Tensor]:
        feats = self.backbone(x)
        low = feats["low"]
        y = upsample_to(self.aspp(feats["high"]), low.shape[-2:])
        y = self.decoder(torch.cat([self.reduce(low), y], dim=1))
        out = upsample_to(self.classifier(y), x.shape[-2:])
        if self.training and self.aux is not None:
            return {"out": out, "aux": upsample_to(self.aux(feats["mid"]), x.shape[-2:])}
        return out


def build_deeplabv3plus(num_classes: int, *, backbone: str = "resnet50", pretrained_backbone: bool = False,
                        output_stride: int = 16, head_channels: int = 256, aux: bool = False) -> nn.Module:
    """DeepLab v3+ over ``resnet50``, ``resnet101`` or ``mobilenet_v3_large``; OS 16 or 8;
    ``head_channels``: the width of ASPP and the decoder (256 in the paper); ``aux``: an
    auxiliary head on the backbone's stride-16 stage (3x3 conv to 128 channels on MobileNetV3's block
    12, to 256 on ResNet's ``layer3``; BN, ReLU, dropout, 1x1 classifier), used in training only
    (``{"out", "aux"}`` in train mode)."""
    if output_stride not in (8, 16):
        raise ValueError(f"DeepLab v3+ output_stride must be 8 or 16, got {output_stride}")
    if not 8 <= head_channels <= 1024:
        raise ValueError(f"DeepLab v3+ head_channels must be between 8 and 1024, got {head_channels}")
    if not isinstance(aux, bool):
        raise ValueError(f"DeepLab v3+ aux must be true or false, got {aux!r}")
    if backbone in ("resnet50", "resnet101"):
        net = resnet(int(backbone[6:]), pretrained=pretrained_backbone,
                     replace_stride_with_dilation=resnet_dilation(output_stride))
        return DeepLabV3Plus(resnet_taps(net, mid=aux), 256, 2048, num_classes, output_stride, head_channels,
                             1024 if aux else None)
    if backbone == "mobilenet_v3_large":
        feats = mobilenet_v3_large_features(pretrained=pretrained_backbone, output_stride=output_stride)
        low_ch = feats[last_block_at_stride(feats, 4)].out_channels
        mid = MOBILENET_V3_MID_BLOCK if aux else None
        model = DeepLabV3Plus(features_taps(feats, mid=mid), low_ch, feats[-1].out_channels, num_classes,
                              output_stride, head_channels, feats[MOBILENET_V3_MID_BLOCK].out_channels if aux else None)
        return set_bn_momentum(model)
    raise ValueError(f"unknown DeepLab v3+ backbone {backbone!r}; use resnet50, resnet101 or mobilenet_v3_large")


class TorchvisionSeg(nn.Module):
    """Wraps a torchvision segmentation model (which returns ``{"out", "aux"}``) to our
    contract: logits in eval mode; ``{"out", "aux"}`` in train mode when it has an aux head."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor | dict[str, torch.Tensor]:
        y = self.net(x)
        if self.training and "aux" in y:
            return {"out": y["out"], "aux": y["aux"]}
        return y["out"]


def load_torchvision_backbone(backbone: nn.Module, state: Mapping[str, torch.Tensor]) -> None:
    """Load a torchvision classifier's state dict into the backbone torchvision's segmentation
    models keep (ResNet keys as they are; MobileNetV3 ``features.N`` keys as ``N``)."""
    own = backbone.state_dict()
    picked = {k: state[k] if k in state else state[f"features.{k}"] for k in own
              if k in state or f"features.{k}" in state}
    backbone.load_state_dict(picked, strict=False)


def torchvision_segmentation(name: str, num_classes: int, *, pretrained_backbone: bool | Mapping = False,
                             aux_loss: bool = False) -> nn.Module:
    """One of torchvision's ``deeplabv3_*``, ``fcn_resnet50``, ``lraspp_mobilenet_v3_large``,
    built offline (``weights=None``), BN momentum 0.1, batch-1-safe pooling BN."""
    from torchvision.models import MobileNet_V3_Large_Weights, ResNet50_Weights, ResNet101_Weights
    from torchvision.models import segmentation as seg

    builder = getattr(seg, name)
    kwargs: dict[str, object] = {"num_classes": num_classes}
    if not name.startswith("lraspp"):
        kwargs["aux_loss"] = aux_loss
    elif aux_loss:
        raise ValueError(f"{name} has no auxiliary head (aux_loss must be False)")
    bb = {"resnet50": ResNet50_Weights, "resnet101": ResNet101_Weights,
          "mobilenet_v3_large": MobileNet_V3_Large_Weights}[name.split("_", 1)[1]]

    def make(weights: object = None, **kw: object) -> nn.Module:
        return builder(weights=None, weights_backbone=weights, **kw)

    if isinstance(pretrained_backbone, Mapping):  # a checked torchvision state dict
        net = make(None, **kwargs)
        load_torchvision_backbone(net.backbone, pretrained_backbone)
    else:
        net = with_pretrained(make, bb.IMAGENET1K_V1, pretrained_backbone, name.split("_", 1)[1], **kwargs)
    if name.startswith("deeplabv3"):
        aspp = net.classifier[0]
        replace_bn_with_pooling_bn(aspp.convs[-1])  # the ASPPPooling branch
    return TorchvisionSeg(set_bn_momentum(net))
