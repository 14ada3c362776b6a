"""PyTorch reference of @attnkit/ge: timm's GatherExcite (timm/layers/gather_excite.py), mirrored
with its state-dict names. Run by tools/golden/make_golden_modules.py, which writes
golden/cases.json."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm_layers import ConvMlp, make_divisible


class GatherExcite(nn.Module):
    """timm GatherExcite with use_mlp=True, ReLU, BatchNorm, sigmoid gate.

    extra_params False: gather = global mean (extent 0) or avg_pool2d(2e-1, stride e, padding
    e-1, count_include_pad=False). extra_params True: extent 0 is one depthwise feat_size x
    feat_size conv (padding (k-1)//2, as timm's create_conv2d) + BN; extent e > 0 is log2(e)
    depthwise 3x3 stride-2 convs, each + BN, ReLU between them. The gathered map goes through the
    MLP and, when not 1x1, nearest interpolation back to H x W."""

    def __init__(self, channels, extent=0, extra_params=False, feat_size=None, ratio=1 / 16):
        super().__init__()
        self.extent = extent
        self.extra_params = extra_params
        if extra_params:
            self.gather = nn.Sequential()
            if extent == 0:
                self.gather.add_module("conv1", nn.Conv2d(channels, channels, feat_size, padding=(feat_size - 1) // 2, groups=channels, bias=False))
                self.gather.add_module("norm1", nn.BatchNorm2d(channels))
            else:
                num = int(math.log2(extent))
                for i in range(num):
                    self.gather.add_module("conv%d" % (i + 1), nn.Conv2d(channels, channels, 3, stride=2, padding=1, groups=channels, bias=False))
                    self.gather.add_module("norm%d" % (i + 1), nn.BatchNorm2d(channels))
                    if i != num - 1:
                        self.gather.add_module("act%d" % (i + 1), nn.ReLU())
        rd = make_divisible(channels * ratio, 1, 0.0)
        self.mlp = ConvMlp(channels, rd)

    def forward(self, x):
        size = x.shape[-2:]
        if self.extra_params:
            g = self.gather(x)
        elif self.extent == 0:
            g = x.mean((2, 3), keepdim=True)
        else:
            k = 2 * self.extent - 1
            g = F.avg_pool2d(x, k, stride=self.extent, padding=k // 2, count_include_pad=False)
        g = self.mlp(g)
        if g.shape[-1] != 1 or g.shape[-2] != 1:
            g = F.interpolate(g, size=size)
        return x * torch.sigmoid(g)


def build(module_id, options, channels):
    return GatherExcite(channels, extent=options.get("extent", 0), extra_params=options.get("extraParams", False), feat_size=options.get("featSize"))


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "ge", "options": {}, "shape": [2, 32, 5, 7], "seed": 15019},
    {"id": "ge", "options": {}, "shape": [1, 40, 3, 3], "seed": 15020},
    {"id": "ge", "options": {"extraParams": True, "featSize": 5}, "shape": [2, 16, 5, 5], "seed": 15021},
    {"id": "ge", "options": {"extent": 2}, "shape": [2, 16, 7, 6], "seed": 15028},
    {"id": "ge", "options": {"extent": 4}, "shape": [1, 16, 9, 5], "seed": 15029},
    {"id": "ge", "options": {"extraParams": True, "extent": 2}, "shape": [2, 16, 7, 6], "seed": 15030},
    {"id": "ge", "options": {"extraParams": True, "extent": 4}, "shape": [1, 16, 9, 8], "seed": 15031},
    {"id": "ge", "options": {"extent": 8}, "shape": [1, 8, 5, 4], "seed": 15032},
]

COSTS = [{}, {"extraParams": True, "extent": 2}]
