import { attentionNetwork, countCosts, createAttention, maxAbsDiff, runReference, tensor, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('simam: parameters and MACs', () => {
  it('has no parameters and no multiply-accumulates (element-wise arithmetic only)', () => {
    expect(createAttention('simam', 64).parameterCount).toBe(0);
    expect(macs('simam', [1, 64, 7, 7])).toBe(0);
    expect(insertionCosts('simam', resnet50Points)).toEqual({ parameters: 0, macs: 0 });
    expect(insertionCosts('simam', mobilenetV2Points)).toEqual({ parameters: 0, macs: 0 });
  });

  it('a 1 x 1 plane (H*W - 1 = 0, NaN in the official code) gets the gate sigmoid(0.5): out = x * 0.62245933', () => {
    const x = tensor([1, 2, 1, 1], [2, -4]);
    const [out] = runReference(attentionNetwork('simam', 2, [1, 2, 1, 1]), new Map(), x);
    expect(maxAbsDiff(out.data, [2 * 0.62245933, -4 * 0.62245933])).toBeLessThanOrEqual(1e-6);
  });

  it('refuses a lambda <= 0', () => {
    expect(() => createAttention({ type: 'simam', lambda: 0 }, 8)).toThrow("simam: option 'lambda' is 0; expected a number > 0");
  });
});

describe('simam: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 3 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(3).fill('simam'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
