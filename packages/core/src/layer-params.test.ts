import { describe, expect, it } from 'vitest';
import { batchNormParams, conv2dParams, linearParams, makeDivisible, sameConv } from './layer-params.js';

describe('layer parameter declarations', () => {
  it("conv2dParams: PyTorch's Conv2d shapes, fan-in in/groups * k * k, bias optional", () => {
    expect(conv2dParams('fc', 8, 16, 1).map((p) => [p.name, p.shape, p.init])).toEqual([
      ['fc.weight', [8, 16, 1, 1], { kind: 'kaiming-uniform', fanIn: 16 }],
      ['fc.bias', [8], { kind: 'uniform', bound: 0.25 }],
    ]);
    // depthwise 3x3 over 4 channels: [4, 1, 3, 3], fan-in 9
    expect(conv2dParams('dw', 4, 4, 3, { groups: 4, bias: false }).map((p) => [p.shape, p.init])).toEqual([[[4, 1, 3, 3], { kind: 'kaiming-uniform', fanIn: 9 }]]);
  });

  it('linearParams and batchNormParams: Linear [out, in] + bias; BN weight, bias and two buffers', () => {
    expect(linearParams('l', 3, 5).map((p) => p.shape)).toEqual([[3, 5], [3]]);
    expect(batchNormParams('bn', 6).map((p) => [p.name, p.trainable])).toEqual([
      ['bn.weight', true],
      ['bn.bias', true],
      ['bn.running_mean', false],
      ['bn.running_var', false],
    ]);
  });

  it("makeDivisible as timm's make_divisible: max(d, int(v + d/2) // d * d), + d below round_limit * v", () => {
    expect(makeDivisible(64 / 16, 1, 0)).toBe(4);
    expect(makeDivisible(20 / 8, 1, 0)).toBe(3); // int(3.0) = 3: halves round up
    expect(makeDivisible(0.3, 1, 0)).toBe(1);
    expect(makeDivisible(32 / 8, 8, 0.9)).toBe(8); // int(8) // 8 * 8 = 8
    expect(makeDivisible(20, 8, 0.9)).toBe(24); // int(24) // 8 * 8 = 24
    expect(makeDivisible(13, 8, 0.9)).toBe(16); // int(17) // 8 * 8 = 16
    expect(makeDivisible(11, 8, 0.9)).toBe(16); // int(15) // 8 * 8 = 8 < 0.9 * 11 -> 16
  });

  it('sameConv: stride 1, symmetric padding, dilation, groups', () => {
    expect(sameConv()).toEqual({ stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 });
    expect(sameConv(4, { dilation: 4, groups: 2 })).toEqual({ stride: [1, 1], padding: [4, 4], dilation: [4, 4], groups: 2 });
  });
});
