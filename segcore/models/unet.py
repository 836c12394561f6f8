"""U-Net (Ronneberger et al. 2015): a contracting path of 3x3 conv pairs and 2x2 pooling, an
expanding path of 2x2 up-convolutions with the encoder features concatenated at every level,
and a final 1x1 conv per pixel.

Two encoders: the classic one (``depth`` poolings, ``base_channels`` doubling per level, BN
after each conv) and a torchvision ResNet (``encoder="resnet18" | "resnet34" | "resnet50" |
"resnet101"``) whose five stages (strides 2..32) feed the same kind of decoder. Inputs of any
size work (skips are padded/cropped to match); sizes divisible by ``2**depth`` (32 for ResNet)
avoid the padding.
"""

from __future__ import annotations

import torch
from torch import nn

from .backbones import conv_bn_relu, match_size, resnet, upsample_to


def double_conv(cin: int, cout: int) -> nn.Sequential:
    """Two 3x3 conv + BN + ReLU."""
    return nn.Sequential(conv_bn_relu(cin, cout), conv_bn_relu(cout, cout))


class Up(nn.Module):
    """2x up-convolution, concatenate the skip, double conv."""

    def __init__(self, cin: int, cskip: int, cout: int):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.conv = double_conv(cin // 2 + cskip, cout)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = match_size(self.up(x), skip.shape[-2:])
        return self.conv(torch.cat([skip, x], dim=1))


class UNet(nn.Module):
    """Classic U-Net; ``depth`` poolings, widths ``base_channels * 2**level``."""

    def __init__(self, num_classes: int, *, in_channels: int = 3, depth: int = 4, base_channels: int = 64):
        super().__init__()
        if depth < 1 or base_channels < 2:
            raise ValueError(f"U-Net needs depth >= 1 and base_channels >= 2 (got {depth}, {base_channels})")
        widths = [base_channels * 2**i for i in range(depth + 1)]
        self.inc = double_conv(in_channels, widths[0])
        self.down = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), double_conv(widths[i], widths[i + 1])) for i in range(depth)
        )
        self.up = nn.ModuleList(Up(widths[i + 1], widths[i], widths[i]) for i in reversed(range(depth)))
        self.head = nn.Conv2d(widths[0], num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-2:]
        skips = [self.inc(x)]
        for down in self.down:
            h = skips[-1]
            if min(h.shape[-2:]) < 2:  # tiny inputs: keep going without halving further
                h = match_size(h, (2, 2))
            skips.append(down(h))
        y = skips.pop()
        for up in self.up:
            y = up(y, skips.pop())
        return match_size(self.head(y), size)


class ResNetUNet(nn.Module):
    """U-Net decoder over a torchvision ResNet encoder (strides 2, 4, 8, 16, 32)."""

    def __init__(self, num_classes: int, *, encoder: str = "resnet34", pretrained_backbone: bool = False,
                 decoder_channels: tuple[int, ...] = (256, 128, 64, 32, 16)):
        super().__init__()
        try:
            depth = int(encoder.removeprefix("resnet"))
        except ValueError:
            raise ValueError(f"unknown U-Net encoder {encoder!r}; use resnet18/34/50/101") from None
        net = resnet(depth, pretrained=pretrained_backbone)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu)  # stride 2, 64 ch
        self.pool = net.maxpool
        self.layers = nn.ModuleList([net.layer1, net.layer2, net.layer3, net.layer4])
        exp = 4 if depth >= 50 else 1
        enc = [64, 64 * exp, 128 * exp, 256 * exp, 512 * exp]  # strides 2, 4, 8, 16, 32
        d = list(decoder_channels)
        if len(d) != 5:
            raise ValueError("decoder_channels needs 5 widths (strides 16, 8, 4, 2, 1)")
        self.dec = nn.ModuleList([
            double_conv(enc[4] + enc[3], d[0]),
            double_conv(d[0] + enc[2], d[1]),
            double_conv(d[1] + enc[1], d[2]),
            double_conv(d[2] + enc[0], d[3]),
            double_conv(d[3] + 3, d[4]),  # full resolution, with the input itself as the skip
        ])
        self.head = nn.Conv2d(d[4], num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = [x, self.stem(x)]
        h = self.pool(feats[-1])
        for layer in self.layers:
            h = layer(h)
            feats.append(h)
        y = feats.pop()
        for dec in self.dec:
            skip = feats.pop()
            y = dec(torch.cat([skip, upsample_to(y, skip.shape[-2:])], dim=1))
        return self.head(y)


def build_unet(num_classes: int, *, pretrained_backbone: bool = False, encoder: str | None = None,
               depth: int = 4, base_channels: int = 64, in_channels: int = 3) -> nn.Module:
    """``unet``: classic (``encoder=None``) or over a torchvision ResNet (``encoder="resnet34"``)."""
    if encoder:
        return ResNetUNet(num_classes, encoder=encoder, pretrained_backbone=pretrained_backbone)
    return UNet(num_classes, in_channels=in_channels, depth=depth, base_channels=base_channels)
