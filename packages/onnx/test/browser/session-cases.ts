/**
 * The cases shared by the browser page and the Node test: the same seeds give the same weights
 * and inputs on both sides, so Node's reference interpreter is the ground truth for what
 * onnxruntime-web computes in Chromium.
 *
 * `emitEcaModel()` / `emitZooModel()`: the same ECA module, and ResNet-18 (width 8) + ECA, as the
 * package's emitter writes them (one `ai.attnkit` function call per module, BatchNorm folded).
 *
 * `buildHandBuiltEcaModel()` writes ECA by hand with the onnx package's builders (NCHW):
 *   x [N, C, H, W] -> GlobalAveragePool [N, C, 1, 1] -> Reshape [N, 1, C]
 *   -> Conv1d (weight [1, 1, k], pads (k-1)/2, no bias) -> Sigmoid -> Reshape [N, C, 1, 1] -> Mul x
 */
import '@attnkit/eca';
import { type Graph, type NetworkDefinition, type Tensor, attentionNetwork, createRandom, initializeWeights, randomTensor, runReference, traceNetwork } from '@attnkit/core';
import { createBackbone } from '@attnkit/zoo';
import { emitNetwork } from '../../src/emit-model.js';
import { encodeModel } from '../../src/model-codec.js';
import { attr, createGraph, createModel, createNode, valueInfo } from '../../src/model-builders.js';
import { tensorFromFloat32, tensorFromInt64 } from '../../src/tensor-data.js';

/** C = 256 takes k = 5 from paper Eq. 12 (log2 256 = 8, (8 + 1) / 2 = 4.5 -> 4 -> next odd 5). */
export const ecaCase = { channels: 256, inputShape: [2, 256, 7, 5], weightSeed: 11, inputSeed: 12 } as const;

export function ecaNetwork() {
  return attentionNetwork('eca', ecaCase.channels, ecaCase.inputShape);
}

export function ecaWeights(): Map<string, Tensor> {
  return initializeWeights(traceNetwork(ecaNetwork()), ecaCase.weightSeed);
}

export function ecaInput(): Tensor {
  return randomTensor(ecaCase.inputShape, ecaCase.inputSeed);
}

/** The ground truth, on core's reference interpreter. */
export function ecaReference(): Tensor {
  return runReference(ecaNetwork(), ecaWeights(), ecaInput())[0];
}

export function buildHandBuiltEcaModel(): { bytes: Uint8Array; kernelSize: number } {
  const weight = ecaWeights().get('eca.conv.weight');
  if (weight === undefined) throw new Error("the ECA network declares no 'eca.conv.weight'");
  const kernelSize = weight.shape[2];
  const half = (kernelSize - 1) / 2;
  const [n, c, h, w] = ecaCase.inputShape;
  const model = createModel({
    producerName: 'attnkit-browser-test',
    graph: createGraph({
      name: 'eca_hand_built',
      inputs: [valueInfo('x', [n, c, h, w])],
      outputs: [valueInfo('y', [n, c, h, w])],
      initializers: [
        tensorFromFloat32('eca.conv.weight', weight.shape, weight.data),
        tensorFromInt64('row_shape', [3], [n, 1, c]),
        tensorFromInt64('gate_shape', [4], [n, c, 1, 1]),
      ],
      nodes: [
        createNode('GlobalAveragePool', ['x'], ['pooled']),
        createNode('Reshape', ['pooled', 'row_shape'], ['row']),
        createNode('Conv', ['row', 'eca.conv.weight'], ['mixed'], {
          attributes: [attr.ints('kernel_shape', [kernelSize]), attr.ints('pads', [half, half])],
        }),
        createNode('Sigmoid', ['mixed'], ['gate_row']),
        createNode('Reshape', ['gate_row', 'gate_shape'], ['gate']),
        createNode('Mul', ['x', 'gate'], ['y']),
      ],
    }),
  });
  return { bytes: encodeModel(model), kernelSize };
}

/** A position-weighted byte sum: equal bytes on both sides of the page boundary, cheaply. */
export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i] * ((i % 251) + 1)) % 1_000_000_007;
  return sum;
}

export function emitEcaModel(): Uint8Array {
  return encodeModel(emitNetwork(ecaNetwork(), ecaWeights(), { weightSource: `seed ${ecaCase.weightSeed}` }));
}

/** ResNet-18 at width 8 (stages 8, 16, 32, 64) with ECA (adaptive k: 3 at every block) and 10 classes. */
export const zooCase = { inputShape: [1, 3, 32, 32], weightSeed: 31, inputSeed: 32 } as const;

export function zooNetwork(): NetworkDefinition {
  return createBackbone('resnet18', { width: 8, numClasses: 10, attention: 'eca' });
}

/**
 * core's seeded init with every BatchNorm vector redrawn (weight U(0.5, 1.5), bias and running
 * mean U(-0.5, 0.5), running variance U(0.5, 2)), so that BatchNorm folding is exercised.
 */
export function zooWeights(): Map<string, Tensor> {
  const graph: Graph = traceNetwork(zooNetwork(), zooCase.inputShape);
  const weights = initializeWeights(graph, zooCase.weightSeed);
  for (const p of graph.params) {
    if (!graph.nodes.some((node) => node.op === 'batchNorm' && node.inputs.includes(p.value))) continue;
    const [low, high] = p.name.endsWith('running_var') ? [0.5, 2] : p.name.endsWith('.weight') ? [0.5, 1.5] : [-0.5, 0.5];
    const random = createRandom(zooCase.weightSeed, `bn:${p.name}`);
    weights.set(p.name, { shape: [...p.spec.shape], data: Float32Array.from({ length: p.spec.shape[0] }, () => low + (high - low) * random.uniform()) });
  }
  return weights;
}

export function zooInput(): Tensor {
  return randomTensor(zooCase.inputShape, zooCase.inputSeed);
}

/** The ground truth, on core's reference interpreter: logits [1, 10]. */
export function zooReference(): Tensor {
  return runReference(zooNetwork(), zooWeights(), zooInput())[0];
}

export function emitZooModel(): Uint8Array {
  return encodeModel(emitNetwork(zooNetwork(), zooWeights(), { inputShape: zooCase.inputShape, weightSource: `seed ${zooCase.weightSeed}` }));
}
