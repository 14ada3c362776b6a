"""torch.onnx.export of torchvision's ResNet-50, the reference the bench compares our emitted
ResNet-50 with (target: within 1.02x on onnx-node).

Run with Debian's interpreter (python3-torch, python3-torchvision; no `onnx` module needed):
    /usr/bin/python3 apps/cli/scripts/export-torch-resnet50.py [out.onnx]
Default output: bench-results/models/resnet50-torch.onnx (git-ignored, about 100 MB), the
path bench.default.json lists. Eval mode, opset 17, constant folding on (BatchNorm folded into
the convs), static input [1, 3, 224, 224] named `input`, output `logits`; random weights (latency
does not depend on their values).
"""
import os
import sys

import torch
import torchvision

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', '..', 'bench-results', 'models', 'resnet50-torch.onnx')
out = os.path.abspath(out)
os.makedirs(os.path.dirname(out), exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet50().eval()
with torch.no_grad():
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), out, opset_version=17, do_constant_folding=True, input_names=['input'], output_names=['logits'])
print(f'{out} (torch {torch.__version__}, torchvision {torchvision.__version__})')
