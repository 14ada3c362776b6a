import { readFileSync } from 'node:fs';
import { attentionNetwork, initializeWeights, randomTensor, runReference, traceNetwork } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { expectPyTorchDefaultInit } from '@attnkit/tools/init-rules';
import { expectConsistentTestCases } from '@attnkit/tools/definition-cases';
import { describe, expect, it } from 'vitest';
import { cbam } from './cbam.js';
import './index.js';

const [N, C, H, W] = [2, 8, 3, 4];

function run(options: Record<string, unknown>) {
  const network = attentionNetwork({ type: 'cbam', reductionRatio: 4, ...options }, C, [N, C, H, W]);
  const weights = initializeWeights(traceNetwork(network), 3);
  const x = randomTensor([N, C, H, W], 8);
  // Names in a network carry the attribute path (`cbam.ChannelGate...`): look up by suffix.
  const weight = (suffix: string) => [...weights].find(([name]) => name.endsWith(suffix))?.[1].data ?? new Float32Array();
  return { x, weight, out: runReference(network, weights, x)[0] };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('cbam: one gate at a time', () => {
  it('channel gate only: out = x * sigmoid(MLP(avg) + MLP(max)), computed here by hand', () => {
    const { x, weight, out } = run({ spatialGate: false });
    const [w1, b1, w2, b2] = ['ChannelGate.mlp.1.weight', 'ChannelGate.mlp.1.bias', 'ChannelGate.mlp.3.weight', 'ChannelGate.mlp.3.bias'].map(weight);
    const hidden = C / 4;
    const mlp = (v: number[]) => {
      const h = Array.from({ length: hidden }, (_, j) => Math.max(0, b1[j] + v.reduce((s, vi, i) => s + w1[j * C + i] * vi, 0)));
      return Array.from({ length: C }, (_, i) => b2[i] + h.reduce((s, hj, j) => s + w2[i * hidden + j] * hj, 0));
    };
    for (let n = 0; n < N; n++) {
      const plane = (c: number) => Array.from(x.data.subarray((n * C + c) * H * W, (n * C + c + 1) * H * W));
      const avg = Array.from({ length: C }, (_, c) => plane(c).reduce((a, b) => a + b, 0) / (H * W));
      const max = Array.from({ length: C }, (_, c) => Math.max(...plane(c)));
      const [a, m] = [mlp(avg), mlp(max)];
      for (let c = 0; c < C; c++) {
        const gate = sigmoid(a[c] + m[c]);
        for (const [i, v] of plane(c).entries()) expect(out.data[(n * C + c) * H * W + i]).toBeCloseTo(v * gate, 5);
      }
    }
  });

  it('spatial gate only: one gate per pixel, the same for every channel', () => {
    const { x, out } = run({ channelGate: false });
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < H * W; i++) {
        const ratios = Array.from({ length: C }, (_, c) => out.data[(n * C + c) * H * W + i] / x.data[(n * C + c) * H * W + i]);
        for (const r of ratios) expect(r).toBeCloseTo(ratios[0], 5);
        expect(ratios[0]).toBeGreaterThan(0);
        expect(ratios[0]).toBeLessThan(1);
      }
    }
  });

  it('both gates off: INVALID_OPTION at channelGate, saying to keep one', () => {
    const error = thrownAttnkitError(() => attentionNetwork({ type: 'cbam', channelGate: false, spatialGate: false }, C, [N, C, H, W]).forward);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.details).toEqual({ path: 'channelGate', value: false });
    expect(error.message).toMatch(/keep at least one gate/);
  });

  it('init: PyTorch defaults for the MLP and the 7x7 conv; the spatial BatchNorm weight 0 as the official code', () => {
    expectPyTorchDefaultInit('cbam', 256, { 'SpatialGate.spatial.bn.weight': 0 });
  });
});

describe('cbam: identity as PyTorch and npm know it', () => {
  it('id cbam, attribute cbam (official `layer1.0.cbam.ChannelGate.mlp.1.weight`), package from package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string };
    expect({ id: cbam.id, attributeName: cbam.attributeName, package: cbam.package }).toEqual({ id: 'cbam', attributeName: 'cbam', package: manifest.name });
  });
});

describe('cbam: the conformance cases the definition carries describe it', () => {
  it('every case states the parameters and buffers the definition gives at its channels', () => expectConsistentTestCases([cbam]));
});
