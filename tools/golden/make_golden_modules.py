#!/usr/bin/python3
"""Golden fixtures of every attention module, each computed by the PyTorch reference in its own
package folder.

    /usr/bin/python3 tools/golden/make_golden_modules.py [--root DIR] [PACKAGE ...]

Finds the module packages as tools/gen-module-wiring.mjs does (packages/* and apps/* whose
package.json has "attnkit": {"kind": "module"}), loads each one's golden/reference.py and writes
its golden/cases.json. PACKAGE (a package name or folder) limits the run to those packages;
--root points at another checkout. No per-module list here: a module brings its own reference.

A reference.py defines (see CONTRIBUTING.md):
- build(module_id, options, channels): the PyTorch module, with attnkit's state-dict names;
- CASES: [{"id", "options", "shape": [N, C, H, W], "seed"}, ...];
- optionally randomize(module, generator) (default: randomize below), check(module, case, x,
  out) returning a second computation of the output (asserted equal to 1e-12), extra_cases()
  returning complete cases (tensors as torch tensors), OPTION_LABELS (short option names for
  case names), COSTS (option sets whose parameters and MACs on ResNet-50 and MobileNetV2 the
  fixture records) and TRAIN_BATCH_STATISTICS = False (the training step keeps BatchNorm on its
  running statistics: for a module whose batch statistics knowingly differ, with a NOTE).

Every case seeds its own torch.Generator: random weights (randomize), then the input
randn(N, C, H, W) + randn(N, C, 1, 1) (per-channel offsets spread the pooled vectors over O(1)),
then (N >= 2) a target randn(N, C, H, W) for one training step (train_step).
Outputs are computed in float64 from the float32 inputs and weights and rounded to float32; a
float32 forward must agree to 1e-4 (the fixture is not at a knife edge). BatchNorm is in eval
mode. Deterministic: two runs write identical files.
"""

import copy
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import gen, load_reference, randn, tensor_json, uniform, write_json_lines  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "tools/golden/make_golden_modules.py (torch %s)" % torch.__version__

# (channels, H = W) at each insertion point at 224 x 224: after the last BN of each of ResNet-50's
# 16 bottlenecks, and after the project BN of each of MobileNetV2's 17 inverted residuals
RESNET50 = [(256, 56)] * 3 + [(512, 28)] * 4 + [(1024, 14)] * 6 + [(2048, 7)] * 3
MOBILENET_V2 = [(16, 112)] + [(24, 56)] * 2 + [(32, 28)] * 3 + [(64, 14)] * 4 + [(96, 14)] * 3 + [(160, 7)] * 3 + [(320, 7)]


def module_packages(root):
    """[(folder, package name)] of the module packages, in folder order."""
    found = []
    for parent in ("packages", "apps"):
        base = os.path.join(root, parent)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            manifest = os.path.join(base, name, "package.json")
            if not os.path.isfile(manifest):
                continue
            with open(manifest) as f:
                data = json.load(f)
            if (data.get("attnkit") or {}).get("kind") == "module":
                found.append((os.path.join(base, name), data["name"]))
    return found


def randomize(m, g):
    """Random parameters at scales that keep the gates away from saturation; BatchNorm weights
    of both signs and random running statistics."""
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


def run_case(ref, case, name):
    n, c, h, w = case["shape"]
    g = gen(case["seed"])
    m = ref.build(case["id"], case["options"], c).eval()
    getattr(ref, "randomize", randomize)(m, g)
    x = randn(g, n, c, h, w) + randn(g, n, c, 1, 1)
    with torch.no_grad():
        md = m.double()
        out = md(x.double())
        assert torch.isfinite(out).all(), name
        if hasattr(ref, "check"):
            err = (ref.check(md, case, x.double(), out) - out).abs().max().item()
            assert err < 1e-12, (name, err)
        out32 = m.float()(x)
    err = (out32.double() - out).abs().max().item()
    assert err < 1e-4, (name, err)
    result = {"name": name, "id": case["id"], "options": case["options"], "channels": c, "input": tensor_json(x), "params": state(m), "output": tensor_json(out)}
    if n >= 2:  # BatchNorm in training mode needs more than one value per channel
        result["train"] = train_step(copy.deepcopy(m), x, randn(g, n, c, h, w), getattr(ref, "TRAIN_BATCH_STATISTICS", True))
    return result


def state(m):
    return {k: tensor_json(v) for k, v in m.state_dict().items() if k.split(".")[-1] != "num_batches_tracked"}


def train_step(m, x, target, batch_statistics, lr=0.1):
    """One SGD step in float64 on loss = sum(out * target), BatchNorm in training mode (batch
    statistics; running statistics updated with each layer's momentum) unless the reference sets
    TRAIN_BATCH_STATISTICS = False (then with its running statistics, as when fine-tuning with
    frozen BatchNorm): the gradients of the input and of every parameter, and the state after
    torch.optim.SGD's step."""
    md = m.double().train(batch_statistics)
    xd = x.double().requires_grad_(True)
    (md(xd) * target.double()).sum().backward()
    grads = {k: tensor_json(p.grad) for k, p in md.named_parameters()}
    if grads:
        torch.optim.SGD(md.parameters(), lr=lr).step()
    return {"lr": lr, "batchStatistics": batch_statistics, "target": tensor_json(target), "inputGrad": tensor_json(xd.grad), "grads": grads, "updated": state(md)}


def finished_case(case):
    """An extra_cases() entry with its tensors as fixture JSON."""
    as_json = lambda v: tensor_json(v) if isinstance(v, torch.Tensor) else v  # noqa: E731
    return {k: ({p: as_json(t) for p, t in v.items()} if k == "params" else as_json(v)) for k, v in case.items()}


def module_costs(ref, module_id, options, points):
    """Parameters, and MACs of the Conv1d / Conv2d / Linear layers (as attnkit counts them), summed
    over the insertion points."""
    params = 0
    macs = 0
    for c, s in points:
        m = ref.build(module_id, options, c).eval()
        params += sum(p.numel() for p in m.parameters())
        counted = []

        def hook(mod, inp, out):
            k = 1
            for d in mod.weight.shape[2:]:
                k *= d
            counted.append(out.numel() * mod.weight.shape[1] * k)

        handles = [mod.register_forward_hook(hook) for mod in m.modules() if isinstance(mod, (nn.Conv1d, nn.Conv2d, nn.Linear))]
        with torch.no_grad():
            m(torch.randn(1, c, s, s))
        for hd in handles:
            hd.remove()
        macs += sum(counted)
    return {"parameters": params, "macs": macs}


def package_fixture(folder, package):
    path = os.path.join(folder, "golden", "reference.py")
    if not os.path.isfile(path):
        raise SystemExit("%s (%s) is a module package without golden/reference.py (see CONTRIBUTING.md)" % (package, folder))
    ref = load_reference(path)
    labels = getattr(ref, "OPTION_LABELS", {})
    cases = []
    counts = {}
    for case in ref.CASES:
        mid, opts = case["id"], case["options"]
        counts[mid] = counts.get(mid, 0) + 1
        optstr = "-".join("%s%s" % (labels.get(k, k), v) for k, v in opts.items())
        name = "%s-%d%s-n%d-c%d-h%dw%d" % ((mid, counts[mid], ("-" + optstr) if optstr else "") + tuple(case["shape"]))
        cases.append(run_case(ref, case, name))
    cases.extend(finished_case(c) for c in getattr(ref, "extra_cases", lambda: [])())
    head = {"generator": GENERATOR, "package": package}
    costs = getattr(ref, "COSTS", [])
    if costs:
        ids = sorted({c["id"] for c in ref.CASES})
        assert len(ids) == 1, "COSTS needs a package with one module id, got %s" % ids
        head["costs"] = [{"options": o, "resnet50": module_costs(ref, ids[0], o, RESNET50), "mobilenet_v2": module_costs(ref, ids[0], o, MOBILENET_V2)} for o in costs]
    out = os.path.join(folder, "golden", "cases.json")
    write_json_lines(out, head, "cases", cases)
    return out, cases, head.get("costs", [])


def main(argv):
    root = os.path.dirname(os.path.dirname(HERE))
    if "--root" in argv:
        i = argv.index("--root")
        root = os.path.abspath(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    packages = module_packages(root)
    if argv:
        wanted = {os.path.normpath(os.path.join(root, a)) if "/" in a and not a.startswith("@") else a for a in argv}
        packages = [(d, n) for d, n in packages if n in wanted or os.path.normpath(d) in wanted]
        if len(packages) != len(wanted):
            raise SystemExit("not module packages under %s: %s" % (root, ", ".join(sorted(wanted - {n for _, n in packages} - {os.path.normpath(d) for d, _ in packages}))))
    t0 = time.time()
    for folder, package in packages:
        out, cases, costs = package_fixture(folder, package)
        print("%-20s %s: %d cases, %d bytes" % (package, os.path.relpath(out, root), len(cases), os.path.getsize(out)))
        for row in costs:
            print("  %-40s R50 +%d params +%d MACs; MobileNetV2 +%d params +%d MACs" % (json.dumps(row["options"]), row["resnet50"]["parameters"], row["resnet50"]["macs"], row["mobilenet_v2"]["parameters"], row["mobilenet_v2"]["macs"]))
    print("%d module packages, %.1fs" % (len(packages), time.time() - t0))


if __name__ == "__main__":
    main(sys.argv[1:])
