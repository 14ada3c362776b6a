"""PyTorch reference of @attnkit/lcbam: timm's LightCbamModule (timm/layers/cbam.py), mirrored
with its state-dict names. Run by tools/golden/make_golden_modules.py, which writes
golden/cases.json."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm_layers import ConvNorm, make_divisible


class LightChannelAttn(nn.Module):
    def __init__(self, channels, ratio=1 / 16):
        super().__init__()
        rd = make_divisible(channels * ratio, 1, 0.0)
        self.fc1 = nn.Conv2d(channels, rd, 1, bias=False)
        self.fc2 = nn.Conv2d(rd, channels, 1, bias=False)

    def forward(self, x):
        pooled = 0.5 * x.mean((2, 3), keepdim=True) + 0.5 * x.amax((2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(pooled))))


class LightSpatialAttn(nn.Module):
    def __init__(self, k=7):
        super().__init__()
        self.conv = ConvNorm(1, 1, k)

    def forward(self, x):
        s = 0.5 * x.mean(dim=1, keepdim=True) + 0.5 * x.amax(dim=1, keepdim=True)
        return x * torch.sigmoid(self.conv(s))


class LightCbam(nn.Module):
    """timm LightCbamModule: the channel gate pools avg + max before one MLP call; the spatial
    gate convolves the mean of the channel mean and max (one plane, not two)."""

    def __init__(self, channels, k=7):
        super().__init__()
        self.channel = LightChannelAttn(channels)
        self.spatial = LightSpatialAttn(k)

    def forward(self, x):
        return self.spatial(self.channel(x))


def build(module_id, options, channels):
    return LightCbam(channels, k=options.get("spatialKernelSize", 7))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "lcbam", "options": {}, "shape": [2, 32, 8, 9], "seed": 15010},
    {"id": "lcbam", "options": {}, "shape": [1, 20, 5, 4], "seed": 15011},
    {"id": "lcbam", "options": {"spatialKernelSize": 3}, "shape": [2, 16, 4, 5], "seed": 15012},
]

COSTS = [{}]
