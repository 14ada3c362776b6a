import { describe, expect, it } from 'vitest';
import { network } from '../test/definitions.js';
import { countCosts } from './counting.js';
import { derivedOps, withDerivedOps } from './derived-ops.js';
import type { DerivedOpName, PrimitiveOps } from './ops.js';
import { referenceOps } from './reference.js';
import { maxAbsDiff, type Tensor, tensor } from './tensor.js';
import { type TraceValue, traceNetwork } from './trace.js';

// Channel vectors [1, C, 1, 1]: every op here takes them.
const vector = (values: number[]): Tensor => tensor([1, values.length, 1, 1], values);
const values = (t: Tensor): number[] => Array.from(t.data);

describe('derived ops on the reference interpreter (hand-computed values)', () => {
  it('sub: [3, 1.5, 0] - [1, -2, 0.25] = [2, 3.5, -0.25]', () => {
    expect(values(referenceOps.sub(vector([3, 1.5, 0]), vector([1, -2, 0.25])))).toEqual([2, 3.5, -0.25]);
  });

  it('square: [-3, 0.5, 0] -> [9, 0.25, 0]', () => {
    expect(values(referenceOps.square(vector([-3, 0.5, 0])))).toEqual([9, 0.25, 0]);
  });

  it('hardSigmoid = relu6(x + 3) / 6: -4 -> 0, -3 -> 0, 0 -> 0.5, 1.5 -> 0.75, 3 -> 1, 5 -> 1', () => {
    const out = referenceOps.hardSigmoid(vector([-4, -3, 0, 1.5, 3, 5]));
    expect(maxAbsDiff(out.data, [0, 0, 0.5, 0.75, 1, 1])).toBeLessThanOrEqual(1e-7);
  });

  it('hardSwish = x * hardSigmoid(x): -4 -> 0, 0 -> 0, 1.5 -> 1.125, 3 -> 3, 5 -> 5', () => {
    const out = referenceOps.hardSwish(vector([-4, 0, 1.5, 3, 5]));
    expect(maxAbsDiff(out.data, [0, 0, 1.125, 3, 5])).toBeLessThanOrEqual(1e-7);
  });

  it('tanh = 2 sigmoid(2x) - 1: tanh(0) = 0, tanh(0.5) = 0.46211716, tanh(-1) = -0.76159416, tanh(2) = 0.96402758', () => {
    const out = referenceOps.tanh(vector([0, 0.5, -1, 2]));
    // float32 rounding of the composition: within 2 ulp of 1.
    expect(maxAbsDiff(out.data, [0, 0.46211716, -0.76159416, 0.96402758])).toBeLessThanOrEqual(2.5e-7);
  });
});

describe('catalog derived ops on the reference interpreter (hand-computed values)', () => {
  it('div = a * (1 / b), broadcasting: [3, -1, 0.5] / [2, 4, -0.25] = [1.5, -0.25, -2]; a plane by a per-image scalar', () => {
    expect(values(referenceOps.div(vector([3, -1, 0.5]), vector([2, 4, -0.25])))).toEqual([1.5, -0.25, -2]);
    expect(values(referenceOps.div(tensor([1, 1, 1, 2], [3, 6]), tensor([1, 1, 1, 1], [3])))).toEqual([1, 2]);
  });

  it('abs = relu(x) + relu(-x): [-2, 0, 1.5] -> [2, 0, 1.5]', () => {
    expect(values(referenceOps.abs(vector([-2, 0, 1.5])))).toEqual([2, 0, 1.5]);
  });

  it('planeSoftmax over H*W: [0, ln 2, ln 3, ln 4] -> [0.1, 0.2, 0.3, 0.4]; a constant plane -> 1/(H*W); 1000 does not overflow', () => {
    const out = referenceOps.planeSoftmax(tensor([1, 1, 2, 2], [0, Math.log(2), Math.log(3), Math.log(4)]));
    expect(maxAbsDiff(out.data, [0.1, 0.2, 0.3, 0.4])).toBeLessThanOrEqual(1e-7);
    expect(values(referenceOps.planeSoftmax(tensor([1, 2, 1, 2], [5, 5, -1, -1])))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(values(referenceOps.planeSoftmax(tensor([1, 1, 1, 2], [1000, 1000])))).toEqual([0.5, 0.5]);
  });
});

describe('withDerivedOps', () => {
  it('completes every derived op, and an override replaces only its own op', () => {
    const calls: string[] = [];
    const ops = withDerivedOps(referenceOps as PrimitiveOps<Tensor>, {
      tanh: (x) => {
        calls.push('tanh');
        return referenceOps.tanh(x);
      },
    });
    for (const name of Object.keys(derivedOps) as DerivedOpName[]) expect(typeof ops[name]).toBe('function');
    ops.tanh(vector([1]));
    ops.hardSwish(vector([1]));
    expect(calls).toEqual(['tanh']);
  });

  it('traces a derived op as the primitives it is composed of, in the current scope', () => {
    const graph = traceNetwork(
      network((scope, x: TraceValue) => scope.module('act', () => scope.ops.hardSwish(x))),
      [1, 4, 2, 2],
    );
    expect(graph.nodes.map((n) => [n.op, n.scope])).toEqual([
      ['affine', 'act'],
      ['relu6', 'act'],
      ['affine', 'act'],
      ['mul', 'act'],
    ]);
    expect(graph.nodes.map((n) => n.attributes)).toEqual([{ scale: 1, offset: 3 }, {}, { scale: 1 / 6, offset: 0 }, { broadcast: 'full' }]);
    // thop counts the module's ReLU6 (1 per element) and nothing for the scalar arithmetic or mul.
    expect(countCosts(graph).flops.value).toBe(16);
    expect(countCosts(graph).macs).toBe(0);
  });

  it('refuses an affine op with a non-finite constant', () => {
    expect(() => traceNetwork(network((scope, x: TraceValue) => scope.ops.affine(x, Number.NaN, 0)))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
