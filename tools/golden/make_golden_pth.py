#!/usr/bin/python3
"""Golden fixtures for PyTorch checkpoint reading and timm's ResNet-D/T family.

Run with Debian's system interpreter (python3-torch):

    /usr/bin/python3 tools/golden/make_golden_pth.py

Writes tools/golden/fixtures/pth/ (see tools/golden/README.md, section "pth"):
- checkpoints written by torch.save in both formats (zip, torch >= 1.6, and the legacy
  pre-1.6 stream via `_use_new_zipfile_serialization=False`) holding every case the reader
  must handle: float32/float16/bfloat16/float64/int64 tensors, two tensors sharing one
  storage, a view at a storage offset, a transposed (non-contiguous) tensor, an
  nn.Parameter, a nested training checkpoint with DataParallel's `module.` prefix, and a
  malicious pickle (a global that would run `os.system`) that must be refused;
- timm's ResNet-D/T networks: the full-size parameter count of each named variant, and
  logits of width-reduced variants (timm's own `channels` / `stem_width` arguments) whose
  weights are stored as .pth files, so the TypeScript reader and builder are checked together.

timm is not installable here: `TimmResNet` below follows timm/models/resnet.py (ResNet,
Bottleneck, BasicBlock, downsample_avg, the deep and deep-tiered stems), timm/layers/eca.py
(EcaModule: k from the channel count, at least 3) and timm/layers/squeeze_excite.py (SEModule:
1x1 convs with bias, rd_ratio 1/16 rounded by make_divisible(divisor 8, round_limit 0)),
keeping timm's module names so the state-dict keys are timm's.
"""

import io
import json
import math
import os
import sys
import time
import zipfile

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import eca_kernel_sizes, gen, logits64, n_params, perturb_bn, randn, resnet, round_state, tensor_json, write_json  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "pth")
GENERATOR = "tools/golden/make_golden_pth.py (torch %s)" % torch.__version__


# --------------------------------------------------------------------------------------------
# checkpoint-format cases
# --------------------------------------------------------------------------------------------


def expected_json(tensors):
    """Name -> {dtype, shape, data (as float32 values, row-major, after materializing views)}."""
    out = {}
    for name, t in tensors.items():
        out[name] = {"dtype": str(t.dtype).replace("torch.", ""), **tensor_json(t.detach().to(torch.float32).contiguous())}
    return out


def format_cases():
    g = gen(2024)
    base = randn(g, 24)
    weight = randn(g, 4, 3, 2, 2)
    sd = {}
    sd["conv.weight"] = weight
    sd["bn.weight"] = randn(g, 4)
    sd["bn.running_var"] = randn(g, 4).abs() + 0.5
    sd["bn.num_batches_tracked"] = torch.tensor(12345, dtype=torch.int64)
    sd["half.weight"] = randn(g, 3, 5).to(torch.float16)
    sd["bfloat.weight"] = randn(g, 2, 3).to(torch.bfloat16)
    sd["double.weight"] = randn(g, 3).to(torch.float64)
    # One storage, three tensors: the whole of it, a view at offset 6 and a strided view.
    sd["shared.whole"] = base
    sd["shared.offset"] = base[6:18].view(3, 4)
    sd["shared.strided"] = base.view(4, 6)[:, 1::2]
    # Non-contiguous: a transposed matrix keeps the storage of the original.
    sd["fc.weight"] = randn(g, 5, 7).t()
    assert not sd["fc.weight"].is_contiguous() and not sd["shared.strided"].is_contiguous()
    sd["param.weight"] = nn.Parameter(randn(g, 2, 2))
    state = dict(sd)  # what the reader must produce (views materialized)

    from collections import OrderedDict

    ordered = OrderedDict(sd)
    torch.save(ordered, os.path.join(OUT, "state_dict_zip.pth"))
    torch.save(ordered, os.path.join(OUT, "state_dict_legacy.pth"), _use_new_zipfile_serialization=False)
    nested = {
        "epoch": 7,
        "arch": "resnet50",
        "best_acc1": 0.5,
        "state_dict": OrderedDict(("module." + k, v) for k, v in sd.items()),
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.1, "momentum": 0.9, "params": [0, 1]}]},
    }
    torch.save(nested, os.path.join(OUT, "checkpoint_nested.pth.tar"))
    torch.save(nested, os.path.join(OUT, "checkpoint_nested_legacy.pth.tar"), _use_new_zipfile_serialization=False)

    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo attnkit-must-never-run-this",))

    torch.save({"conv.weight": weight, "payload": Exploit()}, os.path.join(OUT, "malicious.pth"))
    torch.save({"conv.weight": weight, "payload": Exploit()}, os.path.join(OUT, "malicious_legacy.pth"), _use_new_zipfile_serialization=False)

    # Round trips through torch.load: the files hold what `state` says.
    for fn in ("state_dict_zip.pth", "state_dict_legacy.pth"):
        back = torch.load(os.path.join(OUT, fn))
        assert list(back.keys()) == list(sd.keys())
        for k in sd:
            assert torch.equal(back[k], sd[k].detach()), (fn, k)
    with zipfile.ZipFile(os.path.join(OUT, "state_dict_zip.pth")) as z:
        entries = z.namelist()
    write_json(
        os.path.join(OUT, "state_dict.json"),
        {
            "generator": GENERATOR,
            "zipEntries": entries,
            "storages": {"zip": sum(1 for e in entries if "/data/" in e)},
            "nestedKey": "state_dict",
            "tensors": expected_json(state),
        },
    )
    return entries


# --------------------------------------------------------------------------------------------
# timm's ResNet family (our mirror of timm's code, module names kept)
# --------------------------------------------------------------------------------------------


def make_divisible(v, divisor=8, min_value=None, round_limit=0.9):
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


class EcaModule(nn.Module):
    def __init__(self, channels, gamma=2, beta=1):
        super().__init__()
        t = int(abs(math.log(channels, 2) + beta) / gamma)
        self.k = max(t if t % 2 else t + 1, 3)
        self.conv = nn.Conv1d(1, 1, kernel_size=self.k, padding=(self.k - 1) // 2, bias=False)

    def forward(self, x):
        y = self.conv(x.mean((2, 3)).view(x.shape[0], 1, -1))
        return x * torch.sigmoid(y).view(x.shape[0], -1, 1, 1)


class SEModule(nn.Module):
    def __init__(self, channels, rd_ratio=1.0 / 16, rd_divisor=8):
        super().__init__()
        rd = make_divisible(channels * rd_ratio, rd_divisor, round_limit=0.0)
        self.fc1 = nn.Conv2d(channels, rd, kernel_size=1, bias=True)
        self.bn = nn.Identity()
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(rd, channels, kernel_size=1, bias=True)

    def forward(self, x):
        s = self.fc2(self.act(self.bn(self.fc1(x.mean((2, 3), keepdim=True)))))
        return x * torch.sigmoid(s)


ATTN = {None: None, "eca": EcaModule, "se": SEModule}


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, attn=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.se = ATTN[attn](planes) if attn else None
        self.act2 = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        shortcut = x
        x = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        if self.se is not None:
            x = self.se(x)
        if self.downsample is not None:
            shortcut = self.downsample(shortcut)
        return self.act2(x + shortcut)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, attn=None):
        super().__init__()
        outplanes = planes * 4
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.act2 = nn.ReLU(inplace=True)
        self.conv3 = nn.Conv2d(planes, outplanes, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(outplanes)
        self.se = ATTN[attn](outplanes) if attn else None
        self.act3 = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        shortcut = x
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.act2(self.bn2(self.conv2(x)))
        x = self.bn3(self.conv3(x))
        if self.se is not None:
            x = self.se(x)
        if self.downsample is not None:
            shortcut = self.downsample(shortcut)
        return self.act3(x + shortcut)


def downsample_avg(cin, cout, stride):
    pool = nn.Identity() if stride == 1 else nn.AvgPool2d(2, stride, ceil_mode=True, count_include_pad=False)
    return nn.Sequential(pool, nn.Conv2d(cin, cout, 1, stride=1, padding=0, bias=False), nn.BatchNorm2d(cout))


def downsample_conv(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, padding=0, bias=False), nn.BatchNorm2d(cout))


class TimmResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, stem_width=64, stem_type="", avg_down=False,
                 channels=(64, 128, 256, 512), attn=None):
        super().__init__()
        deep = "deep" in stem_type
        inplanes = stem_width * 2 if deep else 64
        if deep:
            chs = (3 * (stem_width // 4), stem_width) if "tiered" in stem_type else (stem_width, stem_width)
            self.conv1 = nn.Sequential(
                nn.Conv2d(3, chs[0], 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(chs[0]), nn.ReLU(inplace=True),
                nn.Conv2d(chs[0], chs[1], 3, stride=1, padding=1, bias=False), nn.BatchNorm2d(chs[1]), nn.ReLU(inplace=True),
                nn.Conv2d(chs[1], inplanes, 3, stride=1, padding=1, bias=False))
        else:
            self.conv1 = nn.Conv2d(3, inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.act1 = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        for i, (planes, n) in enumerate(zip(channels, layers)):
            stride = 1 if i == 0 else 2
            downsample = None
            if stride != 1 or inplanes != planes * block.expansion:
                make = downsample_avg if avg_down else downsample_conv
                downsample = make(inplanes, planes * block.expansion, stride)
            blocks = []
            for j in range(n):
                blocks.append(block(inplanes, planes, stride if j == 0 else 1, downsample if j == 0 else None, attn))
                inplanes = planes * block.expansion
            self.add_module("layer%d" % (i + 1), nn.Sequential(*blocks))
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels[-1] * block.expansion, num_classes)

    def forward(self, x):
        x = self.maxpool(self.act1(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.global_pool(x), 1))


D = dict(stem_width=32, stem_type="deep", avg_down=True)
T = dict(stem_width=32, stem_type="deep_tiered", avg_down=True)
# The @register_model entry points of timm/models/resnet.py that the zoo builds.
TIMM_MODELS = {
    "resnet18d": (BasicBlock, (2, 2, 2, 2), D, None),
    "resnet34d": (BasicBlock, (3, 4, 6, 3), D, None),
    "resnet26d": (Bottleneck, (2, 2, 2, 2), D, None),
    "resnet50d": (Bottleneck, (3, 4, 6, 3), D, None),
    "resnet101d": (Bottleneck, (3, 4, 23, 3), D, None),
    "resnet152d": (Bottleneck, (3, 8, 36, 3), D, None),
    "resnet200d": (Bottleneck, (3, 24, 36, 3), D, None),
    "resnet10t": (BasicBlock, (1, 1, 1, 1), T, None),
    "resnet14t": (Bottleneck, (1, 1, 1, 1), T, None),
    "resnet26t": (Bottleneck, (2, 2, 2, 2), T, None),
    "resnet50t": (Bottleneck, (3, 4, 6, 3), T, None),
    "ecaresnet26t": (Bottleneck, (2, 2, 2, 2), T, "eca"),
    "ecaresnet50d": (Bottleneck, (3, 4, 6, 3), D, "eca"),
    "ecaresnet50t": (Bottleneck, (3, 4, 6, 3), T, "eca"),
    "ecaresnet101d": (Bottleneck, (3, 4, 23, 3), D, "eca"),
    "ecaresnet200d": (Bottleneck, (3, 24, 36, 3), D, "eca"),
    "ecaresnet269d": (Bottleneck, (3, 30, 48, 8), D, "eca"),
    "ecaresnetlight": (Bottleneck, (1, 1, 11, 3), dict(stem_width=32, avg_down=True), "eca"),
    "seresnet18": (BasicBlock, (2, 2, 2, 2), {}, "se"),
    "seresnet34": (BasicBlock, (3, 4, 6, 3), {}, "se"),
    "seresnet50": (Bottleneck, (3, 4, 6, 3), {}, "se"),
    "seresnet50t": (Bottleneck, (3, 4, 6, 3), T, "se"),
    "seresnet101": (Bottleneck, (3, 4, 23, 3), {}, "se"),
    "seresnet152": (Bottleneck, (3, 8, 36, 3), {}, "se"),
    "seresnet152d": (Bottleneck, (3, 8, 36, 3), D, "se"),
}


def timm_model(name, **overrides):
    block, layers, kw, attn = TIMM_MODELS[name]
    args = dict(kw)
    args.update(overrides)
    return TimmResNet(block, layers, attn=attn, **args)


# Width-reduced goldens: timm's `channels` = (2, 4, 8, 16) and `stem_width` arguments, 10 classes, one 40x40 input
# (40 -> 20 -> 10 -> 5 -> 3 -> 2: the 5 -> 3 and 3 -> 2 average pools have clipped windows),
# weights stored in the dtype named (the golden is computed from exactly those values).
GOLDEN = {
    "resnet50d": ("float32", 8),
    "resnet26t": ("float32", 8),
    "resnet18d": ("float32", 8),
    "ecaresnet26t": ("float32", 8),
    "ecaresnet50d": ("float32", 8),
    "ecaresnet50t": ("bfloat16", 8),
    "ecaresnet101d": ("float16", 8),
    "ecaresnetlight": ("float32", 8),
    "seresnet50": ("float32", 8),
    # timm's default stem width: what `attnkit --width 2` builds (the CLI test loads it).
    "resnet26d": ("float32", 32),
}
WIDTH = 2
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def randomize(model, g):
    perturb_bn(model, g)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (EcaModule,)):
                m.conv.weight.copy_(randn(g, *m.conv.weight.shape, scale=0.5))
            if isinstance(m, SEModule):
                m.fc1.bias.copy_(randn(g, *m.fc1.bias.shape, scale=0.1))
                m.fc2.bias.copy_(randn(g, *m.fc2.bias.shape, scale=0.1))


def eca_ks(model):
    return {n[: -len(".se")]: m.k for n, m in model.named_modules() if isinstance(m, EcaModule)}


def check_timm_mirror():
    # Numbers printed by timm's own model cards (huggingface.co/timm/<model>: "Params (M)").
    published_millions = {"resnet50d": 25.6, "ecaresnet50d": 25.6, "ecaresnet26t": 16.0, "ecaresnet50t": 25.6,
                          "ecaresnet101d": 44.6, "ecaresnetlight": 30.2, "seresnet50": 28.1}
    for name, millions in published_millions.items():
        assert abs(n_params(timm_model(name)) / 1e6 - millions) < 0.05, (name, n_params(timm_model(name)))
    m = timm_model("ecaresnet50d")
    keys = m.state_dict().keys()
    for k in ("conv1.0.weight", "conv1.1.weight", "conv1.3.weight", "conv1.4.running_var", "conv1.6.weight", "bn1.weight",
              "layer1.0.se.conv.weight", "layer1.0.downsample.1.weight", "layer2.0.downsample.2.running_mean", "fc.bias"):
        assert k in keys, k
    s = timm_model("seresnet50").state_dict()
    assert list(s["layer1.0.se.fc1.weight"].shape) == [16, 256, 1, 1] and "layer1.0.downsample.0.weight" in s
    assert list(timm_model("ecaresnet26t").state_dict()["conv1.0.weight"].shape) == [24, 3, 3, 3]
    assert list(timm_model("ecaresnetlight").state_dict()["conv1.weight"].shape) == [64, 3, 7, 7]


def timm_fixtures():
    counts = {name: n_params(timm_model(name)) for name in TIMM_MODELS}
    goldens = {}
    x = randn(gen(299), 1, 3, 40, 40)
    for i, (name, (dtype, stem_width)) in enumerate(GOLDEN.items()):
        torch.manual_seed(300 + i)
        g = gen(300 + i)
        model = timm_model(name, num_classes=10, channels=tuple(WIDTH * 2**j for j in range(4)), stem_width=stem_width)
        randomize(model, g)
        model.eval()
        round_state(model, DTYPES[dtype])
        logits = logits64(model, x)
        path = "%s_reduced.pth" % name
        sd = {k: (v.to(DTYPES[dtype]) if v.is_floating_point() else v) for k, v in model.state_dict().items()}
        # The first one is written in the legacy format: both readers see a whole network.
        torch.save(sd, os.path.join(OUT, path), _use_new_zipfile_serialization=(i != 0))
        goldens[name] = {
            "weights": path,
            "dtype": dtype,
            "width": WIDTH,
            "stemWidth": stem_width,
            "numClasses": 10,
            "parameters": n_params(model),
            "kernelSizes": eca_ks(model),
            "logits": tensor_json(logits),
        }
    write_json(os.path.join(OUT, "timm_resnet.json"), {"generator": GENERATOR, "parameters": counts, "input": tensor_json(x), "goldens": goldens})
    return counts


def official_eca_fixture():
    """An official-style ECA-ResNet-50 checkpoint (BangguWu/ECANet's train script): torchvision
    ResNet-50 with ECA k 3, 5, 5, 7 by stage under `eca`, trained under DataParallel (`module.`),
    saved by a pre-1.6 torch as {epoch, arch, state_dict, best_prec1, optimizer}. Width 4 here."""
    from collections import OrderedDict

    torch.manual_seed(400)
    g = gen(400)
    attention = {"type": "eca", "kernelSize": [3, 5, 5, 7]}
    model = resnet(50, num_classes=10, width=4, attention=attention)
    perturb_bn(model, g)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("eca.conv.weight"):
                p.copy_(randn(g, *p.shape, scale=0.5))
    model.eval()
    x = randn(g, 1, 3, 32, 32)
    logits = logits64(model, x)
    checkpoint = {
        "epoch": 100,
        "arch": "eca_resnet50",
        "state_dict": OrderedDict(("module." + k, v) for k, v in model.state_dict().items()),
        "best_prec1": 77.42,
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.0001, "momentum": 0.9, "weight_decay": 1e-4, "params": []}]},
    }
    path = "eca_resnet50_k3557_official_style.pth.tar"
    torch.save(checkpoint, os.path.join(OUT, path), _use_new_zipfile_serialization=False)
    write_json(
        os.path.join(OUT, "eca_resnet50_official_style.json"),
        {
            "generator": GENERATOR,
            "weights": path,
            "backbone": "resnet50",
            "width": 4,
            "numClasses": 10,
            "attention": attention,
            "kernelSizes": eca_kernel_sizes(model),
            "parameters": n_params(model),
            "input": tensor_json(x),
            "logits": tensor_json(logits),
        },
    )


def main():
    t0 = time.time()
    os.makedirs(OUT, exist_ok=True)
    print(GENERATOR)
    print("zip entries:", format_cases())
    official_eca_fixture()
    check_timm_mirror()
    for name, count in timm_fixtures().items():
        print("  %-16s %d" % (name, count))
    total = 0
    for fn in sorted(os.listdir(OUT)):
        total += os.path.getsize(os.path.join(OUT, fn))
        print("  %-40s %9d" % (fn, os.path.getsize(os.path.join(OUT, fn))))
    print("total %d bytes, %.1fs" % (total, time.time() - t0))


if __name__ == "__main__":
    main()
