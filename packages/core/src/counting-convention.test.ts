import { describe, expect, it } from 'vitest';
import { THOP_CONVENTION } from './counting.js';

// Every report prints this text as the meaning of its FLOPs, so it has to state each rule that
// countCosts applies (see counting.test.ts and counting-pools.test.ts for the counts themselves).
describe('THOP_CONVENTION', () => {
  it.each([
    ['the calibration against the paper', 'ResNet-50 3.8582 G, ECA-ResNet-50 k3557 3.8634 G, MobileNetV2 319.36 M'],
    ['one count per module, its last call', "a module called several times (torchvision ResNet's shared block ReLU, CBAM's shared MLP) counts its last call"],
    ['functional ops are not counted', 'ops outside any module (functional calls such as torch.flatten'],
    ['conv and linear', 'conv kernel MACs (+1 with a bias); linear 2*in-1 (multiplies and adds; bias not counted); 4 per BatchNorm element; 1 per ReLU/ReLU6 element'],
    ['pools', "H*W+1 per adaptive-average-pooled output; k per max-pooled output of a k x k kernel (thop multiplied the entries of kernel_size as written: torchvision's MaxPool2d(3) counts 3, not 9) and k+1 per average-pooled output"],
    ['what is free', "ECA's Conv1d, sigmoid, affine (scalar) arithmetic, mul, max pools over channels or planes and channel means are not counted"],
  ])('states %s', (_rule, text) => {
    expect(THOP_CONVENTION).toContain(text);
  });
});
