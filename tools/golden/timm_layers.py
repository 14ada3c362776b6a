"""PyTorch mirrors of the timm helpers (huggingface/pytorch-image-models, timm/layers) that several
module references share, as timm's own modules import them: make_divisible (helpers.py),
hard_sigmoid (activations.py), LayerNorm2d (norm.py), ConvMlp (mlp.py) and ConvNormAct with
apply_act=False (conv_bn_act.py). A module's golden/reference.py imports them with
`from timm_layers import ...` (tools/golden/make_golden_modules.py puts this folder on sys.path)."""

import torch.nn as nn
import torch.nn.functional as F


def make_divisible(v, divisor, round_limit):
    """timm.layers.helpers.make_divisible with min_value = divisor."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


def hard_sigmoid(x):
    return F.relu6(x + 3.0) / 6.0


class LayerNorm2d(nn.LayerNorm):
    """timm LayerNorm2d: LayerNorm over C of an NCHW tensor, eps 1e-6."""

    def __init__(self, channels):
        super().__init__(channels, eps=1e-6)

    def forward(self, x):
        return F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps).permute(0, 3, 1, 2)


class ConvMlp(nn.Module):
    """timm ConvMlp: fc1 (1x1) -> norm -> act -> fc2 (1x1), both biased."""

    def __init__(self, channels, hidden, norm=None):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, hidden, 1)
        self.norm = norm(hidden) if norm else nn.Identity()
        self.fc2 = nn.Conv2d(hidden, channels, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.norm(self.fc1(x))))


class ConvNorm(nn.Module):
    """timm ConvNormAct(apply_act=False): conv (no bias, padding k//2) + BatchNorm2d."""

    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=(k - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))
