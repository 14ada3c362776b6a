"""PyTorch reference of @attnkit/gc: timm's GlobalContext (timm/layers/global_context.py),
mirrored with its state-dict names. Run by tools/golden/make_golden_modules.py, which writes
golden/cases.json."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm_layers import ConvMlp, LayerNorm2d, make_divisible


class GlobalContext(nn.Module):
    """timm GlobalContext defaults (use_attn, fuse_scale, no fuse_add): softmax attention pooling
    over H*W, ConvMlp with LayerNorm2d, sigmoid gate."""

    def __init__(self, channels, ratio=1 / 8):
        super().__init__()
        rd = make_divisible(channels * ratio, 1, 0.0)
        self.conv_attn = nn.Conv2d(channels, 1, 1, bias=True)
        self.mlp_scale = ConvMlp(channels, rd, norm=LayerNorm2d)

    def forward(self, x):
        n, c, h, w = x.shape
        attn = F.softmax(self.conv_attn(x).reshape(n, 1, h * w), dim=-1).unsqueeze(3)
        context = (x.reshape(n, c, h * w).unsqueeze(1) @ attn).view(n, c, 1, 1)
        return x * torch.sigmoid(self.mlp_scale(context))


def build(module_id, options, channels):
    return GlobalContext(channels, ratio=1 / options.get("reductionRatio", 8))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "gc", "options": {}, "shape": [2, 16, 5, 7], "seed": 15016},
    {"id": "gc", "options": {}, "shape": [1, 20, 3, 4], "seed": 15017},
    {"id": "gc", "options": {"reductionRatio": 4}, "shape": [2, 12, 4, 4], "seed": 15018},
]

COSTS = [{}]
