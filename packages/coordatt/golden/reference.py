"""PyTorch reference of @attnkit/coordatt: houqb/CoordAttention's coordatt.py (CVPR 2021),
mirrored with its state-dict names. Run by tools/golden/make_golden_modules.py, which writes
golden/cases.json."""

import torch
import torch.nn as nn
from timm_layers import hard_sigmoid


class CoordAtt(nn.Module):
    """houqb/CoordAttention CoordAtt(inp, oup=inp, reduction): pools along W and along H, a shared
    1x1 conv + BN + h_swish on the concatenation, one 1x1 conv + sigmoid per direction."""

    def __init__(self, channels, reduction=32):
        super().__init__()
        mip = max(8, channels // reduction)
        self.conv1 = nn.Conv2d(channels, mip, 1)
        self.bn1 = nn.BatchNorm2d(mip)
        self.conv_h = nn.Conv2d(mip, channels, 1)
        self.conv_w = nn.Conv2d(mip, channels, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        x_h = x.mean(3, keepdim=True)
        x_w = x.mean(2, keepdim=True).permute(0, 1, 3, 2)
        y = self.bn1(self.conv1(torch.cat([x_h, x_w], dim=2)))
        y = y * hard_sigmoid(y)
        x_h, x_w = torch.split(y, [h, w], dim=2)
        a_h = torch.sigmoid(self.conv_h(x_h))
        a_w = torch.sigmoid(self.conv_w(x_w.permute(0, 1, 3, 2)))
        return x * a_w * a_h


def build(module_id, options, channels):
    return CoordAtt(channels, reduction=options.get("reductionRatio", 32))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "coordatt", "options": {}, "shape": [2, 16, 5, 7], "seed": 15013},
    {"id": "coordatt", "options": {"reductionRatio": 4}, "shape": [1, 64, 4, 3], "seed": 15014},
    {"id": "coordatt", "options": {}, "shape": [2, 300, 3, 2], "seed": 15015},
]

COSTS = [{}]

# NOTE: attnkit's coordatt runs conv1 + BN + h_swish on the two directions separately (same values
# with running statistics; see src/coordinate-attention.ts). In training mode its BN would take
# batch statistics per direction, not over the concatenation as here, so the training step is
# checked with BN on its running statistics.
TRAIN_BATCH_STATISTICS = False
