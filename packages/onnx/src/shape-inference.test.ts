import { ErrorCodes } from '@attnkit/core';
import { describe, expect, test } from 'vitest';
import { attr, createGraph, createModel, createNode, valueInfo } from './model-builders.js';
import { encodeModel } from './model-codec.js';
import type { OnnxGraph } from './onnx-model.js';
import { createRunner } from './session-runner.js';
import { inferShapes } from './shape-inference.js';
import { tensorFromFloat32, tensorFromInt64 } from './tensor-data.js';

const weight = (name: string, dims: number[]) => tensorFromFloat32(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.01));

/** A ResNet / MobileNetV2-like stem, block, ECA-like gate and head on x [batch, 3, 32, 32]. */
function buildBackboneGraph(): OnnxGraph {
  return createGraph({
    inputs: [valueInfo('x', ['batch', 3, 32, 32])],
    outputs: [valueInfo('logits', ['batch', 10])],
    initializers: [
      weight('stem.w', [8, 3, 7, 7]),
      weight('bn.scale', [8]),
      weight('bn.bias', [8]),
      weight('bn.mean', [8]),
      weight('bn.var', [8]),
      weight('dw.w', [8, 1, 3, 3]),
      weight('fc.w', [10, 16]),
      weight('fc.b', [10]),
      tensorFromInt64('axes_hw', [2], [2, 3]),
      tensorFromInt64('axis_last', [1], [-1]),
      tensorFromInt64('reshape_to', [3], [0, -1, 4]),
    ],
    nodes: [
      // [b, 3, 32, 32] -> [b, 8, 16, 16] (k7 s2 p3, like ResNet's conv1)
      createNode('Conv', ['x', 'stem.w'], ['stem'], { attributes: [attr.ints('kernel_shape', [7, 7]), attr.ints('strides', [2, 2]), attr.ints('pads', [3, 3, 3, 3])] }),
      createNode('BatchNormalization', ['stem', 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var'], ['bn']),
      createNode('Relu', ['bn'], ['relu']),
      // [b, 8, 16, 16] -> [b, 8, 8, 8] (k3 s2 p1)
      createNode('MaxPool', ['relu'], ['pool'], { attributes: [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.ints('pads', [1, 1, 1, 1])] }),
      // ceil_mode: (8 - 3) / 2 = 2.5 -> 3 + 1 = 4 (floor would give 3)
      createNode('MaxPool', ['pool'], ['pool_ceil'], { attributes: [attr.ints('kernel_shape', [3, 3]), attr.ints('strides', [2, 2]), attr.int('ceil_mode', 1)] }),
      // depthwise k3 s1 p1, like MobileNetV2: [b, 8, 8, 8]
      createNode('Conv', ['pool', 'dw.w'], ['dw'], { attributes: [attr.int('group', 8), attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])] }),
      createNode('Clip', ['dw'], ['relu6']),
      createNode('Add', ['relu6', 'pool'], ['residual']),
      // ECA-like gate: GAP [b, 8, 1, 1] -> Squeeze(-1) [b, 8, 1] -> Unsqueeze(-1) [b, 8, 1, 1] -> Sigmoid -> Mul
      createNode('GlobalAveragePool', ['residual'], ['gap']),
      createNode('Squeeze', ['gap', 'axis_last'], ['squeezed']),
      createNode('Unsqueeze', ['squeezed', 'axis_last'], ['unsqueezed']),
      createNode('Sigmoid', ['unsqueezed'], ['gate']),
      createNode('Mul', ['residual', 'gate'], ['gated']),
      // CBAM-like channel mean and max: [b, 1, 8, 8] each, concatenated to [b, 2, 8, 8]
      createNode('ReduceMean', ['gated'], ['channel_mean'], { attributes: [attr.ints('axes', [1])] }),
      createNode('ReduceMax', ['gated'], ['channel_max'], { attributes: [attr.ints('axes', [1]), attr.int('keepdims', 1)] }),
      createNode('Concat', ['channel_mean', 'channel_max'], ['pooled_maps'], { attributes: [attr.int('axis', 1)] }),
      // head: ReduceMean over H, W without keepdims [b, 2], Concat of 8 copies -> [b, 16], Gemm -> [b, 10]
      createNode('ReduceMean', ['pooled_maps'], ['spatial_mean'], { attributes: [attr.ints('axes', [2, 3]), attr.int('keepdims', 0)] }),
      createNode('Concat', Array(8).fill('spatial_mean'), ['features'], { attributes: [attr.int('axis', -1)] }),
      createNode('Identity', ['features'], ['features_id']),
      createNode('Flatten', ['features_id'], ['flat']),
      createNode('Gemm', ['flat', 'fc.w', 'fc.b'], ['logits'], { attributes: [attr.int('transB', 1)] }),
      // Reshape with a constant shape: [b, 8 * 8 * 8 / 4, 4] = [b, 128, 4]
      createNode('Reshape', ['gated', 'reshape_to'], ['reshaped']),
    ],
  });
}

const expectedShapes: Record<string, (number | string | null)[]> = {
  stem: ['batch', 8, 16, 16],
  bn: ['batch', 8, 16, 16],
  relu: ['batch', 8, 16, 16],
  pool: ['batch', 8, 8, 8],
  pool_ceil: ['batch', 8, 4, 4],
  dw: ['batch', 8, 8, 8],
  relu6: ['batch', 8, 8, 8],
  residual: ['batch', 8, 8, 8],
  gap: ['batch', 8, 1, 1],
  squeezed: ['batch', 8, 1],
  unsqueezed: ['batch', 8, 1, 1],
  gate: ['batch', 8, 1, 1],
  gated: ['batch', 8, 8, 8],
  channel_mean: ['batch', 1, 8, 8],
  channel_max: ['batch', 1, 8, 8],
  pooled_maps: ['batch', 2, 8, 8],
  spatial_mean: ['batch', 2],
  features: ['batch', 16],
  features_id: ['batch', 16],
  flat: ['batch', 16],
  logits: ['batch', 10],
  // Reshape to [0, -1, 4]: 0 copies the batch; -1 needs the element count, which a symbolic batch leaves unknown.
  reshaped: ['batch', null, 4],
};

describe('inferShapes', () => {
  test('gives the [N, C, H, W] shape of every tensor of a ResNet / MobileNetV2-like graph', () => {
    const shapes = inferShapes(buildBackboneGraph());
    for (const [name, shape] of Object.entries(expectedShapes)) expect(shapes.get(name), name).toEqual(shape);
    expect(shapes.get('x')).toEqual(['batch', 3, 32, 32]);
    expect(shapes.get('stem.w')).toEqual([8, 3, 7, 7]);
  });

  test('with a concrete batch every shape matches what onnxruntime-node computes', async () => {
    const graph = buildBackboneGraph();
    graph.inputs = [valueInfo('x', [2, 3, 32, 32])];
    const shapes = inferShapes(graph);
    // Every intermediate becomes a graph output so the runtime reports its shape.
    graph.outputs = Object.keys(expectedShapes).map((name) => ({ name }));
    const runner = await createRunner({ runtime: 'onnxruntime-node' });
    const session = await runner.load(encodeModel(createModel({ opsetImports: [{ domain: '', version: 17 }], graph })));
    const outputs = await session.run({ x: { dims: [2, 3, 32, 32], data: new Float32Array(2 * 3 * 32 * 32).fill(1) } });
    await session.dispose();
    for (const name of Object.keys(expectedShapes)) expect(shapes.get(name), name).toEqual(outputs[name].dims);
    expect(shapes.get('reshaped')).toEqual([2, 128, 4]);
  });

  test('an op without a rule is UNSUPPORTED unless value_info or customOps give its shape', () => {
    const graph = createGraph({
      nodes: [createNode('Eca', ['x'], ['y'], { domain: 'ai.attnkit' })],
      inputs: [valueInfo('x', [1, 64, 56, 56])],
      outputs: [valueInfo('y', [1, 64, 56, 56])],
    });
    expect(() => inferShapes(graph)).toThrow(expect.objectContaining({ code: ErrorCodes.UNSUPPORTED, message: expect.stringMatching(/no shape rule for op 'ai\.attnkit\.Eca'/) }));
    expect(inferShapes(graph, { customOps: { Eca: (inputs) => [inputs[0]!] } }).get('y')).toEqual([1, 64, 56, 56]);
    expect(inferShapes({ ...graph, valueInfo: [valueInfo('y', [1, 64, 56, 56])] }).get('y')).toEqual([1, 64, 56, 56]);
  });

  test('shapes that do not broadcast are SHAPE_MISMATCH', () => {
    const graph = createGraph({
      nodes: [createNode('Add', ['a', 'b'], ['c'], { name: 'add' })],
      inputs: [valueInfo('a', [1, 8, 4, 4]), valueInfo('b', [1, 3, 4, 4])],
      outputs: [valueInfo('c', [1, 8, 4, 4])],
    });
    expect(() => inferShapes(graph)).toThrow(expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH, message: expect.stringMatching(/do not broadcast/) }));
  });
});
