"""FCN-8s over VGG16 (Long et al. 2015), written here; ``fcn_resnet50`` comes from torchvision
(see :func:`segcore.models.deeplab.torchvision_segmentation`).

VGG16's fully connected layers become convolutions (fc6: 7x7, fc7: 1x1, with ReLU and dropout);
a 1x1 score layer on fc7 (stride 32) is upsampled 2x by a transposed convolution initialised
as bilinear and summed with a 1x1 score layer on pool4 (stride 16); that sum is upsampled 2x
and summed with a score layer on pool3 (stride 8); the result is upsampled 8x to the input.
Instead of the paper's 100-pixel input padding and crops, fc6 uses 'same' padding and each sum
crops/pads to the skip's size, so any input size works (multiples of 32 need no padding).
With ``pretrained_backbone=True`` and ``fc_channels=4096`` the ImageNet classifier's first two
linear layers are reshaped into fc6/fc7, as the paper did.
"""

from __future__ import annotations

import torch
from torch import nn

from .backbones import bilinear_kernel, match_size, with_pretrained


def _up(channels: int, factor: int) -> nn.ConvTranspose2d:
    """A transposed conv upsampling exactly ``factor``x, initialised bilinear, no bias."""
    k = 2 * factor
    conv = nn.ConvTranspose2d(channels, channels, k, stride=factor, padding=factor // 2, bias=False)
    with torch.no_grad():
        conv.weight.copy_(bilinear_kernel(channels, k))
    return conv


class FCN8s(nn.Module):
    """FCN-8s; ``fc_channels`` (4096 in the paper) may be lowered for small problems."""

    def __init__(self, num_classes: int, *, pretrained_backbone: bool = False, fc_channels: int = 4096,
                 dropout: float = 0.5):
        super().__init__()
        from torchvision import models as tvm

        vgg = with_pretrained(tvm.vgg16, tvm.VGG16_Weights.IMAGENET1K_V1, pretrained_backbone, "vgg16")
        f = vgg.features
        self.to_pool3 = f[:17]   # conv1..conv3 + pool3: stride 8, 256 ch
        self.to_pool4 = f[17:24]  # conv4 + pool4: stride 16, 512 ch
        self.to_pool5 = f[24:]   # conv5 + pool5: stride 32, 512 ch
        self.fc = nn.Sequential(
            nn.Conv2d(512, fc_channels, 7, padding=3), nn.ReLU(inplace=True), nn.Dropout2d(dropout),
            nn.Conv2d(fc_channels, fc_channels, 1), nn.ReLU(inplace=True), nn.Dropout2d(dropout),
        )
        if pretrained_backbone and fc_channels == 4096:
            with torch.no_grad():
                self.fc[0].weight.copy_(vgg.classifier[0].weight.view(4096, 512, 7, 7))
                self.fc[0].bias.copy_(vgg.classifier[0].bias)
                self.fc[3].weight.copy_(vgg.classifier[3].weight.view(4096, 4096, 1, 1))
                self.fc[3].bias.copy_(vgg.classifier[3].bias)
        self.score_fr = nn.Conv2d(fc_channels, num_classes, 1)
        self.score_pool4 = nn.Conv2d(512, num_classes, 1)
        self.score_pool3 = nn.Conv2d(256, num_classes, 1)
        for conv in (self.score_pool4, self.score_pool3):  # skips start at zero, as in the paper
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)
        self.up2 = _up(num_classes, 2)
        self.up2_pool4 = _up(num_classes, 2)
        self.up8 = _up(num_classes, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-2:]
        p3 = self.to_pool3(x)
        p4 = self.to_pool4(p3)
        p5 = self.to_pool5(p4)
        s = self.score_fr(self.fc(p5))
        s = match_size(self.up2(s), p4.shape[-2:]) + self.score_pool4(p4)
        s = match_size(self.up2_pool4(s), p3.shape[-2:]) + self.score_pool3(p3)
        return match_size(self.up8(s), size)


def build_fcn8s_vgg16(num_classes: int, *, pretrained_backbone: bool = False, fc_channels: int = 4096) -> nn.Module:
    """``fcn8s_vgg16``."""
    return FCN8s(num_classes, pretrained_backbone=pretrained_backbone, fc_channels=fc_channels)
