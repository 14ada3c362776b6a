import { AttnkitError, ErrorCodes, randomTensor, relativeL2, type Tensor, traceNetwork } from '@attnkit/core';
import '@attnkit/eca';
import '@attnkit/se';
import { createBackbone } from '@attnkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AttentionLayer, getCanonicalWeights } from './attention-layer.js';
import { useBackend } from './backends.js';
import { insertAttention } from './insert-attention.js';
import { toLayersModel } from './layers-model.js';
import { nchwToNhwc, testWeights } from './test-networks.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** A user's Keras-style sequential CNN. */
function userSequential(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c2' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 4, name: 'fc' }),
    ],
  });
}

/**
 * A hand-built two-block ResNet: block 1 has an identity shortcut (the stem output fans out to
 * the branch and the Add), block 2 a stride-2 downsample written FIRST in its Add, so the
 * residual preset cannot rely on input order.
 */
function userResNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [12, 12, 3], name: 'image' });
  const conv = (name: string, filters: number, strides = 1, kernelSize = 3) =>
    tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name });
  const bn = (name: string) => tfl.layers.batchNormalization({ name });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
  const stem = apply(tfl.layers.reLU({ name: 'stem.relu' }), apply(bn('stem.bn'), apply(conv('stem', 8), input)));
  let x = apply(tfl.layers.reLU({ name: 'b1.relu1' }), apply(bn('b1.bn1'), apply(conv('b1.conv1', 8), stem)));
  x = apply(bn('b1.bn2'), apply(conv('b1.conv2', 8), x));
  const b1 = apply(tfl.layers.reLU({ name: 'b1.out' }), apply(tfl.layers.add({ name: 'b1.add' }), [x, stem]));
  let y = apply(tfl.layers.reLU({ name: 'b2.relu1' }), apply(bn('b2.bn1'), apply(conv('b2.conv1', 16, 2), b1)));
  y = apply(bn('b2.bn2'), apply(conv('b2.conv2', 16), y));
  const shortcut = apply(bn('b2.down.bn'), apply(conv('b2.down', 16, 2, 1), b1));
  const b2 = apply(tfl.layers.reLU({ name: 'b2.out' }), apply(tfl.layers.add({ name: 'b2.add' }), [shortcut, y]));
  const logits = apply(tfl.layers.dense({ units: 5, name: 'fc' }), apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), b2));
  return tfl.model({ inputs: input, outputs: logits, name: 'user_resnet' });
}

function weightsOf(model: tfl.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

function expectWeightsKept(original: tfl.LayersModel, rebuilt: tfl.LayersModel): void {
  const after = weightsOf(rebuilt);
  for (const [name, values] of weightsOf(original)) expect(after.get(name), name).toEqual(values);
}

const inbound = (model: tfl.LayersModel, name: string): string[] =>
  (model.getLayer(name).inboundNodes[0] as unknown as { inboundLayers: tfl.layers.Layer[] }).inboundLayers.map((l) => l.name);

describe('insertAttention', () => {
  it('inserts after named layers of a sequential model, keeping every weight and the original', () => {
    const model = userSequential();
    const x = tf.randomUniform([2, 12, 12, 3], -1, 1, 'float32', 3);
    const before = (model.predict(x) as tf.Tensor).arraySync();
    const { model: attended, report } = insertAttention(model, { attention: 'eca', after: ['c1', 'c2'] });
    // ECA k by Eq. 12: C = 8 -> floor((3 + 1) / 2) = 2 -> 3; C = 16 -> floor((4 + 1) / 2) = 2 -> 3.
    expect(report).toEqual([
      { layer: 'c1', name: 'c1.eca', channels: 8, kernelSize: 3, parameters: 3 },
      { layer: 'c2', name: 'c2.eca', channels: 16, kernelSize: 3, parameters: 3 },
    ]);
    expect(attended.layers.slice(1).map((l) => l.name)).toEqual(['c1', 'c1.eca', 'c2', 'c2.eca', 'gap', 'fc']);
    expect(inbound(attended, 'c2')).toEqual(['c1.eca']);
    expectWeightsKept(model, attended);
    // The original model is untouched: same layers, same outputs.
    expect(model.layers.map((l) => l.name)).toEqual(['c1', 'c2', 'gap', 'fc']);
    expect((model.predict(x) as tf.Tensor).arraySync()).toEqual(before);
    // c1.eca computes the module on c1's output: x * sigmoid(conv1d(GAP(x))).
    const c1 = tfl.model({ inputs: attended.inputs, outputs: attended.getLayer('c1').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor4D;
    const gated = tfl.model({ inputs: attended.inputs, outputs: attended.getLayer('c1.eca').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
    const expected = (attended.getLayer('c1.eca') as AttentionLayer).apply(c1) as tf.Tensor;
    expect(relativeL2(gated.dataSync(), expected.dataSync())).toBeLessThan(1e-7);
  });

  it("'residual' puts the module on the main branch of each Add, not on the shortcut", () => {
    const model = userResNet();
    const { model: attended, report } = insertAttention(model, { attention: 'se', after: 'residual' });
    expect(report.map(({ layer, before, channels }) => ({ layer, before, channels }))).toEqual([
      { layer: 'b1.bn2', before: 'b1.add', channels: 8 },
      { layer: 'b2.bn2', before: 'b2.add', channels: 16 },
    ]);
    expect(inbound(attended, 'b1.add')).toEqual(['b1.bn2.se', 'stem.relu']);
    expect(inbound(attended, 'b2.add')).toEqual(['b2.down.bn', 'b2.bn2.se']);
    // The stem output still fans out to both the branch and the identity shortcut.
    expect(inbound(attended, 'b1.conv1')).toEqual(['stem.relu']);
    expectWeightsKept(model, attended);
    expect(model.layers).toHaveLength(22);
  });

  it('inserts after a layer with several consumers (every consumer sees the module)', () => {
    const model = userResNet();
    const { model: attended, report } = insertAttention(model, { attention: 'eca', after: (layer) => layer.name === 'stem.relu' });
    expect(report).toHaveLength(1);
    expect(inbound(attended, 'b1.conv1')).toEqual(['stem.relu.eca']);
    expect(inbound(attended, 'b1.add')).toEqual(['b1.bn2', 'stem.relu.eca']);
    const x = tf.ones([1, 12, 12, 3]);
    expect((attended.predict(x) as tf.Tensor).shape).toEqual([1, 5]);
  });

  it('refuses unknown names with the nearest ones and non-4-D outputs, building nothing', () => {
    const model = userResNet();
    let error: unknown;
    try {
      insertAttention(model, { attention: 'eca', after: ['b1.conv3'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(ErrorCodes.UNKNOWN_INSERTION_POINT);
    expect((error as AttnkitError).details.nearest).toContain('b1.conv1');
    expect((error as AttnkitError).message).toContain('b1.conv1');
    expect(() => insertAttention(model, { attention: 'eca', after: ['fc'] })).toThrowError(
      expect.objectContaining({ code: ErrorCodes.INVALID_INSERTION_POINT }),
    );
    // @ts-expect-error 'nope' is not in the typed registry; at run time it is refused too.
    expect(() => insertAttention(model, { attention: 'nope', after: ['stem'] })).toThrowError(expect.objectContaining({ code: ErrorCodes.UNKNOWN_MODULE }));
    expect(model.layers).toHaveLength(22);
  });

  it('turns a plain zoo ResNet-18 into the zoo ResNet-18 + ECA (same function, same report)', async () => {
    const plainGraph = traceNetwork(createBackbone('resnet18', { width: 8, numClasses: 10 }), [1, 3, 32, 32]);
    const plainWeights = testWeights(plainGraph, 2);
    const plain = toLayersModel(plainGraph, plainWeights);
    const { model: attended, report } = insertAttention(plain, { attention: { type: 'eca', kernelSize: 3 }, after: 'residual', seed: 5 });
    const ecaNetwork = createBackbone('resnet18', { width: 8, numClasses: 10, attention: { type: 'eca', kernelSize: 3 } });
    const ecaGraph = traceNetwork(ecaNetwork, [1, 3, 32, 32]);
    expect(report.map((r) => r.layer)).toEqual(ecaGraph.attention.map((call) => `${call.path}.bn2`));
    expect(report.map((r) => r.channels)).toEqual(ecaGraph.attention.map((call) => call.channels));
    // The zoo model with the plain weights plus the inserted modules' weights computes the same.
    const weights = new Map<string, Tensor>(plainWeights);
    for (const entry of report) {
      const path = entry.layer.replace(/\.bn2$/, '.eca');
      for (const [name, value] of getCanonicalWeights(attended.getLayer(entry.name) as AttentionLayer)) weights.set(`${path}.${name}`, value);
    }
    const zoo = toLayersModel(ecaGraph, weights);
    const x = nchwToNhwc(randomTensor([1, 3, 32, 32], 9));
    const a = attended.predict(x) as tf.Tensor;
    const b = zoo.predict(x) as tf.Tensor;
    expect(relativeL2(await a.data(), await b.data())).toBeLessThan(1e-6);
  });

  it('inserts into a model that already has attention layers (cloned with their weights)', async () => {
    const graph = traceNetwork(createBackbone('resnet18', { width: 8, numClasses: 10, attention: 'eca' }), [1, 3, 32, 32]);
    const model = toLayersModel(graph, testWeights(graph, 4));
    // PyTorch's block calls its one `relu` twice; the LayersModel has a layer per call (`_1`: the block output).
    const { model: attended, report } = insertAttention(model, { attention: 'se', after: ['layer1.0.conv1', 'layer3.1.relu_1'] });
    expect(report.map((r) => [r.layer, r.channels])).toEqual([
      ['layer1.0.conv1', 8],
      ['layer3.1.relu_1', 32],
    ]);
    expect(inbound(attended, 'layer4.0.conv1.pad')).toEqual(['layer3.1.relu_1.se']);
    expect(inbound(attended, 'layer4.0.downsample.0')).toEqual(['layer3.1.relu_1.se']);
    expectWeightsKept(model, attended);
    expect(attended.getLayer('layer1.0.eca').getClassName()).toBe('attnkit>Attention');
    const x = nchwToNhwc(randomTensor([1, 3, 32, 32], 5));
    expect((attended.predict(x) as tf.Tensor).shape).toEqual([1, 10]);
  });
});
