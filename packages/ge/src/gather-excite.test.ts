import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('ge: parameters and MACs', () => {
  it('C = 64, r = 16: rd = 4; 2*64*4 + 4 + 64 = 580 parameters, 2*64*4 = 512 MACs', () => {
    expect(createAttention('ge', 64).parameterCount).toBe(580);
    expect(macs('ge', [1, 64, 7, 7])).toBe(512);
  });

  it('extraParams, featSize 7: + 64*49 + 2*64 = 3844 parameters; at 7 x 7: (49 + 2*4)*64*49 = 178752 MACs', () => {
    expect(createAttention({ type: 'ge', extraParams: true }, 64).parameterCount).toBe(3844);
    expect(macs({ type: 'ge', extraParams: true }, [1, 64, 7, 7])).toBe(178_752);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch forward-hook counts', () => {
    expect(insertionCosts('ge', resnet50Points)).toEqual({ parameters: 2_530_992, macs: 2_514_944 });
    expect(insertionCosts('ge', mobilenetV2Points)).toEqual({ parameters: 30_111, macs: 28_512 });
  });

  it('extent 2: 580 parameters; at 8 x 8 the MLP runs at the 4 x 4 gathered positions: 16 * 2*64*4 = 8192 MACs', () => {
    expect(createAttention({ type: 'ge', extent: 2 }, 64).parameterCount).toBe(580);
    expect(macs({ type: 'ge', extent: 2 }, [1, 64, 8, 8])).toBe(8192);
  });

  it('extraParams, extent 2: + depthwise 3x3 64*9 + BN 2*64 = 1284 parameters; at 8 x 8: 64*16*9 + 8192 = 17408 MACs', () => {
    expect(createAttention({ type: 'ge', extraParams: true, extent: 2 }, 64).parameterCount).toBe(1284);
    expect(macs({ type: 'ge', extraParams: true, extent: 2 }, [1, 64, 8, 8])).toBe(17_408);
    expect(insertionCosts({ type: 'ge', extraParams: true, extent: 2 }, resnet50Points)).toEqual({ parameters: 2_697_136, macs: 121_284_608 });
    expect(insertionCosts({ type: 'ge', extraParams: true, extent: 2 }, mobilenetV2Points)).toEqual({ parameters: 46_655, macs: 2_268_960 });
  });

  it('refuses an extent that is not 0 or a power of two', () => {
    expect(() => createAttention({ type: 'ge', extent: 3 }, 16)).toThrow("ge: option 'extent' is 3; expected 0 (global) or a power of two >= 2");
  });

  it('refuses an even featSize with extraParams', () => {
    expect(() => createAttention({ type: 'ge', extraParams: true, featSize: 6 }, 16)).toThrow("ge: option 'featSize' is 6; expected an odd integer");
  });
});

describe('ge: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 8 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(8).fill('ge'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
