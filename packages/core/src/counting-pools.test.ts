import { describe, expect, it } from 'vitest';
import { network } from '../test/definitions.js';
import { countCosts } from './counting.js';
import { traceNetwork } from './trace.js';

/*
 * The ops the hand-counted network in counting.test.ts does not use, at input [1, 2, 6, 6]:
 *
 * op                              output        MACs          thop FLOPs
 * relu6 (module)                  [1, 2, 6, 6]  -             72 * 1 = 72
 * maxPool 3x2, stride [3, 2]      [1, 2, 2, 3]  -             12 * (3 * 2) = 72 (not square: kh * kw)
 * avgPool 2x2, stride 1           [1, 2, 1, 2]  -             4 * (2 + 1) = 12 (square: k + 1)
 * avgPool 1x2, stride 1           [1, 2, 1, 1]  -             2 * (1 * 2 + 1) = 6
 * depthwise conv 3x3, groups 2,   [1, 2, 1, 1]  2 * 1 * 9     2 * 9 = 18 (18 MACs, no bias)
 *   pad 1 (weight [2, 1, 3, 3])
 * parameters 18; MACs 18; FLOPs 72 + 72 + 12 + 6 + 18 = 180
 */
const pools = network((scope, x) => {
  const { ops } = scope;
  let y = scope.module('act', () => ops.relu6(x));
  y = scope.module('maxpool', () => ops.maxPool2d(y, { kernel: [3, 2], stride: [3, 2], padding: [0, 0] }));
  y = scope.module('avgpool', () => ops.avgPool2d(y, { kernel: [2, 2], stride: [1, 1], ceilMode: false }));
  y = scope.module('avgpool2', () => ops.avgPool2d(y, { kernel: [1, 2], stride: [1, 1], ceilMode: false }));
  return scope.conv2d('dw', y, { outChannels: 2, kernel: 3, padding: 1, groups: 2 });
}, [1, 2, 6, 6]);

describe('countCosts of ReLU6, non-square and average pools, grouped convolutions', () => {
  it('counts by hand', () => {
    const costs = countCosts(traceNetwork(pools));
    expect([costs.parameters, costs.buffers, costs.macs, costs.flops.value]).toEqual([18, 0, 18, 180]);
  });
});
