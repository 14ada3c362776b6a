import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { type Graph, type Tensor, attentionNetwork, initializeWeights, listAttention, traceNetwork } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { mobilenetV2 } from './mobilenet-v2.js';
import { resnet18 } from './resnet.js';

/**
 * Seeded init checked against PyTorch's rules, derived here from each tensor's shape alone (not
 * from the init spec the definition declares, which is what is under test):
 * - nn.Linear / nn.Conv1d / nn.Conv2d default: weight kaiming_uniform(a = sqrt(5)), i.e.
 *   U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = shape[1] * prod(kernel); bias U(same bound).
 * - torchvision ResNet and MobileNetV2 convs: kaiming_normal(mode='fan_out', relu), i.e.
 *   N(0, sqrt(2 / fan_out)) with fan_out = shape[0] * prod(kernel).
 * - BatchNorm: weight 1, bias 0, running_mean 0, running_var 1.
 */
const fanIn = (shape: readonly number[]) => shape.slice(1).reduce((a, b) => a * b, 1);
const fanOut = (shape: readonly number[]) => shape[0] * shape.slice(2).reduce((a, b) => a * b, 1);

function moments(data: Float32Array) {
  let sum = 0;
  let max = 0;
  for (const v of data) {
    sum += v;
    max = Math.max(max, Math.abs(v));
  }
  const mean = sum / data.length;
  let squares = 0;
  for (const v of data) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / data.length), max };
}

/** U(-bound, bound): nothing outside, and with enough draws the extremes and spread of a uniform. */
function expectUniform(name: string, tensor: Tensor, bound: number) {
  const { mean, std, max } = moments(tensor.data);
  expect(max, `${name}: |w| <= ${bound}`).toBeLessThanOrEqual(bound * (1 + 1e-6));
  if (tensor.data.length >= 200) {
    expect(max, `${name}: extremes reach the bound ${bound}`).toBeGreaterThan(0.95 * bound);
    expect(Math.abs(std / (bound / Math.sqrt(3)) - 1), `${name}: std of U(-b, b) is b/sqrt(3)`).toBeLessThan(0.12);
    expect(Math.abs(mean), `${name}: mean 0`).toBeLessThan(0.2 * bound);
  }
}

function expectNormal(name: string, tensor: Tensor, std: number) {
  const m = moments(tensor.data);
  expect(Math.abs(m.std / std - 1), `${name}: std ${std}`).toBeLessThan(0.1);
  expect(Math.abs(m.mean), `${name}: mean 0`).toBeLessThan(0.1 * std);
}

function expectConstant(name: string, tensor: Tensor, value: number) {
  expect(
    tensor.data.every((v) => v === value),
    `${name}: all ${value}`,
  ).toBe(true);
}

/** Which parameters are BatchNorm's: those beside a running_mean. */
function batchNormPrefixes(graph: Graph): Set<string> {
  return new Set(graph.params.filter((p) => p.name.endsWith('.running_mean')).map((p) => p.name.slice(0, -'running_mean'.length)));
}

const BN_VALUES: Record<string, number> = { weight: 1, bias: 0, running_mean: 0, running_var: 1 };

describe('seeded init follows PyTorch defaults in every registered module', () => {
  // CBAM's official code sets its spatial BatchNorm weight to 0 (PAPER.md section 1).
  const officialBatchNormWeights: Record<string, number> = { 'SpatialGate.spatial.bn.weight': 0 };

  for (const definition of listAttention()) {
    it(`${definition.id} at C = 256`, () => {
      const graph = traceNetwork(attentionNetwork(definition.id, 256, [1, 256, 8, 8]));
      const weights = initializeWeights(graph, 11);
      const bn = batchNormPrefixes(graph);
      const shapes = new Map(graph.params.map((p) => [p.name, p.spec.shape]));
      for (const p of graph.params) {
        const tensor = weights.get(p.name) as Tensor;
        const prefix = p.name.slice(0, p.name.lastIndexOf('.') + 1);
        const leaf = p.name.slice(prefix.length);
        if (bn.has(prefix)) {
          const official = Object.entries(officialBatchNormWeights).find(([suffix]) => p.name.endsWith(suffix));
          expectConstant(p.name, tensor, official?.[1] ?? BN_VALUES[leaf]);
        } else if (leaf === 'weight') {
          expectUniform(p.name, tensor, 1 / Math.sqrt(fanIn(p.spec.shape)));
        } else if (leaf === 'bias') {
          expectUniform(p.name, tensor, 1 / Math.sqrt(fanIn(shapes.get(`${prefix}weight`) ?? [])));
        } else {
          throw new Error(`no PyTorch rule in this test for ${p.name}`);
        }
      }
    });
  }
});

describe('seeded init follows torchvision in the backbones', () => {
  it('resnet18: convs N(0, sqrt(2/fan_out)), BatchNorm 1/0, fc Linear default', () => {
    const graph = traceNetwork(resnet18(), [1, 3, 32, 32]);
    const weights = initializeWeights(graph, 5);
    const bn = batchNormPrefixes(graph);
    for (const p of graph.params) {
      const tensor = weights.get(p.name) as Tensor;
      const prefix = p.name.slice(0, p.name.lastIndexOf('.') + 1);
      const leaf = p.name.slice(prefix.length);
      if (bn.has(prefix)) expectConstant(p.name, tensor, BN_VALUES[leaf]);
      else if (p.name === 'fc.weight') expectUniform(p.name, tensor, 1 / Math.sqrt(512));
      else if (p.name === 'fc.bias') expectUniform(p.name, tensor, 1 / Math.sqrt(512));
      else expectNormal(p.name, tensor, Math.sqrt(2 / fanOut(p.spec.shape)));
    }
  });

  it('mobilenet_v2: convs (depthwise too) N(0, sqrt(2/fan_out)), BatchNorm 1/0, classifier N(0, 0.01) and bias 0', () => {
    const graph = traceNetwork(mobilenetV2(), [1, 3, 32, 32]);
    const weights = initializeWeights(graph, 5);
    const bn = batchNormPrefixes(graph);
    for (const p of graph.params) {
      const tensor = weights.get(p.name) as Tensor;
      const prefix = p.name.slice(0, p.name.lastIndexOf('.') + 1);
      const leaf = p.name.slice(prefix.length);
      if (bn.has(prefix)) expectConstant(p.name, tensor, BN_VALUES[leaf]);
      else if (p.name === 'classifier.1.weight') expectNormal(p.name, tensor, 0.01);
      else if (p.name === 'classifier.1.bias') expectConstant(p.name, tensor, 0);
      else if (tensor.data.length >= 200) expectNormal(p.name, tensor, Math.sqrt(2 / fanOut(p.spec.shape)));
    }
  });
});
