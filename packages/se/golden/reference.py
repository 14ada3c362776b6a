"""PyTorch reference of @attnkit/se: squeeze-and-excitation (Hu et al., CVPR 2018) as the original
SENet (C // r hidden units) and timm's SEModule (make_divisible), as Linear layers fc1 / fc2 (the
names attnkit's se declares). Run by tools/golden/make_golden_modules.py, which writes golden/cases.json;
tools/golden/make_golden.py builds its SE networks from SE."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def se_reduced(channels, r, divisor):
    if divisor == 1:
        return channels // r  # original SENet
    v = channels / r  # timm make_divisible(v, divisor, round_limit=0.)
    return max(divisor, int(v + divisor / 2) // divisor * divisor)


class SE(nn.Module):
    def __init__(self, channels, r=16, bias=True, divisor=1):
        super().__init__()
        cr = se_reduced(channels, r, divisor)
        self.fc1 = nn.Linear(channels, cr, bias=bias)
        self.fc2 = nn.Linear(cr, channels, bias=bias)

    def forward(self, x):
        n, c = x.shape[:2]
        a = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean(dim=(2, 3))))))
        return x * a.view(n, c, 1, 1)


def build(module_id, options, channels):
    return SE(channels, options.get("reductionRatio", 16), options.get("bias", True), options.get("channelDivisor", 1))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "se", "options": {"reductionRatio": 16, "bias": True, "channelDivisor": 1}, "shape": [2, 64, 3, 3], "seed": 1019},
    {"id": "se", "options": {"reductionRatio": 16, "bias": True, "channelDivisor": 8}, "shape": [2, 64, 3, 3], "seed": 1020},
    {"id": "se", "options": {"reductionRatio": 4, "bias": False, "channelDivisor": 1}, "shape": [3, 37, 3, 2], "seed": 1021},
    {"id": "se", "options": {"reductionRatio": 4, "bias": True, "channelDivisor": 8}, "shape": [1, 20, 4, 5], "seed": 1022},
    {"id": "se", "options": {"reductionRatio": 16, "bias": False, "channelDivisor": 1}, "shape": [3, 48, 2, 3], "seed": 1023},
    {"id": "se", "options": {"reductionRatio": 16, "bias": False, "channelDivisor": 8}, "shape": [1, 37, 5, 3], "seed": 1024},
]

# case names abbreviate the options: se-1-r16-bTrue-div1-n2-c64-h3w3
OPTION_LABELS = {"reductionRatio": "r", "bias": "b", "channelDivisor": "div"}


def randomize(m, g):
    """Random weights at scales that keep the sigmoid away from saturation."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("bias"):
                p.copy_(torch.randn(*p.shape, generator=g) * 0.2)
            else:  # Linear [out, in]
                p.copy_(torch.randn(*p.shape, generator=g) * (1.0 / math.sqrt(p.shape[1])))


def check(m, case, x, out):
    """The SE math written out (the hidden width by hand); the driver asserts it agrees with the
    forward to 1e-12."""
    o = case["options"]
    c = x.shape[1]
    r, div = o["reductionRatio"], o["channelDivisor"]
    cr = c // r if div == 1 else max(8, int(c / r + 4) // 8 * 8)
    assert m.fc1.weight.shape == (cr, c) and (m.fc1.bias is not None) == o["bias"]
    h = x.mean(dim=(2, 3)) @ m.fc1.weight.T + (m.fc1.bias if o["bias"] else 0)
    z = F.relu(h) @ m.fc2.weight.T + (m.fc2.bias if o["bias"] else 0)
    return x * torch.sigmoid(z)[:, :, None, None]
