"""PyTorch reference of @attnkit/bam: Jongchan/attention-module's MODELS/bam.py (BMVC 2018),
mirrored with its state-dict names. Run by tools/golden/make_golden_modules.py, which writes
golden/cases.json."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class BamChannelGate(nn.Module):
    def __init__(self, channels, r=16):
        super().__init__()
        hidden = channels // r
        self.gate_c = nn.Sequential()
        self.gate_c.add_module("gate_c_fc_0", nn.Linear(channels, hidden))
        self.gate_c.add_module("gate_c_bn_1", nn.BatchNorm1d(hidden))
        self.gate_c.add_module("gate_c_relu_1", nn.ReLU())
        self.gate_c.add_module("gate_c_fc_final", nn.Linear(hidden, channels))

    def forward(self, x):
        # official: avg_pool2d with an H x H window, the global mean on the square maps it is used on
        pooled = F.avg_pool2d(x, x.size(2), stride=x.size(2)).flatten(1)
        return self.gate_c(pooled).unsqueeze(2).unsqueeze(3)


class BamSpatialGate(nn.Module):
    def __init__(self, channels, r=16, dilated=2, dilation=4):
        super().__init__()
        hidden = channels // r
        self.gate_s = nn.Sequential()
        self.gate_s.add_module("gate_s_conv_reduce0", nn.Conv2d(channels, hidden, 1))
        self.gate_s.add_module("gate_s_bn_reduce0", nn.BatchNorm2d(hidden))
        self.gate_s.add_module("gate_s_relu_reduce0", nn.ReLU())
        for i in range(dilated):
            self.gate_s.add_module("gate_s_conv_di_%d" % i, nn.Conv2d(hidden, hidden, 3, padding=dilation, dilation=dilation))
            self.gate_s.add_module("gate_s_bn_di_%d" % i, nn.BatchNorm2d(hidden))
            self.gate_s.add_module("gate_s_relu_di_%d" % i, nn.ReLU())
        self.gate_s.add_module("gate_s_conv_final", nn.Conv2d(hidden, 1, 1))

    def forward(self, x):
        return self.gate_s(x)


class BAM(nn.Module):
    """Jongchan/attention-module BAM: out = x * (1 + sigmoid(channel(x) * spatial(x)))."""

    def __init__(self, channels, r=16, dilated=2, dilation=4):
        super().__init__()
        self.channel_att = BamChannelGate(channels, r)
        self.spatial_att = BamSpatialGate(channels, r, dilated, dilation)

    def forward(self, x):
        return x * (1 + torch.sigmoid(self.channel_att(x) * self.spatial_att(x)))


def build(module_id, options, channels):
    return BAM(channels, r=options.get("reductionRatio", 16))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "bam", "options": {}, "shape": [2, 32, 6, 6], "seed": 15022},
    {"id": "bam", "options": {"reductionRatio": 4}, "shape": [1, 16, 9, 9], "seed": 15023},
    {"id": "bam", "options": {}, "shape": [1, 48, 5, 5], "seed": 15024},
]

COSTS = [{}]
