import { attentionNetwork, createAttention, traceNetwork } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import './index.js';

describe('SE variants of the ECA paper ablation: parameters', () => {
  it.each([20, 64, 2048])('C = %i: se-var1 0, se-var2 C, se-var3 C^2', (channels) => {
    // SE-Var1 sigma(y): nothing to learn. SE-Var2 sigma(w . y): one weight per channel.
    // SE-Var3 sigma(W y): a C x C fully connected layer without bias.
    expect(createAttention('se-var1', channels).parameterCount).toBe(0);
    expect(createAttention('se-var2', channels).parameterCount).toBe(channels);
    expect(createAttention('se-var3', channels).parameterCount).toBe(channels * channels);
  });

  it('declares PyTorch names and shapes; se-var2 reports k = 1', () => {
    expect(createAttention('se-var1', 20).parameters).toEqual([]);
    expect(createAttention('se-var2', 20).parameters.map((p) => [p.name, p.shape])).toEqual([['conv.weight', [20, 1, 1]]]);
    expect(createAttention('se-var2', 20).config.kernelSize).toBe(1);
    expect(createAttention('se-var3', 20).parameters.map((p) => [p.name, p.shape])).toEqual([['fc.weight', [20, 20]]]);
  });

  it('takes no options', () => {
    // @ts-expect-error se-var3 takes no options.
    expect(() => createAttention({ type: 'se-var3', bias: true }, 20)).toThrow("se-var3: unknown option 'bias'; it takes no options");
  });

  it('se-var3 traces as GAP -> linear -> sigmoid -> mul', () => {
    const graph = traceNetwork(attentionNetwork('se-var3', 20, [1, 20, 3, 3]));
    expect(graph.nodes.map((n) => n.op)).toEqual(['globalAvgPool', 'linear', 'sigmoid', 'mul']);
  });
});

describe('SE variants: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url), ['se-var1', 'se-var2', 'se-var3']);
  it('has two cases per variant', () => {
    expect(cases.map((c) => c.id)).toEqual(['se-var1', 'se-var1', 'se-var2', 'se-var2', 'se-var3', 'se-var3']);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
