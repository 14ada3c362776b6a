import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('gc: parameters and MACs', () => {
  it('C = 64, r = 8: rd = 8; (64 + 1) + 2*64*8 + 3*8 + 64 = 1177 parameters; at 8 x 8: 64*64 + 2*64*8 = 5120 MACs', () => {
    expect(createAttention('gc', 64).parameterCount).toBe(1177);
    expect(macs('gc', [1, 64, 8, 8])).toBe(5120);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch forward-hook counts', () => {
    expect(insertionCosts('gc', resnet50Points)).toEqual({ parameters: 5_065_776, macs: 10_549_248 });
    expect(insertionCosts('gc', mobilenetV2Points)).toEqual({ parameters: 60_517, macs: 629_248 });
  });

  it('refuses reductionRatio 0', () => {
    expect(() => createAttention({ type: 'gc', reductionRatio: 0 }, 16)).toThrow("gc: option 'reductionRatio' is 0; expected an integer >= 1");
  });
});

describe('gc: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 3 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(3).fill('gc'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
