import { attentionNetwork, createAttention, traceNetwork } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import './index.js';
import { reducedChannels } from './squeeze-excite.js';

// ResNet-50 blocks per stage and their output channels (where SE sits), docs/paper.md section 2.
const resnet50 = [
  [3, 256],
  [4, 512],
  [6, 1024],
  [3, 2048],
] as const;

describe('se: parameters', () => {
  it('C = 64, r = 16, bias: 2C^2/r + C/r + C = 2*4096/16 + 4 + 64 = 580', () => {
    const se = createAttention('se', 64);
    expect(se.options).toEqual({ reductionRatio: 16, bias: true, channelDivisor: 1 });
    expect(se.config.reducedChannels).toBe(4);
    expect(se.parameterCount).toBe(580);
    expect(se.parameters.map((p) => [p.name, p.shape])).toEqual([
      ['fc1.weight', [4, 64]],
      ['fc1.bias', [4]],
      ['fc2.weight', [64, 4]],
      ['fc2.bias', [64]],
    ]);
  });

  it('without bias: 2C^2/r = 512', () => {
    const se = createAttention({ type: 'se', bias: false }, 64);
    expect(se.parameterCount).toBe(512);
    expect(se.parameters.map((p) => p.name)).toEqual(['fc1.weight', 'fc2.weight']);
  });

  it('channelDivisor 8 (timm): C = 64, r = 16 -> 8 hidden units: 2*64*8 + 8 + 64 = 1096', () => {
    const se = createAttention({ type: 'se', channelDivisor: 8 }, 64);
    expect(se.config.reducedChannels).toBe(8);
    expect(se.parameterCount).toBe(1096);
  });

  it('C = 37, r = 4: floor(37/4) = 9 hidden units: 2*37*9 + 9 + 37 = 712', () => {
    expect(createAttention({ type: 'se', reductionRatio: 4 }, 37).parameterCount).toBe(712);
  });

  it("reducedChannels: floor(C/r) as the original, timm's make_divisible(C/r, 8, round_limit=0) with divisor 8", () => {
    // make_divisible(v, 8) = max(8, int(v + 4) // 8 * 8)
    expect(reducedChannels(64, 16, 1)).toBe(4);
    expect(reducedChannels(37, 4, 1)).toBe(9);
    expect(reducedChannels(8, 16, 1)).toBe(1); // floor gives 0; at least one unit
    expect(reducedChannels(64, 16, 8)).toBe(8); // v = 4: int(8) // 8 * 8 = 8
    expect(reducedChannels(20, 4, 8)).toBe(8); // v = 5: int(9) // 8 * 8 = 8
    expect(reducedChannels(37, 16, 8)).toBe(8); // v = 2.3: int(6.3) // 8 * 8 = 0 -> max(8, 0)
    expect(reducedChannels(200, 16, 8)).toBe(16); // v = 12.5: int(16.5) // 8 * 8 = 16
    expect(reducedChannels(2048, 16, 8)).toBe(128);
  });

  it("sums to docs/paper.md's ResNet-50 + SE r16 counts over the 16 bottlenecks", () => {
    const total = (spec: Parameters<typeof createAttention>[0]) =>
      resnet50.reduce((n, [blocks, channels]) => n + blocks * createAttention(spec, channels).parameterCount, 0);
    // bias: 28,088,024 - 25,557,032 = 2,530,992; no bias: 28,071,976 - 25,557,032 = 2,514,944
    expect(total('se')).toBe(28_088_024 - 25_557_032);
    expect(total({ type: 'se', bias: false })).toBe(28_071_976 - 25_557_032);
  });

  it('refuses bad options with what is expected', () => {
    expect(() => createAttention({ type: 'se', reductionRatio: 0 }, 64)).toThrow("se: option 'reductionRatio' is 0; expected an integer >= 1");
    // @ts-expect-error timm's name is no option of se; at run time it is refused with the known ones.
    expect(() => createAttention({ type: 'se', rd_ratio: 0.25 }, 64)).toThrow(
      "se: unknown option 'rd_ratio'; known options are 'reductionRatio', 'bias', 'channelDivisor'",
    );
  });

  it('traces as GAP -> linear -> relu -> linear -> sigmoid -> mul', () => {
    const graph = traceNetwork(attentionNetwork('se', 64, [1, 64, 3, 3]));
    expect(graph.nodes.map((n) => [n.op, n.scope])).toEqual([
      ['globalAvgPool', 'se'],
      ['linear', 'se'],
      ['relu', 'se'],
      ['linear', 'se'],
      ['sigmoid', 'se'],
      ['mul', 'se'],
    ]);
  });
});

describe('se: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url), ['se']);
  it('has six cases (bias on/off, divisor 1/8)', () => {
    expect(cases).toHaveLength(6);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
