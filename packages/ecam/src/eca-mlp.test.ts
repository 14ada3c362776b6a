import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('ecam: parameters and MACs', () => {
  it('C = 64: k = max(3, Eq. 12) = 3, rd = make_divisible(64/8, 8) = 8; 8*(3 + 2) + 1 = 41 parameters, 64*8*(3 + 1) = 2048 MACs', () => {
    const ecam = createAttention('ecam', 64);
    expect([ecam.config.kernelSize, ecam.config.reducedChannels, ecam.parameterCount]).toEqual([3, 8, 41]);
    expect(ecam.parameters.map((p) => [p.name, p.shape])).toEqual([
      ['conv.weight', [8, 1, 1]],
      ['conv.bias', [8]],
      ['conv2.weight', [1, 8, 3]],
      ['conv2.bias', [1]],
    ]);
    expect(macs('ecam', [1, 64, 7, 7])).toBe(2048);
  });

  it('C = 2048: k = 7, rd = 256: 256*9 + 1 = 2305 parameters', () => {
    expect(createAttention('ecam', 2048).parameterCount).toBe(2305);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch forward-hook counts', () => {
    expect(insertionCosts('ecam', resnet50Points)).toEqual({ parameters: 14_768, macs: 18_235_392 });
    expect(insertionCosts('ecam', mobilenetV2Points)).toEqual({ parameters: 1_441, macs: 177_664 });
  });

  it('refuses an even kernel size', () => {
    expect(() => createAttention({ type: 'ecam', kernelSize: 4 }, 64)).toThrow(expect.objectContaining({ code: 'INVALID_KERNEL_SIZE' }));
  });
});

describe('ecam: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 3 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(3).fill('ecam'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
