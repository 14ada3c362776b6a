"""PyTorch reference of @attnkit/cbam: the official Jongchan/attention-module MODELS/cbam.py
(ECCV 2018), mirrored with its state-dict names, and timm's pool order. Run by
tools/golden/make_golden_modules.py, which writes golden/cases.json; tools/golden/make_golden.py
builds its CBAM networks from CBAM."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class ChannelGate(nn.Module):
    def __init__(self, channels, r):
        super().__init__()
        cr = channels // r
        assert cr >= 1, "CBAM reduction gives 0 channels"
        self.mlp = nn.Sequential(nn.Flatten(), nn.Linear(channels, cr), nn.ReLU(), nn.Linear(cr, channels))

    def forward(self, x):
        n, c = x.shape[:2]
        avg = x.mean(dim=(2, 3), keepdim=True)
        mx = x.amax(dim=(2, 3), keepdim=True)
        a = torch.sigmoid(self.mlp(avg) + self.mlp(mx))
        return x * a.view(n, c, 1, 1)


class BasicConv(nn.Module):
    """The official CBAM BasicConv as used by SpatialGate: conv (no bias) + BN, no ReLU."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, 7, stride=1, padding=3, bias=False)
        self.bn = nn.BatchNorm2d(1, eps=1e-5, momentum=0.01, affine=True)

    def forward(self, x):
        return self.bn(self.conv(x))


class SpatialGate(nn.Module):
    def __init__(self, pool_order):
        super().__init__()
        assert pool_order in ("max-mean", "mean-max")
        self.pool_order = pool_order
        self.spatial = BasicConv()

    def forward(self, x):
        mx = x.amax(dim=1, keepdim=True)
        mean = x.mean(dim=1, keepdim=True)
        s = torch.cat([mx, mean] if self.pool_order == "max-mean" else [mean, mx], dim=1)
        return x * torch.sigmoid(self.spatial(s))


class CBAM(nn.Module):
    def __init__(self, channels, r=16, pool_order="max-mean"):
        super().__init__()
        self.ChannelGate = ChannelGate(channels, r)
        self.SpatialGate = SpatialGate(pool_order)

    def forward(self, x):
        return self.SpatialGate(self.ChannelGate(x))


def build(module_id, options, channels):
    return CBAM(channels, options.get("reductionRatio", 16), options.get("poolOrder", "max-mean"))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "cbam", "options": {"reductionRatio": 16, "poolOrder": "max-mean"}, "shape": [2, 32, 5, 6], "seed": 1025},
    {"id": "cbam", "options": {"reductionRatio": 16, "poolOrder": "mean-max"}, "shape": [2, 32, 5, 6], "seed": 1026},
    {"id": "cbam", "options": {"reductionRatio": 4, "poolOrder": "max-mean"}, "shape": [3, 20, 4, 3], "seed": 1027},
    {"id": "cbam", "options": {"reductionRatio": 4, "poolOrder": "mean-max"}, "shape": [3, 20, 4, 3], "seed": 1028},
    {"id": "cbam", "options": {"reductionRatio": 8, "poolOrder": "max-mean"}, "shape": [1, 37, 7, 5], "seed": 1029},
]

# case names abbreviate the options: cbam-1-r16-pmax-mean-n2-c32-h5w6
OPTION_LABELS = {"reductionRatio": "r", "poolOrder": "p"}


def randomize(m, g):
    """Random weights at scales that keep the sigmoids away from saturation; the spatial BN in
    eval mode with random statistics."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("spatial.conv.weight"):
                p.copy_(torch.randn(*p.shape, generator=g) * 0.15)
            elif name.endswith("bn.weight"):
                p.copy_((torch.rand(*p.shape, generator=g) + 0.5) * torch.where(torch.rand(p.shape, generator=g) < 0.3, -1.0, 1.0))
            elif name.endswith("bias"):
                p.copy_(torch.randn(*p.shape, generator=g) * 0.2)
            else:  # Linear [out, in]
                p.copy_(torch.randn(*p.shape, generator=g) * (1.0 / math.sqrt(p.shape[1])))
        for name, b in m.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.rand(*b.shape, generator=g) - 0.5)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(*b.shape, generator=g) * 1.5 + 0.5)


def check(m, case, x, out):
    """The CBAM math written out (MLP by matrix products, BN by its formula); the driver asserts
    it agrees with the forward to 1e-12."""
    c = x.shape[1]
    mlp1, mlp3 = m.ChannelGate.mlp[1], m.ChannelGate.mlp[3]

    def mlp(v):
        return F.relu(v @ mlp1.weight.T + mlp1.bias) @ mlp3.weight.T + mlp3.bias

    a = torch.sigmoid(mlp(x.mean(dim=(2, 3))) + mlp(x.flatten(2).max(-1).values))
    x1 = x * a[:, :, None, None]
    mx, mean = x1.max(1, keepdim=True).values, x1.sum(1, keepdim=True) / c
    s = torch.cat([mx, mean] if case["options"]["poolOrder"] == "max-mean" else [mean, mx], 1)
    s = F.conv2d(F.pad(s, (3, 3, 3, 3)), m.SpatialGate.spatial.conv.weight)
    bn = m.SpatialGate.spatial.bn
    s = (s - bn.running_mean) / torch.sqrt(bn.running_var + 1e-5) * bn.weight + bn.bias
    return x1 * torch.sigmoid(s)
