import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('lcbam: parameters and MACs', () => {
  it('C = 64: rd = round(64/16) = 4; 2*64*4 + 7*7 + 2 = 563 parameters; at 8 x 8: 2*64*4 + 49*64 = 3648 MACs', () => {
    expect(createAttention('lcbam', 64).parameterCount).toBe(563);
    expect(macs('lcbam', [1, 64, 8, 8])).toBe(3648);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch forward-hook counts', () => {
    expect(insertionCosts('lcbam', resnet50Points)).toEqual({ parameters: 2_515_760, macs: 3_194_427 });
    expect(insertionCosts('lcbam', mobilenetV2Points)).toEqual({ parameters: 29_379, macs: 1_142_576 });
  });

  it('refuses an even spatial kernel', () => {
    expect(() => createAttention({ type: 'lcbam', spatialKernelSize: 4 }, 16)).toThrow("lcbam: option 'spatialKernelSize' is 4; expected an odd integer");
  });
});

describe('lcbam: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 3 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(3).fill('lcbam'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
