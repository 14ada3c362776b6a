import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('gct: parameters and MACs', () => {
  it('C = 64: alpha, gamma, beta [1, 64, 1, 1] = 192 parameters, no MACs', () => {
    const gct = createAttention('gct', 64);
    expect(gct.parameterCount).toBe(192);
    expect(gct.parameters.map((p) => [p.name, p.shape])).toEqual([
      ['alpha', [1, 64, 1, 1]],
      ['gamma', [1, 64, 1, 1]],
      ['beta', [1, 64, 1, 1]],
    ]);
    expect(macs('gct', [1, 64, 7, 7])).toBe(0);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch counts (3C per insertion)', () => {
    expect(insertionCosts('gct', resnet50Points)).toEqual({ parameters: 45_312, macs: 0 });
    expect(insertionCosts('gct', mobilenetV2Points)).toEqual({ parameters: 4_512, macs: 0 });
  });

  it('refuses a mode other than l2 / l1', () => {
    // @ts-expect-error 'l3' is no mode; at run time it is refused with the modes there are.
    expect(() => createAttention({ type: 'gct', mode: 'l3' }, 8)).toThrow("gct: option 'mode' is \"l3\"; expected one of 'l2', 'l1'");
  });
});

describe('gct: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 4 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(4).fill('gct'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
