"""PyTorch reference of @attnkit/gct: z-x-yang/GCT's PyTorch/GCT.py (CVPR 2020), mirrored with its
state-dict names. Run by tools/golden/make_golden_modules.py, which writes golden/cases.json."""

import torch
import torch.nn as nn


class GCT(nn.Module):
    """z-x-yang/GCT: l2 (or l1) embedding scaled by alpha, channel normalization by gamma, gate
    1 + tanh(. + beta)."""

    def __init__(self, channels, epsilon=1e-5, mode="l2", after_relu=False):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1, channels, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.beta = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.epsilon = epsilon
        self.mode = mode
        self.after_relu = after_relu

    def forward(self, x):
        if self.mode == "l2":
            embedding = (x.pow(2).sum((2, 3), keepdim=True) + self.epsilon).pow(0.5) * self.alpha
            norm = self.gamma / (embedding.pow(2).mean(dim=1, keepdim=True) + self.epsilon).pow(0.5)
        else:
            ax = x if self.after_relu else torch.abs(x)
            embedding = ax.sum((2, 3), keepdim=True) * self.alpha
            norm = self.gamma / (torch.abs(embedding).mean(dim=1, keepdim=True) + self.epsilon)
        return x * (1.0 + torch.tanh(embedding * norm + self.beta))


def build(module_id, options, channels):
    return GCT(channels, epsilon=options.get("epsilon", 1e-5), mode=options.get("mode", "l2"), after_relu=options.get("afterRelu", False))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "gct", "options": {}, "shape": [2, 16, 5, 7], "seed": 15006},
    {"id": "gct", "options": {"epsilon": 1e-3}, "shape": [1, 37, 4, 3], "seed": 15007},
    {"id": "gct", "options": {"mode": "l1"}, "shape": [2, 12, 3, 4], "seed": 15008},
    {"id": "gct", "options": {"mode": "l1", "afterRelu": True}, "shape": [2, 8, 4, 4], "seed": 15009},
]

COSTS = [{}]
