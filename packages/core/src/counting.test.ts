import { describe, expect, it } from 'vitest';
import { network, testGate } from '../test/definitions.js';
import { instantiateAttention } from './attention.js';
import { THOP_CONVENTION, countCosts, initializeWeights, toBinaryUnits } from './counting.js';
import { initializeParameter } from './initializer.js';
import { traceNetwork } from './trace.js';

/*
 * A small network, costs by hand at input [1, 3, 8, 8]:
 *
 * op                       output        params      MACs              thop FLOPs
 * conv1 3->4, 3x3, pad 1   [1, 4, 8, 8]  4*3*9 = 108 256 * 27 = 6912   6912 (no bias)
 * bn1                      [1, 4, 8, 8]  2*4 = 8     -                 4 * 256 = 1024
 *                                        (+ 8 buffers: running mean, var)
 * relu (module)           [1, 4, 8, 8]  -           -                 256
 * maxPool 2x2 stride 2     [1, 4, 4, 4]  -           -                 64 * 2 = 128 (thop: MaxPool2d(2) counts 2)
 * conv2 4->2, 1x1, bias    [1, 2, 4, 4]  8 + 2 = 10  32 * 4 = 128      128 + 32 (bias) = 160
 * gate (k 3):  GAP         [1, 2, 1, 1]  -           -                 2 * (16 + 1) = 34
 *              channelConv [1, 2, 1, 1]  3           2 * 3 = 6         0 (thop had no Conv1d hook)
 *              sigmoid, mul                          -                 0
 * GAP (module)             [1, 2, 1, 1]  -           -                 2 * (16 + 1) = 34
 * flatten (functional)     [1, 2]        -           -                 0
 * fc 2->10, bias           [1, 10]       20 + 10=30  10 * 2 = 20       10 * (2 * 2 - 1) = 30 (bias not counted)
 *
 * parameters 108 + 8 + 10 + 3 + 30 = 159; buffers 8
 * MACs 6912 + 128 + 6 + 20 = 7066
 * FLOPs 6912 + 1024 + 256 + 128 + 160 + 34 + 34 + 30 = 8578
 * A top-level op outside `scope.module` is functional and not counted (as thop).
 * At batch 2 MACs and FLOPs double; parameters do not.
 */
const gate = instantiateAttention(testGate, { kernelSize: 3 }, 2);
const small = network((scope, x) => {
  const { ops } = scope;
  let y = scope.conv2d('conv1', x, { outChannels: 4, kernel: 3, padding: 1 });
  y = scope.batchNorm('bn1', y);
  y = scope.module('relu', () => ops.relu(y));
  y = scope.module('maxpool', () => ops.maxPool2d(y, { kernel: [2, 2], stride: [2, 2], padding: [0, 0] }));
  y = scope.conv2d('conv2', y, { outChannels: 2, kernel: 1, bias: true });
  y = scope.attention(gate, y);
  return scope.linear('fc', ops.flatten(scope.module('avgpool', () => ops.globalAvgPool(y))), 10);
}, [1, 3, 8, 8]);

describe('countCosts', () => {
  it('parameters vs buffers, MACs and thop-style FLOPs of a hand-counted network', () => {
    const costs = countCosts(traceNetwork(small));
    expect(costs).toEqual({
      parameters: 159,
      buffers: 8,
      macs: 7066,
      flops: { value: 8578, unit: 'operations', convention: THOP_CONVENTION },
      inputShape: [1, 3, 8, 8],
    });
  });

  it('MACs and FLOPs scale with the batch, parameters do not', () => {
    const costs = countCosts(traceNetwork(small, [2, 3, 8, 8]));
    expect([costs.parameters, costs.buffers, costs.macs, costs.flops.value]).toEqual([159, 8, 2 * 7066, 2 * 8578]);
  });

  it('thop counts a module called twice once (its last call) and functional ops not at all', () => {
    const twice = network((scope, x) => scope.module('relu', () => scope.ops.relu(scope.ops.relu(x))), [1, 4, 2, 2]);
    expect(countCosts(traceNetwork(twice)).flops.value).toBe(16);
    const functional = network((scope, x) => scope.ops.relu(x), [1, 4, 2, 2]);
    expect(countCosts(traceNetwork(functional)).flops.value).toBe(0);
  });

  it('the paper prints binary units: 25,557,032 / 1024^2 = 24.37M', () => {
    expect(toBinaryUnits(25_557_032, 2).toFixed(2)).toBe('24.37');
    // ResNet-50 thop FLOPs "3.86G": 3.8582 * 1024^3 operations.
    expect(toBinaryUnits(3.8582 * 1024 ** 3, 3)).toBeCloseTo(3.8582, 10);
  });
});

describe('initializeWeights', () => {
  it('gives every declared parameter and buffer its own seeded stream, by full name', () => {
    const graph = traceNetwork(small);
    const weights = initializeWeights(graph, 3);
    expect([...weights.keys()]).toEqual(graph.params.map((p) => p.name));
    for (const p of graph.params) {
      expect(weights.get(p.name)!.shape).toEqual(p.spec.shape);
      // Order independence: the value depends only on (seed, name, spec).
      expect(weights.get(p.name)!.data).toEqual(initializeParameter(p.spec, 3, p.name).data);
    }
    expect(Array.from(weights.get('bn1.weight')!.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(weights.get('bn1.running_var')!.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(weights.get('bn1.running_mean')!.data)).toEqual([0, 0, 0, 0]);
  });
});
