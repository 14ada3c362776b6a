"""PyTorch reference of @attnkit/ese: timm's EffectiveSEModule (timm/layers/squeeze_excite.py),
mirrored with its state-dict names. Run by tools/golden/make_golden_modules.py, which writes
golden/cases.json."""

import torch.nn as nn
from timm_layers import hard_sigmoid


class EffectiveSE(nn.Module):
    """timm EffectiveSEModule: GAP (optionally averaged with GMP), 1x1 conv C->C, hard sigmoid."""

    def __init__(self, channels, add_maxpool=False):
        super().__init__()
        self.add_maxpool = add_maxpool
        self.fc = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        if self.add_maxpool:
            s = 0.5 * s + 0.5 * x.amax((2, 3), keepdim=True)
        return x * hard_sigmoid(self.fc(s))


def build(module_id, options, channels):
    return EffectiveSE(channels, add_maxpool=options.get("addMaxPool", False))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "ese", "options": {}, "shape": [2, 16, 5, 7], "seed": 15003},
    {"id": "ese", "options": {"addMaxPool": True}, "shape": [2, 24, 4, 3], "seed": 15004},
    {"id": "ese", "options": {}, "shape": [1, 37, 3, 3], "seed": 15005},
]

COSTS = [{}]
