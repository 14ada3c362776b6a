"""PyTorch reference of @attnkit/simam: ZjjConan/SimAM's simam_module (ICML 2021), mirrored with
its arithmetic. Run by tools/golden/make_golden_modules.py, which writes golden/cases.json."""

import torch
import torch.nn as nn


class SimAM(nn.Module):
    """ZjjConan/SimAM simam_module: energy-based weights, no parameters."""

    def __init__(self, channels, e_lambda=1e-4):
        super().__init__()
        self.e_lambda = e_lambda

    def forward(self, x):
        n = x.shape[2] * x.shape[3] - 1
        d = (x - x.mean(dim=[2, 3], keepdim=True)).pow(2)
        y = d / (4 * (d.sum(dim=[2, 3], keepdim=True) / n + self.e_lambda)) + 0.5
        return x * torch.sigmoid(y)


def build(module_id, options, channels):
    return SimAM(channels, e_lambda=options.get("lambda", 1e-4))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "simam", "options": {}, "shape": [2, 8, 5, 7], "seed": 15000},
    {"id": "simam", "options": {"lambda": 0.1}, "shape": [1, 12, 4, 3], "seed": 15001},
    {"id": "simam", "options": {}, "shape": [3, 16, 6, 6], "seed": 15002},
]

COSTS = [{}]
