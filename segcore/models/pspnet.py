"""PSPNet (Zhao et al. 2017) over a dilated ResNet-50 (output stride 8), written here.

The pyramid pooling module average-pools the 2048-channel features to 1x1, 2x2, 3x3 and 6x6
bins, reduces each with a 1x1 conv (BN, ReLU) to 512 channels, upsamples them bilinearly and
concatenates them with the features; a 3x3 conv and a 1x1 classifier follow. In train mode an
auxiliary head on layer3 also returns logits (``{"out", "aux"}``; weight its loss 0.4).

ONNX: adaptive average pooling to 2/3/6 bins only exports when the feature size is a multiple
of the bin count; export at a fixed input size whose stride-8 features divide by 6 (e.g.
input 480x480 -> 60x60) or expect the exporter to refuse.
"""

from __future__ import annotations

import torch
from torch import nn

from .backbones import PoolingBatchNorm2d, conv_head, resnet, upsample_to


class PyramidPooling(nn.Module):
    """Pool to each bin size, 1x1 conv + BN + ReLU, upsample, concatenate with the input."""

    def __init__(self, cin: int, bins: tuple[int, ...] = (1, 2, 3, 6), reduction: int = 512):
        super().__init__()
        self.stages = nn.ModuleList(
            nn.Sequential(nn.AdaptiveAvgPool2d(b), nn.Conv2d(cin, reduction, 1, bias=False),
                          PoolingBatchNorm2d(reduction), nn.ReLU(inplace=True))
            for b in bins
        )
        self.out_channels = cin + reduction * len(bins)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-2:]
        return torch.cat([x] + [upsample_to(s(x), size) for s in self.stages], dim=1)


class PSPNet(nn.Module):
    """Dilated ResNet + pyramid pooling + classifier (+ auxiliary head in training)."""

    def __init__(self, num_classes: int, *, depth: int = 50, pretrained_backbone: bool = False,
                 aux: bool = True, dropout: float = 0.1):
        super().__init__()
        net = resnet(depth, pretrained=pretrained_backbone, replace_stride_with_dilation=[False, True, True])
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        self.ppm = PyramidPooling(2048)
        self.head = conv_head(self.ppm.out_channels, 512, num_classes, nn.Dropout2d(dropout))
        self.aux = conv_head(1024, 256, num_classes, nn.Dropout2d(dropout)) if aux else None

    def forward(self, x: torch.Tensor) -> torch.Tensor | dict[str, torch.Tensor]:
        size = x.shape[-2:]
        c3 = self.layer3(self.layer2(self.layer1(self.stem(x))))
        out = upsample_to(self.head(self.ppm(self.layer4(c3))), size)
        if self.training and self.aux is not None:
            return {"out": out, "aux": upsample_to(self.aux(c3), size)}
        return out


def build_pspnet_resnet50(num_classes: int, *, pretrained_backbone: bool = False, aux: bool = True) -> nn.Module:
    """``pspnet_resnet50``."""
    return PSPNet(num_classes, depth=50, pretrained_backbone=pretrained_backbone, aux=aux)
