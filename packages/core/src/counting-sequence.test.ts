import { describe, expect, it } from 'vitest';
import { network } from '../test/definitions.js';
import { countCosts } from './counting.js';
import type { ParamSpec } from './parameter.js';
import { traceNetwork } from './trace.js';

const weight = (name: string, shape: number[]): ParamSpec => ({ name, shape, layout: 'conv1d', trainable: true, init: { kind: 'constant', value: 0 } });

/*
 * conv1d along H (the sequence form catalog modules use), at input [2, 2, 6, 1], batch 2:
 *
 * layer                                  output        MACs              thop FLOPs
 * c1: weight [4, 2, 3], bias, padding 1  [2, 4, 6, 1]  48 * 2 * 3 = 288  48 * (2 * 3 + 1) = 336
 * c2: weight [1, 4, 5], no bias          [2, 1, 2, 1]  4 * 4 * 5 = 80    4 * (4 * 5) = 80
 * parameters 24 + 4 + 20 = 48; MACs 368; FLOPs 416
 */
const sequence = network((scope, x) => {
  const c1 = scope.child('c1');
  const y = scope.module('c1', () => scope.ops.conv1d(x, c1.param(weight('weight', [4, 2, 3])), c1.param({ ...weight('bias', [4]), layout: 'vector' }), 1));
  const c2 = scope.child('c2');
  return scope.module('c2', () => scope.ops.conv1d(y, c2.param(weight('weight', [1, 4, 5])), undefined, 0));
}, [2, 2, 6, 1]);

describe('countCosts of conv1d', () => {
  it('counts kernel MACs per output element, + 1 with a bias in thop FLOPs', () => {
    const costs = countCosts(traceNetwork(sequence));
    expect([costs.parameters, costs.buffers, costs.macs, costs.flops.value]).toEqual([48, 0, 368, 416]);
  });
});
