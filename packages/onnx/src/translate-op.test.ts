import { type GraphNode, maxAbsDiff, randomTensor, runReference, traceNetwork } from '@attnkit/core';
import { derivedOpsNetwork } from '@attnkit/tools/derived-ops-gate';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { describe, expect, test } from 'vitest';
import { emitModel, emitNetwork } from './emit-model.js';
import { encodeModel } from './model-codec.js';
import { createRunner } from './session-runner.js';
import { translateOp, type NodeSink } from './translate-op.js';

describe('derived ops in ONNX', () => {
  test('a module of every derived op (affine as Mul / Add) matches the reference in onnxruntime-node to 1e-5', async () => {
    const shape = [2, 8, 3, 5];
    const network = derivedOpsNetwork(shape);
    const input = randomTensor(shape, 21);
    // Values in [-4, 4] cross hardSigmoid's knees at -3 and 3.
    input.data.forEach((v, i) => {
      input.data[i] = 4 * v;
    });
    const expected = runReference(network, new Map(), input)[0];
    const model = emitNetwork(network, new Map());
    const body = model.functions?.[0].nodes.map((n) => n.opType) ?? [];
    // hardSwish: Add(x, 3), Clip, Mul(., 1/6), Mul(x, .); tanh: Mul(., 2), Sigmoid, Mul(., 2), Add(., -1).
    expect(body.filter((op) => op === 'Clip')).toHaveLength(2);
    expect(body.filter((op) => op === 'Sigmoid')).toHaveLength(1);
    const runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
    const session = await runner.load(encodeModel(model));
    try {
      const outputs = await session.run({ [session.inputNames[0]]: { dims: shape, data: input.data } });
      expect(maxAbsDiff(outputs[session.outputNames[0]].data, expected.data)).toBeLessThan(1e-5);
    } finally {
      await session.dispose();
    }
  }, 60_000);

  test('a graph out of topological order is an INTERNAL error (a broken invariant of traced graphs)', () => {
    const graph = traceNetwork(derivedOpsNetwork([1, 2, 3, 3]));
    const reversed = { ...graph, attention: [], nodes: [...graph.nodes].reverse() };
    const error = thrownAttnkitError(() => emitModel(reversed, new Map()));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('not in topological order');
  });

  test('an op the IR does not define is UNSUPPORTED, with the op named', () => {
    const graph = traceNetwork(derivedOpsNetwork([1, 2, 1, 1]));
    const node = { ...graph.nodes[0], op: 'toString' } as unknown as GraphNode;
    const sink = { opset: 17 } as NodeSink;
    const error = thrownAttnkitError(() => translateOp(sink, node, ['x'], (id) => graph.values[id].shape));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain("op 'toString'");
  });
});
