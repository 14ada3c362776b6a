import { attentionNetwork, createAttention, traceNetwork } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { goldenCases, runCase } from '@attnkit/tools/module-cases';
import './index.js';

describe('cbam: parameters', () => {
  it('C = 64, r = 16: 2C^2/r + C/r + C + 98 + 2 = 512 + 4 + 64 + 100 = 680', () => {
    // channel MLP: Linear(64, 4) 256 + 4, Linear(4, 64) 256 + 64 = 580;
    // spatial: conv [1, 2, 7, 7] 98, BN weight and bias 2 (running stats are buffers).
    const cbam = createAttention('cbam', 64);
    expect(cbam.options).toEqual({ reductionRatio: 16, poolOrder: 'max-mean', channelGate: true, spatialGate: true });
    expect(cbam.parameterCount).toBe(680);
    expect(cbam.parameters.map((p) => [p.name, p.shape, p.trainable])).toEqual([
      ['ChannelGate.mlp.1.weight', [4, 64], true],
      ['ChannelGate.mlp.1.bias', [4], true],
      ['ChannelGate.mlp.3.weight', [64, 4], true],
      ['ChannelGate.mlp.3.bias', [64], true],
      ['SpatialGate.spatial.conv.weight', [1, 2, 7, 7], true],
      ['SpatialGate.spatial.bn.weight', [1], true],
      ['SpatialGate.spatial.bn.bias', [1], true],
      ['SpatialGate.spatial.bn.running_mean', [1], false],
      ['SpatialGate.spatial.bn.running_var', [1], false],
    ]);
  });

  it('the official init sets the spatial BN weight to 0', () => {
    const bnWeight = createAttention('cbam', 64).parameters.find((p) => p.name === 'SpatialGate.spatial.bn.weight');
    expect(bnWeight?.init).toEqual({ kind: 'constant', value: 0 });
  });

  it('channel-only gate: 580 (the SE count); spatial-only gate: 100', () => {
    expect(createAttention({ type: 'cbam', spatialGate: false }, 64).parameterCount).toBe(580);
    expect(createAttention({ type: 'cbam', channelGate: false }, 64).parameterCount).toBe(100);
  });

  it('refuses a CBAM with both gates off', () => {
    expect(() => createAttention({ type: 'cbam', channelGate: false, spatialGate: false }, 64)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it("sums to docs/paper.md's ResNet-50 + CBAM count: 28,089,624 - 25,557,032 = 2,532,592", () => {
    const blocks = [
      [3, 256],
      [4, 512],
      [6, 1024],
      [3, 2048],
    ] as const;
    expect(blocks.reduce((n, [count, channels]) => n + count * createAttention('cbam', channels).parameterCount, 0)).toBe(2_532_592);
  });

  it('traces: shared MLP on avg and max pool, then the spatial gate on [max, mean]', () => {
    const graph = traceNetwork(attentionNetwork('cbam', 32, [1, 32, 5, 6]));
    expect(graph.nodes.map((n) => n.op)).toEqual([
      'globalAvgPool', 'linear', 'relu', 'linear',
      'globalMaxPool', 'linear', 'relu', 'linear',
      'add', 'sigmoid', 'mul',
      'channelMax', 'channelMean', 'concatChannels', 'conv2d', 'batchNorm', 'sigmoid', 'mul',
    ]);
    const concat = graph.nodes[13];
    expect(concat.inputs).toEqual([graph.nodes[11].output, graph.nodes[12].output]);
    expect(graph.nodes[14].attributes).toMatchObject({ padding: [3, 3], kernel: [7, 7] });
    expect(graph.nodes[15].attributes).toEqual({ eps: 1e-5, momentum: 0.01 });
    // The MLP's weights are declared once and used for both pools.
    expect(graph.nodes[1].inputs[1]).toBe(graph.nodes[5].inputs[1]);
  });

  it("poolOrder 'mean-max' (timm) swaps the spatial gate's inputs", () => {
    const graph = traceNetwork(attentionNetwork({ type: 'cbam', poolOrder: 'mean-max', channelGate: false }, 32, [1, 32, 5, 6]));
    const [max, mean, concat] = graph.nodes;
    expect([max.op, mean.op, concat.op]).toEqual(['channelMax', 'channelMean', 'concatChannels']);
    expect(concat.inputs).toEqual([mean.output, max.output]);
  });
});

describe('cbam: PyTorch golden outputs (golden/cases.json, from golden/reference.py)', () => {
  const cases = goldenCases(new URL('../golden/cases.json', import.meta.url), ['cbam']);
  it('has five cases (both pool orders, r in 4, 8, 16)', () => {
    expect(cases).toHaveLength(5);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error <= 1e-5', (_name, c) => {
    expect(runCase(c).maxError).toBeLessThanOrEqual(1e-5);
  });
});
