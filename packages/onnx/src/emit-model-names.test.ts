/**
 * emitModel's node names (the module a parameter-free op belongs to) and which Conv -> BatchNorm
 * pairs it folds, on small networks whose names and values can be worked out by hand, and on
 * MobileNetV2, whose Add names torch.onnx.export wrote into the golden fixture.
 */
import '@attnkit/coordatt';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { attentionNetwork, initializeWeights, type NetworkDefinition, type Tensor, traceNetwork } from '@attnkit/core';
import { createBackbone } from '@attnkit/zoo';
import { describe, expect, test } from 'vitest';
import { emitModel, emitNetwork } from './emit-model.js';
import { decodeModel, encodeModel } from './model-codec.js';
import type { OnnxModel } from './onnx-model.js';
import { createRunner } from './session-runner.js';

const emitTraced = (network: NetworkDefinition, weights?: Map<string, Tensor>, options = {}) => {
  const graph = traceNetwork(network);
  return emitModel(graph, weights ?? initializeWeights(graph, 1), options);
};
const described = (model: OnnxModel) => model.graph.nodes.map((n) => `${n.opType} ${n.name}`);

describe('node names', () => {
  test('an op on the graph input belongs to no module; an op after a module belongs to it', () => {
    const network: NetworkDefinition = {
      name: 'names',
      defaultInputShape: [1, 2, 4, 4],
      forward: (scope, x) => scope.ops.relu(scope.child('head').conv2d('conv', scope.ops.relu(x), { outChannels: 2, kernel: 1 })),
    };
    expect(described(emitTraced(network))).toEqual(['Relu /Relu', 'Conv /head/conv/Conv', 'Relu /head/Relu']);
  });

  test("MobileNetV2's Adds are named as torch.onnx.export names them, features.10 included; a ReLU6 is inside the conv's container", () => {
    const dir = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx', import.meta.url));
    const torch = decodeModel(new Uint8Array(readFileSync(`${dir}/mobilenet_v2_w025.onnx`)));
    const names = (model: OnnxModel, op: string) => model.graph.nodes.filter((n) => n.opType === op).map((n) => n.name);
    const network = createBackbone('mobilenet_v2', { widthMultiplier: 0.25, numClasses: 10 });
    const ours = emitNetwork(network, initializeWeights(traceNetwork(network), 1));
    expect(names(ours, 'Add')).toEqual(names(torch, 'Add'));
    expect(names(ours, 'Add')).toContain('/features/features.10/Add');
    // A ReLU6 belongs to the container of the conv before it (features.1.conv.0.0 -> features.1.conv.0), deeper than the block.
    expect(names(ours, 'Clip').slice(0, 3)).toEqual(['/features/features.0/Clip', '/features/features.1/conv/conv.0/Clip', '/features/features.2/conv/conv.0/Clip']);
  });
});

describe('BatchNorm folding', () => {
  test('a conv with a bias: b is folded too. x = [1, 2], w = 2, b = 1, BN mean 1, var 4: ((2x + 1) - 1) / 2 = x', async () => {
    const network: NetworkDefinition = {
      name: 'fold',
      defaultInputShape: [1, 1, 1, 2],
      forward: (scope, x) => scope.batchNorm('bn', scope.conv2d('conv', x, { outChannels: 1, kernel: 1, bias: true })),
    };
    const one = (v: number): Tensor => ({ shape: [1], data: Float32Array.of(v) });
    const weights = new Map<string, Tensor>([
      ['conv.weight', { shape: [1, 1, 1, 1], data: Float32Array.of(2) }],
      ['conv.bias', one(1)],
      ['bn.weight', one(1)],
      ['bn.bias', one(0)],
      ['bn.running_mean', one(1)],
      ['bn.running_var', one(4)],
    ]);
    const model = emitTraced(network, weights);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Conv']);
    const runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
    const session = await runner.load(encodeModel(model));
    const { output } = await session.run({ input: { dims: [1, 1, 1, 2], data: Float32Array.of(1, 2) } });
    await session.dispose();
    // eps = 1e-5 makes the scale 1 / sqrt(4.00001): x to 5 decimals.
    expect(output.data[0]).toBeCloseTo(1, 5);
    expect(output.data[1]).toBeCloseTo(2, 5);
  });

  test('not folded: a conv read by more than its BatchNorm, a BatchNorm after a ReLU, the BatchNorms inside an inlined attention module', () => {
    const twoReaders: NetworkDefinition = {
      name: 'two-readers',
      defaultInputShape: [1, 2, 4, 4],
      forward: (scope, x) => {
        const conv = scope.conv2d('conv', x, { outChannels: 2, kernel: 1 });
        return scope.ops.add(scope.batchNorm('bn', conv), conv);
      },
    };
    expect(emitTraced(twoReaders).graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization', 'Add']);
    const afterRelu: NetworkDefinition = {
      name: 'after-relu',
      defaultInputShape: [1, 2, 4, 4],
      forward: (scope, x) => scope.batchNorm('bn', scope.ops.relu(scope.conv2d('conv', x, { outChannels: 2, kernel: 1 }))),
    };
    expect(emitTraced(afterRelu).graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'BatchNormalization']);
    // Coordinate attention calls conv1 -> bn1 twice; inlined, both pairs keep the module's PyTorch parameters.
    const inlined = emitTraced(attentionNetwork('coordatt', 8, [1, 8, 4, 4]), undefined, { inlineFunctions: true });
    expect(inlined.graph.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(2);
    expect(inlined.graph.initializers.filter((t) => t.name.includes('folded'))).toEqual([]);
  });
});
