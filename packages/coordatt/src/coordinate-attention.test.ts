import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('coordatt: parameters and MACs', () => {
  it('C = 64, r = 32: mip = max(8, 2) = 8; 3*64*8 + 3*8 + 2*64 = 1688 parameters; at 5 x 7: 2*(5+7)*64*8 = 12288 MACs', () => {
    expect(createAttention('coordatt', 64).parameterCount).toBe(1688);
    expect(macs('coordatt', [1, 64, 5, 7])).toBe(12288);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch forward-hook counts', () => {
    expect(insertionCosts('coordatt', resnet50Points)).toEqual({ parameters: 1_917_832, macs: 27_066_368 });
    expect(insertionCosts('coordatt', mobilenetV2Points)).toEqual({ parameters: 41_438, macs: 670_208 });
  });

  it('refuses reductionRatio 0', () => {
    expect(() => createAttention({ type: 'coordatt', reductionRatio: 0 }, 16)).toThrow("coordatt: option 'reductionRatio' is 0; expected an integer >= 1");
  });
});

describe('coordatt: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 3 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(3).fill('coordatt'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
