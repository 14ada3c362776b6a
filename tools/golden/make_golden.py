#!/usr/bin/python3
"""Golden fixtures for attnkit, computed with PyTorch as an independent reference.

Run with Debian's system interpreter (python3-torch, python3-torchvision):

    /usr/bin/python3 tools/golden/make_golden.py

Writes everything under tools/golden/fixtures/ (see tools/golden/README.md). Deterministic:
every section seeds its own torch.Generator. The modules and networks below are our own
straightforward PyTorch code following docs/paper.md and torchvision's resnet.py / mobilenetv2.py
(module names included); torchvision is only used to cross-check them. No timm.

Values are generated as float32 (or rounded to float16 / bfloat16 where a fixture says so), but
every expected output is computed in float64 from exactly those values and then rounded to
float32, so the fixtures are as close to the exact answer as float32 can hold.
"""

import importlib.util
import io
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "fixtures")
GENERATOR = "tools/golden/make_golden.py (torch %s, torchvision %s)" % (
    torch.__version__,
    torchvision.__version__,
)

torch.manual_seed(0)
torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def f32(v):
    """A float32 value as the shortest decimal (<= 9 significant digits) that round-trips."""
    return float("%.9g" % v)


def flat(t):
    return [f32(v) for v in t.detach().to(torch.float32).reshape(-1).tolist()]


def tensor_json(t):
    return {"shape": list(t.shape), "data": flat(t)}


def gen(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def randn(g, *shape, scale=1.0):
    return torch.randn(*shape, generator=g, dtype=torch.float32) * scale


def uniform(g, lo, hi, *shape):
    return torch.rand(*shape, generator=g, dtype=torch.float32) * (hi - lo) + lo


def load_reference(path):
    """A module package's golden/reference.py as a Python module (loaded once per path)."""
    name = "golden_reference_" + os.path.basename(os.path.dirname(os.path.dirname(path)))
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def write_json_lines(path, head, key, items):
    """JSON with one list item per line: readable diffs without one number per line."""
    with open(path, "w") as f:
        f.write("{\n")
        for k, v in head.items():
            f.write("  %s: %s,\n" % (json.dumps(k), json.dumps(v)))
        f.write('  %s: [\n' % json.dumps(key))
        f.write(",\n".join("    " + json.dumps(it, separators=(",", ":")) for it in items))
        f.write("\n  ]\n}\n")


def write_json(path, obj):
    """Top-level keys one per line, values compact."""
    with open(path, "w") as f:
        f.write("{\n")
        f.write(
            ",\n".join(
                "  %s: %s" % (json.dumps(k), json.dumps(v, separators=(",", ":")))
                for k, v in obj.items()
            )
        )
        f.write("\n}\n")


# --------------------------------------------------------------------------------------------
# safetensors (written by hand: the `safetensors` module is not packaged in Debian)
# --------------------------------------------------------------------------------------------

ST_DTYPES = {
    torch.float32: ("F32", 4),
    torch.float16: ("F16", 2),
    torch.bfloat16: ("BF16", 2),
    torch.int64: ("I64", 8),
}
ST_DTYPES_REV = {v[0]: k for k, v in ST_DTYPES.items()}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def save_safetensors(path, tensors, metadata):
    assert sys.byteorder == "little"
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        code, _ = ST_DTYPES[t.dtype]
        b = tensor_bytes(t)
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)  # pad the header to 8 bytes, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        b0, b1 = info["data_offsets"]
        buf = bytearray(raw[base + b0 : base + b1])
        dt = ST_DTYPES_REV[info["dtype"]]
        if dt == torch.bfloat16:
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(buf, dtype=dt)
        out[name] = t.reshape(info["shape"]).clone()
    return out, meta


# --------------------------------------------------------------------------------------------
# attention modules: the PyTorch references in the module packages' golden/reference.py (which
# also write the modules' own golden cases, tools/golden/make_golden_modules.py)
# --------------------------------------------------------------------------------------------

REFERENCES = {"eca": "eca", "ceca": "eca", "eca-ns": "eca", "se": "se", "cbam": "cbam"}


def reference_of(module_id):
    return load_reference(os.path.join(REPOSITORY, "packages", REFERENCES[module_id], "golden", "reference.py"))


ECA = reference_of("eca").ECA


def make_attention(spec, channels):
    t = spec["type"]
    return reference_of(t).build(t, {k: v for k, v in spec.items() if k != "type"}, channels)


ATTR_NAME = {"eca": "eca", "ceca": "eca", "eca-ns": "eca", "se": "se", "cbam": "cbam"}


# --------------------------------------------------------------------------------------------
# networks: torchvision's resnet.py / mobilenetv2.py, with a width option and attention slots
# --------------------------------------------------------------------------------------------


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, attn=None, attn_name=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.attn_name = attn_name
        if attn is not None:
            setattr(self, attn_name, attn(planes * self.expansion))
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.attn_name is not None:
            out = getattr(self, self.attn_name)(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, attn=None, attn_name=None):
        super().__init__()
        width = planes  # base_width 64, groups 1
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride)  # v1.5: stride on the 3x3
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.attn_name = attn_name
        if attn is not None:
            setattr(self, attn_name, attn(planes * self.expansion))
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.attn_name is not None:
            out = getattr(self, self.attn_name)(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, width=64, attention=None):
        """attention: None or a spec dict; kernelSize may be an int or a per-stage list."""
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.attention = attention
        self.layer1 = self._make_layer(block, width, layers[0], stage=0)
        self.layer2 = self._make_layer(block, 2 * width, layers[1], stride=2, stage=1)
        self.layer3 = self._make_layer(block, 4 * width, layers[2], stride=2, stage=2)
        self.layer4 = self._make_layer(block, 8 * width, layers[3], stride=2, stage=3)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * width * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _attn_factory(self, stage):
        spec = self.attention
        if spec is None:
            return None, None
        spec = dict(spec)
        if isinstance(spec.get("kernelSize"), list):
            spec["kernelSize"] = spec["kernelSize"][stage]
        return (lambda c: make_attention(spec, c)), ATTR_NAME[spec["type"]]

    def _make_layer(self, block, planes, blocks, stride=1, stage=0):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion)
            )
        attn, attn_name = self._attn_factory(stage)
        layers = [block(self.inplanes, planes, stride, downsample, attn, attn_name)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, attn=attn, attn_name=attn_name))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def resnet(depth, **kw):
    block, layers = {
        18: (BasicBlock, [2, 2, 2, 2]),
        34: (BasicBlock, [3, 4, 6, 3]),
        50: (Bottleneck, [3, 4, 6, 3]),
        101: (Bottleneck, [3, 4, 23, 3]),
        152: (Bottleneck, [3, 8, 36, 3]),
    }[depth]
    return ResNet(block, layers, **kw)


def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class ConvBNActivation(nn.Sequential):
    def __init__(self, inp, oup, kernel_size=3, stride=1, groups=1):
        padding = (kernel_size - 1) // 2
        super().__init__(
            nn.Conv2d(inp, oup, kernel_size, stride, padding, groups=groups, bias=False),
            nn.BatchNorm2d(oup),
            nn.ReLU6(inplace=True),
        )


def k13(channels):
    """Official ECA-MobileNetV2 rule ("k13"): k = 1 if channels < 96 else 3, where channels is the
    UNSCALED c of the settings table, as the official code does (k = 3 in blocks 11-17 at any
    width). attnkit calls it kernelSize 'mobilenet-v2'."""
    return 1 if channels < 96 else 3


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio, eca_k=None):
        super().__init__()
        self.stride = stride
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(ConvBNActivation(inp, hidden_dim, kernel_size=1))
        layers.extend(
            [
                ConvBNActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim),
                nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
                nn.BatchNorm2d(oup),
            ]
        )
        if eca_k is not None:
            layers.append(ECA(oup, eca_k))
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, num_classes=1000, width_mult=1.0, round_nearest=8, dropout=0.2, eca=False):
        super().__init__()
        input_channel = 32
        last_channel = 1280
        setting = [
            [1, 16, 1, 1],
            [6, 24, 2, 2],
            [6, 32, 3, 2],
            [6, 64, 4, 2],
            [6, 96, 3, 1],
            [6, 160, 3, 2],
            [6, 320, 1, 1],
        ]
        input_channel = _make_divisible(input_channel * width_mult, round_nearest)
        self.last_channel = _make_divisible(last_channel * max(1.0, width_mult), round_nearest)
        features = [ConvBNActivation(3, input_channel, stride=2)]
        for t, c, n, s in setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                stride = s if i == 0 else 1
                k = k13(c) if eca else None
                features.append(InvertedResidual(input_channel, output_channel, stride, expand_ratio=t, eca_k=k))
                input_channel = output_channel
        features.append(ConvBNActivation(input_channel, self.last_channel, kernel_size=1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


def eca_kernel_sizes(model):
    out = {}
    for name, m in model.named_modules():
        if isinstance(m, ECA):
            out[name.rsplit(".", 2)[0] if name.endswith(("conv.4", "conv.3")) else name.rsplit(".", 1)[0]] = m.k
    return out


def perturb_bn(model, g):
    """Non-trivial eval-mode BatchNorm: weight, bias, running mean and variance all random."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(uniform(g, 0.5, 1.5, c))
                m.bias.copy_(randn(g, c, scale=0.2))
                m.running_mean.copy_(uniform(g, -0.5, 0.5, c))
                m.running_var.copy_(uniform(g, 0.5, 2.0, c))


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def logits64(model, x):
    """Logits in float64 from exactly the model's current (float32-held) values."""
    m64 = _clone_double(model)
    with torch.no_grad():
        return m64(x.double())


def _clone_double(model):
    import copy

    m = copy.deepcopy(model).double().eval()
    return m


def round_state(model, dtype):
    """Round every floating tensor of the state dict to dtype (kept in float32 storage)."""
    with torch.no_grad():
        for k, v in model.state_dict().items():
            if v.is_floating_point():
                v.copy_(v.to(dtype).to(torch.float32))


# --------------------------------------------------------------------------------------------
# cross-checks of our networks against torchvision and docs/paper.md
# --------------------------------------------------------------------------------------------


def check_networks():
    import torchvision.models as tvm

    g = gen(7)
    pairs = [
        (resnet(18), tvm.resnet18()),
        (resnet(50), tvm.resnet50()),
        (MobileNetV2(), tvm.mobilenet_v2()),
        (MobileNetV2(num_classes=10, width_mult=0.25), tvm.mobilenet_v2(num_classes=10, width_mult=0.25)),
    ]
    x = randn(g, 1, 3, 64, 64)
    for ours, ref in pairs:
        sa, sb = ours.state_dict(), ref.state_dict()
        assert list(sa.keys()) == list(sb.keys()), "state dict names differ from torchvision"
        assert all(sa[k].shape == sb[k].shape for k in sa)
        perturb_bn(ref, g)
        ours.load_state_dict(ref.state_dict())
        ours.eval(), ref.eval()
        with torch.no_grad():
            assert torch.allclose(ours(x), ref(x), rtol=1e-5, atol=1e-5)
    expected = {
        "resnet18": (resnet(18), 11689512),
        "resnet50": (resnet(50), 25557032),
        "resnet18+eca3": (resnet(18, attention={"type": "eca", "kernelSize": 3}), 11689536),
        "resnet50+eca3557": (resnet(50, attention={"type": "eca", "kernelSize": [3, 5, 5, 7]}), 25557112),
        "resnet50+se": (resnet(50, attention={"type": "se", "reductionRatio": 16, "bias": True}), 28088024),
        "resnet50+se-nobias": (resnet(50, attention={"type": "se", "reductionRatio": 16, "bias": False}), 28071976),
        "resnet18+cbam": (resnet(18, attention={"type": "cbam", "reductionRatio": 16}), 11779392),
        "mobilenet_v2": (MobileNetV2(), 3504872),
        "mobilenet_v2+eca": (MobileNetV2(eca=True), 3504903),
    }
    for name, (m, want) in expected.items():
        assert n_params(m) == want, (name, n_params(m), want)
    m = MobileNetV2(eca=True)
    keys = m.state_dict().keys()
    assert "features.1.conv.3.conv.weight" in keys and "features.2.conv.4.conv.weight" in keys
    ks = [m.state_dict()["features.%d.conv.%d.conv.weight" % (i, 3 if i == 1 else 4)].shape[-1] for i in range(1, 18)]
    assert ks == [1] * 10 + [3] * 7, ks
    m = MobileNetV2(width_mult=0.25, eca=True)  # the rule reads the unscaled c: same k at any width
    ks = [m.state_dict()["features.%d.conv.%d.conv.weight" % (i, 3 if i == 1 else 4)].shape[-1] for i in range(1, 18)]
    assert ks == [1] * 10 + [3] * 7, ks


# --------------------------------------------------------------------------------------------
# zoo fixtures
# --------------------------------------------------------------------------------------------

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def zoo_fixtures():
    zdir = os.path.join(OUT, "zoo")
    os.makedirs(zdir, exist_ok=True)
    specs = [
        ("resnet18_eca", "resnet18", {"type": "eca", "kernelSize": 3}, "float32", 101),
        ("resnet50_se", "resnet50", {"type": "se", "reductionRatio": 16, "bias": True, "channelDivisor": 1}, "float16", 102),
        ("resnet18_cbam", "resnet18", {"type": "cbam", "reductionRatio": 4, "poolOrder": "max-mean"}, "bfloat16", 103),
        ("mobilenet_v2_eca", "mobilenet_v2", {"type": "eca", "kernelSize": "mobilenet-v2"}, "float32", 104),
    ]
    summary = {}
    for name, backbone, attention, dtype, seed in specs:
        torch.manual_seed(seed)  # module default init draws from the global generator
        g = gen(seed)
        if backbone.startswith("resnet"):
            model = resnet(int(backbone[6:]), num_classes=10, width=8, attention=attention)
            shape_info = {"width": 8}
        else:
            model = MobileNetV2(num_classes=10, width_mult=0.25, eca=True)
            shape_info = {"widthMultiplier": 0.25}
        perturb_bn(model, g)
        model.eval()
        round_state(model, DTYPES[dtype])
        x = randn(g, 1, 3, 64, 64)
        logits = logits64(model, x)
        sd = model.state_dict()
        tensors = {k: (v if not v.is_floating_point() else v.to(DTYPES[dtype])) for k, v in sd.items()}
        meta = {"format": "pt", "generator": GENERATOR, "model": name, "dtype": dtype}
        st_path = os.path.join(zdir, name + ".safetensors")
        save_safetensors(st_path, tensors, meta)
        back, _ = load_safetensors(st_path)  # round trip
        assert list(back.keys()) == list(sd.keys())
        for k, v in sd.items():
            assert back[k].dtype == tensors[k].dtype and torch.equal(back[k].to(v.dtype), v), k
        info = {"backbone": backbone}
        info.update(shape_info)
        info.update({"numClasses": 10, "attention": attention})
        if attention["type"] == "eca":
            info["kernelSizes"] = eca_kernel_sizes(model)
        info.update(
            {
                "dtype": dtype,
                "input": tensor_json(x),
                "logits": tensor_json(logits),
                "parameters": n_params(model),
            }
        )
        write_json(os.path.join(zdir, name + ".json"), info)
        summary[name] = (n_params(model), logits.abs().max().item())
    return summary


# --------------------------------------------------------------------------------------------
# ONNX fixtures
# --------------------------------------------------------------------------------------------


def onnx_fixtures():
    odir = os.path.join(OUT, "onnx")
    os.makedirs(odir, exist_ok=True)
    summary = {}
    for name, seed in (("resnet18_w8", 201), ("mobilenet_v2_w025", 202)):
        torch.manual_seed(seed)
        g = gen(seed)
        if name.startswith("resnet"):
            plain = resnet(18, num_classes=10, width=8)
            eca = resnet(18, num_classes=10, width=8, attention={"type": "eca", "kernelSize": 3})
        else:
            plain = MobileNetV2(num_classes=10, width_mult=0.25)
            eca = MobileNetV2(num_classes=10, width_mult=0.25, eca=True)
        perturb_bn(plain, g)
        plain.eval(), eca.eval()
        missing, unexpected = eca.load_state_dict(plain.state_dict(), strict=False)
        assert not unexpected and all(".eca." in k or k.endswith(("conv.4.conv.weight", "conv.3.conv.weight")) for k in missing)
        eca_weights = {}
        with torch.no_grad():
            for k in missing:
                p = eca.state_dict()[k]
                p.copy_(randn(g, *p.shape, scale=0.6))
                eca_weights[k] = p.clone()
        x = randn(g, 1, 3, 64, 64)
        plain_logits = logits64(plain, x)
        eca_logits = logits64(eca, x)
        path = os.path.join(odir, name + ".onnx")
        buf = io.BytesIO()
        torch.onnx.export(
            plain,
            x,
            buf,
            export_params=True,
            opset_version=17,
            do_constant_folding=True,
            input_names=["input"],
            output_names=["logits"],
            training=torch.onnx.TrainingMode.EVAL,
        )
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        save_safetensors(
            os.path.join(odir, name + "_eca_weights.safetensors"),
            eca_weights,
            {"format": "pt", "generator": GENERATOR, "model": name + " + eca"},
        )
        write_json(
            os.path.join(odir, name + ".json"),
            {
                "input": tensor_json(x),
                "plainLogits": tensor_json(plain_logits),
                "ecaLogits": tensor_json(eca_logits),
                "ecaKernelSizes": eca_kernel_sizes(eca),
            },
        )
        with torch.no_grad():
            f32_logits = plain(x)
        summary[name] = (
            len(buf.getvalue()),
            n_params(plain),
            n_params(eca),
            (f32_logits.double() - plain_logits).abs().max().item(),
            check_onnx(path, x, plain_logits),
        )
    return summary


# --------------------------------------------------------------------------------------------
# a minimal ONNX reader + interpreter (no onnx / onnxruntime in Debian): decode the protobuf,
# run the handful of ops these graphs use with torch.nn.functional, compare with our logits.
# --------------------------------------------------------------------------------------------


def _pb_fields(buf):
    i, n = 0, len(buf)
    while i < n:
        key, i = _varint(buf, i)
        fno, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 1:
            v = buf[i : i + 8]
            i += 8
        elif wt == 2:
            ln, i = _varint(buf, i)
            v = buf[i : i + ln]
            i += ln
        elif wt == 5:
            v = buf[i : i + 4]
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield fno, wt, v


def _varint(buf, i):
    r = s = 0
    while True:
        b = buf[i]
        i += 1
        r |= (b & 0x7F) << s
        s += 7
        if b < 0x80:
            return r, i


def _signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def _tensor(buf):
    dims, dtype, name, raw, floats, ints = [], 1, "", None, [], []
    for f, wt, v in _pb_fields(buf):
        if f == 1:
            if wt == 2:
                j = 0
                while j < len(v):
                    d, j = _varint(v, j)
                    dims.append(d)
            else:
                dims.append(v)
        elif f == 2:
            dtype = v
        elif f == 8:
            name = v.decode()
        elif f == 9:
            raw = bytes(v)
        elif f == 4:
            floats += list(struct.unpack("<%df" % (len(v) // 4), v)) if wt == 2 else [struct.unpack("<f", v)[0]]
        elif f == 7:
            if wt == 2:
                j = 0
                while j < len(v):
                    d, j = _varint(v, j)
                    ints.append(_signed(d))
            else:
                ints.append(_signed(v))
    tdt = {1: torch.float32, 7: torch.int64}[dtype]
    if raw is not None:
        t = torch.frombuffer(bytearray(raw), dtype=tdt).clone()
    else:
        t = torch.tensor(floats if dtype == 1 else ints, dtype=tdt)
    return name, t.reshape(dims)


def _attr(buf):
    name, val = "", None
    ints = []
    for f, wt, v in _pb_fields(buf):
        if f == 1:
            name = v.decode()
        elif f == 2:
            val = struct.unpack("<f", v)[0]
        elif f == 3:
            val = _signed(v)
        elif f == 4:
            val = bytes(v).decode()
        elif f == 5:
            val = _tensor(v)[1]
        elif f == 8:
            if wt == 2:
                j = 0
                while j < len(v):
                    d, j = _varint(v, j)
                    ints.append(_signed(d))
            else:
                ints.append(_signed(v))
    return name, (ints if ints else val)


def read_onnx(path):
    with open(path, "rb") as f:
        buf = f.read()
    model = {"opset": {}, "nodes": [], "inits": {}, "inputs": [], "outputs": []}
    for f, wt, v in _pb_fields(buf):
        if f == 8:  # opset_import
            dom, ver = "", 0
            for f2, _, v2 in _pb_fields(v):
                if f2 == 1:
                    dom = bytes(v2).decode()
                elif f2 == 2:
                    ver = v2
            model["opset"][dom] = ver
        elif f == 7:  # graph
            for f2, _, v2 in _pb_fields(v):
                if f2 == 1:  # node
                    node = {"in": [], "out": [], "op": "", "attrs": {}}
                    for f3, _, v3 in _pb_fields(v2):
                        if f3 == 1:
                            node["in"].append(bytes(v3).decode())
                        elif f3 == 2:
                            node["out"].append(bytes(v3).decode())
                        elif f3 == 4:
                            node["op"] = bytes(v3).decode()
                        elif f3 == 5:
                            k, a = _attr(v3)
                            node["attrs"][k] = a
                    model["nodes"].append(node)
                elif f2 == 5:
                    k, t = _tensor(v2)
                    model["inits"][k] = t
                elif f2 in (11, 12):
                    nm = ""
                    for f3, _, v3 in _pb_fields(v2):
                        if f3 == 1:
                            nm = bytes(v3).decode()
                    model["inputs" if f2 == 11 else "outputs"].append(nm)
    return model


def run_onnx(model, feeds):
    env = dict(model["inits"])
    env.update(feeds)
    for nd in model["nodes"]:
        a = nd["attrs"]
        ins = [env[i] if i else None for i in nd["in"]]
        op = nd["op"]
        if op == "Conv":
            pads = a.get("pads", [0, 0, 0, 0])
            assert pads[0] == pads[2] and pads[1] == pads[3]
            y = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=a.get("strides", [1, 1]),
                         padding=pads[:2], dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
        elif op == "Relu":
            y = F.relu(ins[0])
        elif op == "Clip":
            lo = ins[1].item() if len(ins) > 1 and ins[1] is not None else -math.inf
            hi = ins[2].item() if len(ins) > 2 and ins[2] is not None else math.inf
            y = ins[0].clamp(lo, hi)
        elif op == "MaxPool":
            pads = a.get("pads", [0, 0, 0, 0])
            assert pads[0] == pads[2] and pads[1] == pads[3]
            y = F.max_pool2d(ins[0], a["kernel_shape"], a.get("strides", [1, 1]), pads[:2])
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "GlobalAveragePool":
            y = ins[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = ins[0].reshape(int(torch.tensor(ins[0].shape[:ax]).prod()), -1)
        elif op == "Gemm":
            bm = ins[1].T if a.get("transB", 0) else ins[1]
            y = a.get("alpha", 1.0) * ins[0] @ bm + a.get("beta", 1.0) * ins[2]
        elif op == "Constant":
            y = a["value"]
        else:
            raise NotImplementedError("ONNX op " + op)
        env[nd["out"][0]] = y
    return [env[o] for o in model["outputs"]]


def check_onnx(path, x, want):
    m = read_onnx(path)
    assert m["opset"].get("", 0) == 17, m["opset"]
    assert m["inputs"] == ["input"] and m["outputs"] == ["logits"], (m["inputs"], m["outputs"])
    inits = {k: v.double() if v.is_floating_point() else v for k, v in m["inits"].items()}
    m["inits"] = inits
    for nd in m["nodes"]:
        if nd["op"] == "Constant" and isinstance(nd["attrs"].get("value"), torch.Tensor):
            v = nd["attrs"]["value"]
            nd["attrs"]["value"] = v.double() if v.is_floating_point() else v
    (got,) = run_onnx(m, {"input": x.double()})
    err = (got - want).abs().max().item() / max(1e-12, want.abs().max().item())
    ops = sorted({nd["op"] for nd in m["nodes"]})
    assert err < 1e-5, (path, err)
    return {"ops": ops, "nodes": len(m["nodes"]), "initializers": len(inits), "maxRelErr": err}


# --------------------------------------------------------------------------------------------
# Optional, not run by default: a torch.onnx.export'ed ResNet-50 with known weights, for the
# side-by-side speed comparison of tools/onnx-speed.mjs (about 100 MB each; never committed).
# --------------------------------------------------------------------------------------------


def resnet50_reference(out_dir):
    """torchvision resnet50 with seeded weights and non-trivial BN statistics (eval mode):
    OUT_DIR/resnet50_torch.onnx (opset 17, constant folding, BN folded by the exporter, input
    'input' [1, 3, 224, 224], output 'logits') and OUT_DIR/resnet50_torch.safetensors (the
    full state dict, F32, running stats included). tools/onnx-speed.mjs reads both; the bench's
    committed reference fixtures/onnx/resnet50_torch_graph.onnx is this export with its weights
    stripped by tools/strip-onnx-weights.mjs (second step, printed below; see README.md)."""
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(50)
    model = torchvision.models.resnet50()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    model.eval()
    onnx_path = os.path.join(out_dir, "resnet50_torch.onnx")
    torch.onnx.export(
        model,
        torch.zeros(1, 3, 224, 224),
        onnx_path,
        export_params=True,
        opset_version=17,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["logits"],
    )
    state = {k: v for k, v in model.state_dict().items()}
    save_safetensors(
        os.path.join(out_dir, "resnet50_torch.safetensors"),
        state,
        {"format": "pt", "generator": GENERATOR, "model": "resnet50 (seed 50, random BN statistics)"},
    )
    print("wrote %s and resnet50_torch.safetensors" % onnx_path)
    print(
        "weightless graph for the bench: node tools/strip-onnx-weights.mjs %s tools/golden/fixtures/onnx/resnet50_torch_graph.onnx"
        % onnx_path
    )


# --------------------------------------------------------------------------------------------


def main():
    t0 = time.time()
    os.makedirs(OUT, exist_ok=True)
    print(GENERATOR)
    check_networks()
    print("networks match torchvision and docs/paper.md parameter counts (%.1fs)" % (time.time() - t0))
    for name, (params, mx) in zoo_fixtures().items():
        print("zoo %-18s parameters %d, max |logit| %.4g" % (name, params, mx))
    for name, info in onnx_fixtures().items():
        print("onnx %-18s %d bytes, params plain %d / eca %d, f32-vs-f64 logits %.2e, check %s" % ((name,) + info))
    total = 0
    for root, _, files in os.walk(OUT):
        for fn in sorted(files):
            p = os.path.join(root, fn)
            total += os.path.getsize(p)
            print("  %-60s %9d" % (os.path.relpath(p, HERE), os.path.getsize(p)))
    print("total %d bytes, %.1fs" % (total, time.time() - t0))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--resnet50-reference":
        resnet50_reference(sys.argv[2])
    else:
        main()
