"""SegNet (Badrinarayanan et al.) with a VGG16-BN encoder, written here.

The encoder is VGG16's 13 convolutions (with BatchNorm) in five blocks, each closed by a 2x2
max-pooling that records its indices. The decoder mirrors it: ``MaxUnpool2d`` places each value
back at the index its pooling recorded (no learned upsampling), and trainable 3x3 conv + BN +
ReLU layers densify the sparse map; a final 3x3 conv gives the class logits. Unpooling takes the
pre-pooling size, so odd input sizes work too.
"""

from __future__ import annotations

import torch
from torch import nn

from .backbones import conv_bn_relu, with_pretrained

# (decoder widths per block, deepest first): block 5 -> 512,512,512; ...; block 1 -> 64
_DECODER = [(512, 512, 512), (512, 512, 256), (256, 256, 128), (128, 64), (64,)]


class SegNet(nn.Module):
    """VGG16-BN encoder with pooling indices; unpooling decoder."""

    def __init__(self, num_classes: int, *, pretrained_backbone: bool = False):
        super().__init__()
        from torchvision import models as tvm

        vgg = with_pretrained(tvm.vgg16_bn, tvm.VGG16_BN_Weights.IMAGENET1K_V1, pretrained_backbone, "vgg16_bn")
        blocks, current = [], []
        for layer in vgg.features:
            if isinstance(layer, nn.MaxPool2d):
                blocks.append(nn.Sequential(*current))
                current = []
            else:
                current.append(layer)
        self.encoder = nn.ModuleList(blocks)
        self.pool = nn.MaxPool2d(2, 2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2, 2)
        enc_out = [64, 128, 256, 512, 512]
        dec = []
        for i, widths in enumerate(_DECODER):
            cin = enc_out[len(enc_out) - 1 - i]
            layers = []
            for w in widths:
                layers.append(conv_bn_relu(cin, w))
                cin = w
            dec.append(nn.Sequential(*layers))
        self.decoder = nn.ModuleList(dec)
        self.classifier = nn.Conv2d(64, num_classes, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        stack = []
        for block in self.encoder:
            x = block(x)
            size = x.shape[-2:]
            x, idx = self.pool(x)
            stack.append((idx, size))
        for block in self.decoder:
            idx, size = stack.pop()
            x = block(self.unpool(x, idx, output_size=size))
        return self.classifier(x)


def build_segnet_vgg16(num_classes: int, *, pretrained_backbone: bool = False) -> nn.Module:
    """``segnet_vgg16``."""
    return SegNet(num_classes, pretrained_backbone=pretrained_backbone)
