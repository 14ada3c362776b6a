"""PyTorch reference of @attnkit/eca: ECA, CECA and ECA-NS (Wang et al., CVPR 2020) and the SE
variants of the paper's ablation, written from docs/paper.md (ECA's `conv.weight` as the
official BangguWu/ECANet eca_module.py names it). Run by tools/golden/make_golden_modules.py,
which writes golden/cases.json; tools/golden/make_golden.py builds its ECA networks from ECA."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def gap(x):
    return x.mean(dim=(2, 3))  # [N, C]


class ECA(nn.Module):
    """Shared k-tap kernel over the channel axis, zero padding. conv.weight [1, 1, k]."""

    def __init__(self, channels, k=3):
        super().__init__()
        assert k % 2 == 1
        self.k = k
        self.conv = nn.Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False)

    def forward(self, x):
        n, c = x.shape[:2]
        return x * self.gate(x).view(n, c, 1, 1)

    def gate(self, x):
        n, c = x.shape[:2]
        return torch.sigmoid(self.conv(gap(x).view(n, 1, c)).view(n, c))


class CECA(nn.Module):
    """ECA with circular padding of (k-1)/2 at both ends of the channel axis."""

    def __init__(self, channels, k=3):
        super().__init__()
        assert k % 2 == 1
        self.k = k
        self.conv = nn.Conv1d(1, 1, k, padding=0, bias=False)

    def forward(self, x):
        n, c = x.shape[:2]
        p = (self.k - 1) // 2
        y = F.pad(gap(x).view(n, 1, c), (p, p), mode="circular")
        z = self.conv(y).view(n, c)
        return x * torch.sigmoid(z).view(n, c, 1, 1)


class ECANS(nn.Module):
    """Non-shared ECA: z_i = sum_t W[i,0,t] * y_{i+t-(k-1)/2}, zero padding. conv.weight [C,1,k].

    The Conv1d only holds the parameter (so its name is conv.weight); the math is pad + unfold."""

    def __init__(self, channels, k=3):
        super().__init__()
        assert k % 2 == 1
        self.k = k
        self.conv = nn.Conv1d(channels, channels, k, groups=channels, bias=False)

    def forward(self, x):
        n, c = x.shape[:2]
        p = (self.k - 1) // 2
        y = F.pad(gap(x), (p, p))  # [N, C + k - 1]
        win = y.unfold(1, self.k, 1)  # [N, C, k]: win[n, i, t] = y_pad[n, i + t]
        z = (win * self.conv.weight[:, 0, :].unsqueeze(0)).sum(-1)
        return x * torch.sigmoid(z).view(n, c, 1, 1)


class SEVar1(nn.Module):
    def __init__(self, channels):
        super().__init__()

    def forward(self, x):
        n, c = x.shape[:2]
        return x * torch.sigmoid(gap(x)).view(n, c, 1, 1)


class SEVar2(nn.Module):
    """conv.weight [C, 1, 1]: one weight per channel, out = x * sigmoid(w_c * y_c)."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, 1, groups=channels, bias=False)

    def forward(self, x):
        n, c = x.shape[:2]
        z = gap(x) * self.conv.weight[:, 0, 0].unsqueeze(0)
        return x * torch.sigmoid(z).view(n, c, 1, 1)


class SEVar3(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.fc = nn.Linear(channels, channels, bias=False)

    def forward(self, x):
        n, c = x.shape[:2]
        return x * torch.sigmoid(self.fc(gap(x))).view(n, c, 1, 1)


MODULES = {"eca": ECA, "ceca": CECA, "eca-ns": ECANS, "se-var1": SEVar1, "se-var2": SEVar2, "se-var3": SEVar3}


def build(module_id, options, channels):
    if module_id in ("eca", "ceca", "eca-ns"):
        return MODULES[module_id](channels, options["kernelSize"])
    return MODULES[module_id](channels)


# shape is [N, C, H, W]; every case draws its weights and input from its own seed
CASES = [
    {"id": "eca", "options": {"kernelSize": 3}, "shape": [2, 16, 4, 4], "seed": 1000},
    {"id": "eca", "options": {"kernelSize": 5}, "shape": [3, 20, 5, 3], "seed": 1001},
    {"id": "eca", "options": {"kernelSize": 7}, "shape": [1, 37, 3, 6], "seed": 1002},
    {"id": "eca", "options": {"kernelSize": 1}, "shape": [2, 8, 2, 5], "seed": 1003},
    {"id": "eca", "options": {"kernelSize": 3}, "shape": [1, 64, 7, 7], "seed": 1004},
    {"id": "ceca", "options": {"kernelSize": 3}, "shape": [2, 20, 4, 3], "seed": 1005},
    {"id": "ceca", "options": {"kernelSize": 5}, "shape": [3, 37, 2, 3], "seed": 1006},
    {"id": "ceca", "options": {"kernelSize": 7}, "shape": [1, 12, 3, 5], "seed": 1007},
    {"id": "ceca", "options": {"kernelSize": 1}, "shape": [2, 9, 2, 2], "seed": 1008},
    {"id": "eca-ns", "options": {"kernelSize": 3}, "shape": [2, 20, 4, 3], "seed": 1009},
    {"id": "eca-ns", "options": {"kernelSize": 5}, "shape": [3, 37, 3, 2], "seed": 1010},
    {"id": "eca-ns", "options": {"kernelSize": 1}, "shape": [1, 8, 5, 4], "seed": 1011},
    {"id": "eca-ns", "options": {"kernelSize": 7}, "shape": [2, 16, 3, 3], "seed": 1012},
    {"id": "se-var1", "options": {}, "shape": [3, 20, 3, 4], "seed": 1013},
    {"id": "se-var1", "options": {}, "shape": [1, 37, 5, 2], "seed": 1014},
    {"id": "se-var2", "options": {}, "shape": [3, 20, 3, 4], "seed": 1015},
    {"id": "se-var2", "options": {}, "shape": [2, 37, 2, 5], "seed": 1016},
    {"id": "se-var3", "options": {}, "shape": [3, 20, 3, 4], "seed": 1017},
    {"id": "se-var3", "options": {}, "shape": [1, 37, 4, 3], "seed": 1018},
]

# case names abbreviate the options: eca-1-k3-n2-c16-h4w4
OPTION_LABELS = {"kernelSize": "k"}


def randomize(m, g):
    """Random weights at scales that keep the sigmoids away from saturation."""
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name == "conv.weight" and p.shape[0] == 1:  # eca / ceca [1, 1, k]
                p.copy_(torch.randn(*p.shape, generator=g) * 0.6)
            elif name == "conv.weight":  # eca-ns [C, 1, k], se-var2 [C, 1, 1]
                p.copy_(torch.randn(*p.shape, generator=g) * 0.8)
            else:  # se-var3's Linear [out, in]
                p.copy_(torch.randn(*p.shape, generator=g) * (1.0 / math.sqrt(p.shape[1])))


def chan_corr_ref(y, w, circular):
    """z[n, i] = sum_t w[i, t] * y[n, i + t - p] by explicit shifts. y [N, C], w [C, k]."""
    n, c = y.shape
    k = w.shape[1]
    p = (k - 1) // 2
    z = torch.zeros_like(y)
    for t in range(k):
        for i in range(c):
            j = i + t - p
            if circular:
                j %= c
            elif j < 0 or j >= c:
                continue
            z[:, i] += w[i, t] * y[:, j]
    return z


def check(m, case, x, out):
    """A second implementation of each module's math (shift loops for the channel convs); the
    driver asserts it agrees with the forward to 1e-12."""
    mid, c, y = case["id"], x.shape[1], gap(x)
    if mid in ("eca", "ceca", "eca-ns"):
        w = m.conv.weight.detach()
        w = w[0, 0].expand(c, -1) if mid != "eca-ns" else w[:, 0, :]
        return x * torch.sigmoid(chan_corr_ref(y, w, circular=(mid == "ceca")))[:, :, None, None]
    if mid == "se-var1":
        return x * torch.sigmoid(y)[:, :, None, None]
    if mid == "se-var2":
        return x * torch.sigmoid(y * m.conv.weight[:, 0, 0])[:, :, None, None]
    return x * torch.sigmoid(y @ m.fc.weight.T)[:, :, None, None]


def extra_cases():
    """The RNG-free ECA case of docs/paper.md section 1: x[i] = sin(0.1 * i) over the NCHW flat
    index (sine in double, as JavaScript's Math.sin), w = [0.2, -0.5, 0.3], with the gate."""
    n, c, h, w = 2, 64, 7, 7
    i = torch.arange(n * c * h * w, dtype=torch.float64)
    x = torch.sin(0.1 * i).to(torch.float32).view(n, c, h, w)
    m = ECA(c, 3).double().eval()
    with torch.no_grad():
        m.conv.weight.copy_(torch.tensor([0.2, -0.5, 0.3], dtype=torch.float32).double().view(1, 1, 3))
        out = m(x.double())
        a = m.gate(x.double())
    o32 = out.to(torch.float32).reshape(-1)
    a32 = a.to(torch.float32)
    expect = [0, 0.04937986, 0.09826633, 0.14617096, 0.19261509, 0.23713468, 0.27928489, 0.31864458]
    for j, e in enumerate(expect):
        assert abs(o32[j].item() - e) <= 1e-7, (j, o32[j].item(), e)
    # docs/paper.md's gate values were computed with the input made in float32 arithmetic
    # (sin(float32(0.1) * i) in float32) and a float32 forward; here sin is taken in double, as
    # JavaScript's Math.sin does, and the forward in float64: a[0, 61] moves by 2.3e-7.
    for j, e in zip([0, 1, 2, 3, 61, 62, 63], [0.49462253, 0.47413763, 0.50351447, 0.52716964, 0.50152165, 0.52698046, 0.48972961]):
        assert abs(a32[0, j].item() - e) <= 5e-7, (j, a32[0, j].item(), e)
    return [{"name": "eca-sin", "id": "eca", "options": {"kernelSize": 3}, "channels": c, "input": x, "params": {"conv.weight": m.conv.weight}, "output": out, "attention": a}]
