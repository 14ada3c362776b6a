/**
 * Seeded init checked against PyTorch's rules, derived from each tensor's shape alone (not from
 * the init spec a definition declares, which is what is under test):
 * - nn.Linear / nn.Conv1d / nn.Conv2d default: weight kaiming_uniform(a = sqrt(5)), i.e.
 *   U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = shape[1] * prod(kernel); bias U(same bound).
 * - torchvision ResNet and MobileNetV2 convs: kaiming_normal(mode='fan_out', relu), i.e.
 *   N(0, sqrt(2 / fan_out)) with fan_out = shape[0] * prod(kernel).
 * - BatchNorm: weight 1, bias 0, running_mean 0, running_var 1.
 */
import { type AttentionSpec, type Graph, type Tensor, attentionNetwork, initializeWeights, traceNetwork } from '@attnkit/core';
import { expect } from 'vitest';

export const fanIn = (shape: readonly number[]) => shape.slice(1).reduce((a, b) => a * b, 1);
export const fanOut = (shape: readonly number[]) => shape[0] * shape.slice(2).reduce((a, b) => a * b, 1);

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
export function expectUniform(name: string, tensor: Tensor, bound: number): void {
  const { mean, std, max } = moments(tensor.data);
  expect(max, `${name}: |w| <= ${bound}`).toBeLessThanOrEqual(bound * (1 + 1e-6));
  if (tensor.data.length >= 200) {
    expect(max, `${name}: extremes reach the bound ${bound}`).toBeGreaterThan(0.95 * bound);
    expect(Math.abs(std / (bound / Math.sqrt(3)) - 1), `${name}: std of U(-b, b) is b/sqrt(3)`).toBeLessThan(0.12);
    expect(Math.abs(mean), `${name}: mean 0`).toBeLessThan(0.2 * bound);
  }
}

export function expectNormal(name: string, tensor: Tensor, std: number): void {
  const m = moments(tensor.data);
  expect(Math.abs(m.std / std - 1), `${name}: std ${std}`).toBeLessThan(0.1);
  expect(Math.abs(m.mean), `${name}: mean 0`).toBeLessThan(0.1 * std);
}

export function expectConstant(name: string, tensor: Tensor, value: number): void {
  expect(
    tensor.data.every((v) => v === value),
    `${name}: all ${value}`,
  ).toBe(true);
}

/** The prefixes (`layer1.0.bn1.`) of BatchNorm parameters: those beside a running_mean. */
export function batchNormPrefixes(graph: Graph): Set<string> {
  return new Set(graph.params.filter((p) => p.name.endsWith('.running_mean')).map((p) => p.name.slice(0, -'running_mean'.length)));
}

export const BATCH_NORM_INIT: Readonly<Record<string, number>> = { weight: 1, bias: 0, running_mean: 0, running_var: 1 };

/**
 * A registered module built alone at `channels` follows PyTorch's default init in every
 * parameter; `batchNormWeights` names BatchNorm weights an official code sets otherwise
 * (CBAM: `SpatialGate.spatial.bn.weight` 0).
 */
export function expectPyTorchDefaultInit(id: string, channels = 256, batchNormWeights: Readonly<Record<string, number>> = {}): void {
  // Ids come from the registry at run time, so they are specs only by assertion.
  const graph = traceNetwork(attentionNetwork(id as AttentionSpec, channels, [1, channels, 8, 8]));
  const weights = initializeWeights(graph, 11);
  const bn = batchNormPrefixes(graph);
  const shapes = new Map(graph.params.map((p) => [p.name, p.spec.shape]));
  for (const p of graph.params) {
    const tensor = weights.get(p.name) as Tensor;
    const prefix = p.name.slice(0, p.name.lastIndexOf('.') + 1);
    const leaf = p.name.slice(prefix.length);
    if (bn.has(prefix)) {
      const official = Object.entries(batchNormWeights).find(([suffix]) => p.name.endsWith(suffix));
      expectConstant(p.name, tensor, official?.[1] ?? BATCH_NORM_INIT[leaf]);
    } else if (leaf === 'weight') {
      expectUniform(p.name, tensor, 1 / Math.sqrt(fanIn(p.spec.shape)));
    } else if (leaf === 'bias') {
      expectUniform(p.name, tensor, 1 / Math.sqrt(fanIn(shapes.get(`${prefix}weight`) ?? [])));
    } else {
      throw new Error(`no PyTorch rule in this check for ${p.name}`);
    }
  }
}
