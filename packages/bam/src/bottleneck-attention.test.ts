import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('bam: parameters and MACs', () => {
  it('C = 64, r = 16: m = 4; channel 2*64*4 + 3*4 + 64 = 588, spatial 64*4 + 18*16 + 10*4 + 1 = 585: 1173 parameters', () => {
    expect(createAttention('bam', 64).parameterCount).toBe(1173);
  });

  it('at 6 x 6: 2*64*4 + (64*4 + 18*16 + 4)*36 = 20240 MACs', () => {
    expect(macs('bam', [1, 64, 6, 6])).toBe(20_240);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch forward-hook counts', () => {
    expect(insertionCosts('bam', resnet50Points)).toEqual({ parameters: 5_214_464, macs: 439_591_808 });
    expect(insertionCosts('bam', mobilenetV2Points)).toEqual({ parameters: 61_320, macs: 3_383_250 });
  });

  it('C < r keeps one hidden channel: C = 8, r = 16: 2*8 + 3 + 8 = 27 + 8 + 18 + 10 + 1 = 64', () => {
    expect(createAttention('bam', 8).config.reducedChannels).toBe(1);
    expect(createAttention('bam', 8).parameterCount).toBe(64);
  });

  it('refuses reductionRatio 0', () => {
    expect(() => createAttention({ type: 'bam', reductionRatio: 0 }, 16)).toThrow("bam: option 'reductionRatio' is 0; expected an integer >= 1");
  });
});

describe('bam: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 3 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(3).fill('bam'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
