#!/usr/bin/python3
"""Golden fixtures for the attnkit module catalog (issue 15 point 5), computed with PyTorch.

Run with Debian's system interpreter (python3-torch):

    /usr/bin/python3 tools/golden/make_golden_catalog.py

Writes tools/golden/fixtures/catalog/modules.json (see tools/golden/README.md, "catalog").
Deterministic: every case seeds its own torch.Generator.

The modules below are our own PyTorch mirrors of the code each attnkit module follows, with the
same state-dict names, defaults and arithmetic:
- timm (huggingface/pytorch-image-models, timm/layers): EffectiveSEModule (`ese`), EcaModule with
  use_mlp=True (`ecam`), GlobalContext (`gc`), GatherExcite (`ge`), LightCbamModule (`lcbam`);
- official code: Jongchan/attention-module MODELS/bam.py (`bam`), ZjjConan/SimAM (`simam`),
  houqb/CoordAttention coordatt.py (`coordatt`), z-x-yang/GCT PyTorch/GCT.py (`gct`).
No timm needed. Inputs and parameters are float32 values; outputs are computed in float64 from
exactly those values and rounded to float32. BatchNorm layers are in eval mode with random
statistics.

It also writes, per module, the parameters and multiply-accumulates (Conv1d/Conv2d/Linear, as
attnkit counts them) that the module adds to ResNet-50 (after the last BN of each of the 16
bottlenecks) and to MobileNetV2 (after the project BN of each of the 17 inverted residuals) at
224 x 224, counted by forward hooks on the PyTorch mirrors.
"""

import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import gen, randn, tensor_json, uniform, write_json_lines  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "catalog")
GENERATOR = "tools/golden/make_golden_catalog.py (torch %s)" % torch.__version__


def make_divisible(v, divisor, round_limit):
    """timm.layers.helpers.make_divisible with min_value = divisor."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


def hard_sigmoid(x):
    return F.relu6(x + 3.0) / 6.0


# --------------------------------------------------------------------------------------------
# timm modules
# --------------------------------------------------------------------------------------------


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


class ConvNorm(nn.Module):
    """timm ConvNormAct(apply_act=False): conv (no bias, padding k//2) + BatchNorm2d."""

    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=(k - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class LightChannelAttn(nn.Module):
    def __init__(self, channels, ratio=1 / 16):
        super().__init__()
        rd = make_divisible(channels * ratio, 1, 0.0)
        self.fc1 = nn.Conv2d(channels, rd, 1, bias=False)
        self.fc2 = nn.Conv2d(rd, channels, 1, bias=False)

    def forward(self, x):
        pooled = 0.5 * x.mean((2, 3), keepdim=True) + 0.5 * x.amax((2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(pooled))))


class LightSpatialAttn(nn.Module):
    def __init__(self, k=7):
        super().__init__()
        self.conv = ConvNorm(1, 1, k)

    def forward(self, x):
        s = 0.5 * x.mean(dim=1, keepdim=True) + 0.5 * x.amax(dim=1, keepdim=True)
        return x * torch.sigmoid(self.conv(s))


class LightCbam(nn.Module):
    """timm LightCbamModule: the channel gate pools avg + max before one MLP call; the spatial
    gate convolves the mean of the channel mean and max (one plane, not two)."""

    def __init__(self, channels, k=7):
        super().__init__()
        self.channel = LightChannelAttn(channels)
        self.spatial = LightSpatialAttn(k)

    def forward(self, x):
        return self.spatial(self.channel(x))


# --------------------------------------------------------------------------------------------
# official code
# --------------------------------------------------------------------------------------------


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


def make_module(mid, opts, channels):
    if mid == "ese":
        return EffectiveSE(channels, add_maxpool=opts.get("addMaxPool", False))
    if mid == "ecam":
        return EcaMlp(channels)
    if mid == "gc":
        return GlobalContext(channels, ratio=1 / opts.get("reductionRatio", 8))
    if mid == "ge":
        return GatherExcite(channels, extent=opts.get("extent", 0), extra_params=opts.get("extraParams", False), feat_size=opts.get("featSize"))
    if mid == "lcbam":
        return LightCbam(channels, k=opts.get("spatialKernelSize", 7))
    if mid == "simam":
        return SimAM(channels, e_lambda=opts.get("lambda", 1e-4))
    if mid == "coordatt":
        return CoordAtt(channels, reduction=opts.get("reductionRatio", 32))
    if mid == "gct":
        return GCT(channels, epsilon=opts.get("epsilon", 1e-5), mode=opts.get("mode", "l2"), after_relu=opts.get("afterRelu", False))
    if mid == "bam":
        return BAM(channels, r=opts.get("reductionRatio", 16))
    raise AssertionError(mid)


# id, options, N, C, H, W
CASES = [
    ("simam", {}, 2, 8, 5, 7),
    ("simam", {"lambda": 0.1}, 1, 12, 4, 3),
    ("simam", {}, 3, 16, 6, 6),
    ("ese", {}, 2, 16, 5, 7),
    ("ese", {"addMaxPool": True}, 2, 24, 4, 3),
    ("ese", {}, 1, 37, 3, 3),
    ("gct", {}, 2, 16, 5, 7),
    ("gct", {"epsilon": 1e-3}, 1, 37, 4, 3),
    ("gct", {"mode": "l1"}, 2, 12, 3, 4),
    ("gct", {"mode": "l1", "afterRelu": True}, 2, 8, 4, 4),
    ("lcbam", {}, 2, 32, 8, 9),
    ("lcbam", {}, 1, 20, 5, 4),
    ("lcbam", {"spatialKernelSize": 3}, 2, 16, 4, 5),
    ("coordatt", {}, 2, 16, 5, 7),
    ("coordatt", {"reductionRatio": 4}, 1, 64, 4, 3),
    ("coordatt", {}, 2, 300, 3, 2),
    ("gc", {}, 2, 16, 5, 7),
    ("gc", {}, 1, 20, 3, 4),
    ("gc", {"reductionRatio": 4}, 2, 12, 4, 4),
    ("ge", {}, 2, 32, 5, 7),
    ("ge", {}, 1, 40, 3, 3),
    ("ge", {"extraParams": True, "featSize": 5}, 2, 16, 5, 5),
    ("bam", {}, 2, 32, 6, 6),
    ("bam", {"reductionRatio": 4}, 1, 16, 9, 9),
    ("bam", {}, 1, 48, 5, 5),
    ("ecam", {}, 2, 32, 5, 4),
    ("ecam", {}, 2, 20, 3, 3),
    ("ecam", {}, 1, 128, 3, 2),
    ("ge", {"extent": 2}, 2, 16, 7, 6),
    ("ge", {"extent": 4}, 1, 16, 9, 5),
    ("ge", {"extraParams": True, "extent": 2}, 2, 16, 7, 6),
    ("ge", {"extraParams": True, "extent": 4}, 1, 16, 9, 8),
    ("ge", {"extent": 8}, 1, 8, 5, 4),
]


def randomize(m, g):
    """Random parameters at scales that keep the gates away from saturation."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            leaf = name.split(".")[-1]
            if leaf in ("alpha",):
                p.copy_(uniform(g, 0.5, 1.5, *p.shape))
            elif leaf in ("gamma", "beta"):
                p.copy_(randn(g, *p.shape, scale=0.5))
            elif ("bn" in name or "norm" in name) and leaf == "weight":
                p.copy_(uniform(g, 0.5, 1.5, *p.shape) * torch.where(torch.rand(p.shape, generator=g) < 0.3, -1.0, 1.0))
            elif leaf == "bias":
                p.copy_(randn(g, *p.shape, scale=0.2))
            else:
                fan_in = p[0].numel()
                p.copy_(randn(g, *p.shape, scale=1.0 / math.sqrt(fan_in)))
        for name, b in m.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(uniform(g, -0.5, 0.5, *b.shape))
            elif name.endswith("running_var"):
                b.copy_(uniform(g, 0.5, 2.0, *b.shape))


def module_cases():
    cases = []
    counts = {}
    for idx, (mid, opts, n, c, h, w) in enumerate(CASES):
        g = gen(15000 + idx)
        m = make_module(mid, opts, c).eval()
        randomize(m, g)
        x = randn(g, n, c, h, w) + randn(g, n, c, 1, 1)
        with torch.no_grad():
            md = m.double()
            out = md(x.double())
            out32 = m.float()(x)
        assert torch.isfinite(out).all()
        # a float32 forward agrees with the float64 one: the fixture is not at a knife edge
        assert (out32.double() - out).abs().max().item() < 1e-4, (mid, (out32.double() - out).abs().max().item())
        counts[mid] = counts.get(mid, 0) + 1
        optstr = "-".join("%s%s" % (k, v) for k, v in opts.items())
        name = "%s-%d%s-n%d-c%d-h%dw%d" % (mid, counts[mid], ("-" + optstr) if optstr else "", n, c, h, w)
        params = {k: tensor_json(v) for k, v in m.state_dict().items() if k.split(".")[-1] != "num_batches_tracked"}
        cases.append({"name": name, "id": mid, "options": opts, "channels": c, "input": tensor_json(x), "params": params, "output": tensor_json(out)})
    return cases


# --------------------------------------------------------------------------------------------
# costs on ResNet-50 and MobileNetV2 at 224 x 224
# --------------------------------------------------------------------------------------------

# (channels, H = W) at each insertion point
RESNET50 = [(256, 56)] * 3 + [(512, 28)] * 4 + [(1024, 14)] * 6 + [(2048, 7)] * 3
MOBILENET_V2 = [(16, 112)] + [(24, 56)] * 2 + [(32, 28)] * 3 + [(64, 14)] * 4 + [(96, 14)] * 3 + [(160, 7)] * 3 + [(320, 7)]

# the module variants the bench rows use
NETWORK_SPECS = [
    ("simam", {}),
    ("ese", {}),
    ("ecam", {}),
    ("gct", {}),
    ("lcbam", {}),
    ("coordatt", {}),
    ("gc", {}),
    ("ge", {}),
    ("bam", {}),
    ("ge", {"extraParams": True, "extent": 2}),
]


def module_costs(mid, opts, points):
    params = 0
    macs = 0
    for c, s in points:
        m = make_module(mid, opts, c).eval()
        params += sum(p.numel() for p in m.parameters())
        counted = []

        def hook(mod, inp, out):
            k = 1
            for d in mod.weight.shape[2:]:
                k *= d
            per_out = mod.weight.shape[1] * k
            counted.append(out.numel() * per_out)

        handles = [mod.register_forward_hook(hook) for mod in m.modules() if isinstance(mod, (nn.Conv1d, nn.Conv2d, nn.Linear))]
        with torch.no_grad():
            m(torch.randn(1, c, s, s))
        for hd in handles:
            hd.remove()
        macs += sum(counted)
    return params, macs


def network_costs():
    rows = []
    for mid, opts in NETWORK_SPECS:
        r50 = module_costs(mid, opts, RESNET50)
        mb2 = module_costs(mid, opts, MOBILENET_V2)
        rows.append({"id": mid, "options": opts, "resnet50": {"parameters": r50[0], "macs": r50[1]}, "mobilenet_v2": {"parameters": mb2[0], "macs": mb2[1]}})
    return rows


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = module_cases()
    path = os.path.join(OUT, "modules.json")
    write_json_lines(path, {"generator": GENERATOR}, "cases", cases)
    print("%s: %d cases, %d bytes" % (os.path.relpath(path, HERE), len(cases), os.path.getsize(path)))
    rows = network_costs()
    path = os.path.join(OUT, "network-costs.json")
    write_json_lines(path, {"generator": GENERATOR, "input": [1, 3, 224, 224]}, "modules", rows)
    for r in rows:
        print("%-9s %-40s R50 +%d params +%d MACs; MobileNetV2 +%d params +%d MACs" % (r["id"], r["options"], r["resnet50"]["parameters"], r["resnet50"]["macs"], r["mobilenet_v2"]["parameters"], r["mobilenet_v2"]["macs"]))


if __name__ == "__main__":
    main()
