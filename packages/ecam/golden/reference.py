"""PyTorch reference of @attnkit/ecam: timm's EcaModule with use_mlp=True (timm/layers/eca.py),
mirrored with its state-dict names. Run by tools/golden/make_golden_modules.py, which writes
golden/cases.json."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm_layers import make_divisible


def eca_kernel_size(channels, gamma=2, beta=1):
    t = int(abs(math.log(channels, 2) + beta) / gamma)
    return max(t if t % 2 else t + 1, 3)


class EcaMlp(nn.Module):
    """timm EcaModule(use_mlp=True): a 1 -> rd -> 1 channel MLP over the pooled vector seen as
    a 1-D sequence: Conv1d(1, rd, 1) + ReLU + Conv1d(rd, 1, k, padding (k-1)/2), both biased."""

    def __init__(self, channels, ratio=1 / 8, divisor=8):
        super().__init__()
        k = eca_kernel_size(channels)
        rd = make_divisible(channels * ratio, divisor, 0.9)
        self.conv = nn.Conv1d(1, rd, 1, bias=True)
        self.conv2 = nn.Conv1d(rd, 1, k, padding=(k - 1) // 2, bias=True)

    def forward(self, x):
        n = x.shape[0]
        y = self.conv2(F.relu(self.conv(x.mean((2, 3)).view(n, 1, -1))))
        return x * torch.sigmoid(y).view(n, -1, 1, 1)


def build(module_id, options, channels):
    return EcaMlp(channels)


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "ecam", "options": {}, "shape": [2, 32, 5, 4], "seed": 15025},
    {"id": "ecam", "options": {}, "shape": [2, 20, 3, 3], "seed": 15026},
    {"id": "ecam", "options": {}, "shape": [1, 128, 3, 2], "seed": 15027},
]

COSTS = [{}]
