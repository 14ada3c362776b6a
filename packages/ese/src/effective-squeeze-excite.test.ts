import { attentionNetwork, countCosts, createAttention, traceNetwork } from '@attnkit/core';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import { describe, expect, it } from 'vitest';
import './index.js';

const macs = (spec: Parameters<typeof createAttention>[0], shape: [number, number, number, number]) => countCosts(traceNetwork(attentionNetwork(spec, shape[1], shape))).macs;

describe('ese: parameters and MACs', () => {
  it('C = 64: fc 64*64 + 64 = 4160 parameters, 64*64 = 4096 MACs', () => {
    expect(createAttention('ese', 64).parameterCount).toBe(4160);
    expect(macs('ese', [1, 64, 7, 7])).toBe(4096);
  });

  it('sums over ResNet-50 and MobileNetV2 to the PyTorch forward-hook counts (golden/cases.json costs)', () => {
    // sum of C^2 + C over the 16 bottleneck outputs; MACs sum of C^2
    expect(insertionCosts('ese', resnet50Points)).toEqual({ parameters: 20_134_656, macs: 20_119_552 });
    expect(insertionCosts('ese', mobilenetV2Points)).toEqual({ parameters: 229_216, macs: 227_712 });
  });

  it('refuses unknown options with the known list', () => {
    // @ts-expect-error timm's name is no option of ese; at run time it is refused with the known ones.
    expect(() => createAttention({ type: 'ese', add_maxpool: true }, 8)).toThrow("ese: unknown option 'add_maxpool'; known options are 'addMaxPool'");
  });
});

describe('ese: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url));
  it('has the 3 cases of its reference', () => {
    expect(cases.map((c) => c.id)).toEqual(Array(3).fill('ese'));
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
