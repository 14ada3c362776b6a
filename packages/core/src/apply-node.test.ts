import { describe, expect, it } from 'vitest';
import { network } from '../test/definitions.js';
import { applyNode } from './apply-node.js';
import { initializeWeights } from './counting.js';
import { randomTensor } from './initializer.js';
import { referenceOps, runReference } from './reference.js';
import type { Scope } from './scope.js';
import type { Tensor } from './tensor.js';
import { traceNetwork } from './trace.js';

/** A network that reaches every primitive op once or more. */
const everyOp = network((scope: Scope<unknown>, x) => {
  const { ops } = scope;
  const stem = ops.relu(scope.batchNorm('bn', scope.conv2d('conv', x, { outChannels: 4, kernel: 3, padding: 1, bias: true })));
  const pooled = ops.maxPool2d(ops.relu6(stem), { kernel: [2, 2], stride: [2, 2], padding: [0, 0] });
  const spatial = ops.affine(ops.sigmoid(ops.channelMean(ops.concatChannels([ops.channelMean(pooled), ops.channelMax(pooled)]))), 2, -1);
  const kernel = scope.param({ name: 'k', shape: [1, 1, 3], layout: 'conv1d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: 3 } });
  const gated = ops.mul(ops.mul(pooled, ops.channelConv1d(ops.globalAvgPool(pooled), kernel, 'zeros')), spatial);
  const both = ops.add(gated, ops.mul(gated, ops.globalMaxPool(gated)));
  return scope.linear('fc', ops.flatten(both), 5);
}, [2, 3, 6, 6]);

describe('applyNode', () => {
  it('runs a traced graph node by node to exactly what runReference computes', () => {
    const graph = traceNetwork(everyOp);
    expect(new Set(graph.nodes.map((n) => n.op)).size).toBe(17);
    const weights = initializeWeights(graph, 1);
    const input = randomTensor([2, 3, 6, 6], 2);
    const values = new Map<number, Tensor>([[graph.input, input]]);
    for (const p of graph.params) values.set(p.value, weights.get(p.name)!);
    for (const node of graph.nodes) values.set(node.output, applyNode(referenceOps, node, node.inputs.map((id) => (id < 0 ? undefined : values.get(id)))));
    const [expected] = runReference(everyOp, weights, input);
    expect(Array.from(values.get(graph.outputs[0])!.data)).toEqual(Array.from(expected.data));
  });
});
