import { type AttentionOptions, type AttentionSpec, defineAttention, listAttention, randomTensor, registerAttention, relativeL2, traceNetwork } from '@attnkit/core';
import '../test/all-modules.js';
import { createBackbone } from '@attnkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';
import { compileInference } from './fast-inference.js';
import { insertAttention } from './insert-attention.js';
import { toLayersModel } from './layers-model.js';
import { nchwToNhwc, testWeights } from './test-networks.js';

const zooCases = [
  { name: 'resnet18 width 8 + eca', backbone: 'resnet18', options: { width: 8, numClasses: 10, attention: 'eca' } },
  { name: 'resnet50 width 8 + se', backbone: 'resnet50', options: { width: 8, numClasses: 10, attention: 'se' } },
  { name: 'resnet18 width 8 + cbam', backbone: 'resnet18', options: { width: 8, numClasses: 10, attention: { type: 'cbam', reductionRatio: 4 } } },
  { name: 'mobilenet_v2 0.25 + eca', backbone: 'mobilenet_v2', options: { widthMultiplier: 0.25, numClasses: 10, attention: { type: 'eca', kernelSize: 3 } } },
  // The fused ECA / SE sequences with k = 1 and without biases; CECA through its definition.
  { name: 'mobilenet_v2 0.25 + eca k1', backbone: 'mobilenet_v2', options: { widthMultiplier: 0.25, numClasses: 10, attention: { type: 'eca', kernelSize: 1 } } },
  { name: 'resnet18 width 8 + se without bias', backbone: 'resnet18', options: { width: 8, numClasses: 10, attention: { type: 'se', reductionRatio: 4, bias: false } } },
  { name: 'resnet18 width 8 + ceca', backbone: 'resnet18', options: { width: 8, numClasses: 10, attention: 'ceca' } },
];

/**
 * A module no adapter has heard of: a 3x3 spatial gate, sigmoid(conv(x) + b) [N, 1, H, W] times
 * x. compileInference must fuse its sigmoid into the conv from the traced graph alone.
 */
const spatialGate = defineAttention({
  id: 'test-spatial-gate',
  package: '@attnkit/tfjs-test',
  description: 'sigmoid(conv3x3(x)) spatial gate (tests only)',
  attributeName: 'gate',
  options: {},
  configure: () => ({}),
  parameters: (channels) => [
    { name: 'conv.weight', shape: [1, channels, 3, 3], layout: 'conv2d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: 9 * channels } },
    { name: 'conv.bias', shape: [1], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 0.5 } },
  ],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.conv2d(x, p['conv.weight'], p['conv.bias'], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }))),
});
declare module '@attnkit/core' {
  interface AttentionTypes {
    'test-spatial-gate': AttentionOptions<typeof spatialGate>;
  }
}
registerAttention(spatialGate);

/** What compileInference fuses in each registered module, read from its traced graph. */
const expectedFusion: Record<string, { fused: string[]; notFused: string[] }> = {
  eca: { fused: ['channelConv1d+sigmoid'], notFused: [] },
  ceca: { fused: ['channelConv1d+sigmoid'], notFused: [] },
  // Per-channel kernels are k shifted slices: no fused kernel takes the sigmoid.
  'eca-ns': { fused: [], notFused: ['sigmoid after channelConv1d: no fused kernel for it'] },
  se: { fused: ['linear+relu', 'linear+sigmoid'], notFused: [] },
  'se-var1': { fused: [], notFused: ['sigmoid after globalAvgPool: no fused kernel for it'] },
  'se-var2': { fused: [], notFused: ['sigmoid after channelConv1d: no fused kernel for it'] },
  'se-var3': { fused: ['linear+sigmoid'], notFused: [] },
  // The shared MLP's ReLUs fuse; the channel gate's sigmoid reads an add; the spatial gate's
  // BatchNorm folds into its 7x7 conv, which takes the sigmoid.
  cbam: { fused: ['linear+relu', 'linear+relu', 'conv2d+batchNorm+sigmoid'], notFused: ['sigmoid after add: no fused kernel for it'] },
  'test-spatial-gate': { fused: ['conv2d+sigmoid'], notFused: [] },
};

function zooModel(backbone: string, options: object, size = 32): tfl.LayersModel {
  const graph = traceNetwork(createBackbone(backbone, options), [1, 3, size, size]);
  return toLayersModel(graph, testWeights(graph, 3));
}

describe.each(['cpu', 'wasm'] as const)('compileInference on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    expect(tf.getBackend()).toBe(backend);
  });

  const attentionModel = (id: string) => zooModel('resnet18', { width: 8, numClasses: 10, attention: { type: id, ...(id === 'cbam' || id === 'se' ? { reductionRatio: 4 } : {}) } as AttentionSpec });

  it.each(listAttention().map((d) => d.id))('%s in a ResNet-18 (width 8) equals model.predict to 1e-4 relative L2', async (id) => {
    const model = attentionModel(id);
    const infer = compileInference(model);
    const x = nchwToNhwc(randomTensor([2, 3, 32, 32], 4));
    const expected = model.predict(x) as tf.Tensor;
    const actual = infer(x);
    expect(relativeL2(await actual.data(), await expected.data())).toBeLessThan(1e-4);
    // 8 basic blocks, one module each, each compiled from its graph.
    expect(infer.summary.attention.map((r) => r.module)).toEqual(Array(8).fill(id));
    tf.dispose([x, expected, actual]);
    infer.dispose();
    model.dispose();
  });

  it.each(Object.entries(expectedFusion))('%s: reports what it fused and warns about what it could not', (id, expected) => {
    const model = attentionModel(id);
    const infer = compileInference(model);
    for (const report of infer.summary.attention) expect({ fused: report.fused, notFused: report.notFused }).toEqual(expected);
    expect(infer.warnings).toHaveLength(expected.notFused.length > 0 ? 8 : 0);
    if (expected.notFused.length > 0) expect(infer.warnings[0]).toBe(`${id} '${infer.summary.attention[0].layer}' runs unfused: ${expected.notFused.join('; ')}`);
    infer.dispose();
    model.dispose();
  });

  it.each(zooCases)('$name equals model.predict to 1e-4 relative L2', async ({ backbone, options }) => {
    const model = zooModel(backbone, options);
    const infer = compileInference(model);
    const x = nchwToNhwc(randomTensor([2, 3, 32, 32], 4));
    const expected = model.predict(x) as tf.Tensor;
    const actual = infer(x);
    expect(actual.shape).toEqual(expected.shape);
    expect(relativeL2(await actual.data(), await expected.data())).toBeLessThan(1e-4);
    tf.dispose([x, expected, actual]);
    infer.dispose();
    model.dispose();
  });
});

describe('compileInference', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('folds every BatchNorm and fuses every ReLU of a zoo ResNet-18', () => {
    const model = zooModel('resnet18', { width: 8, numClasses: 10, attention: 'eca' });
    const infer = compileInference(model);
    // ResNet-18: 20 convs (17 + 3 downsample), each followed by a BN; the ReLU follows the BN
    // on 9 of them (stem + the first conv of 8 blocks): the others feed an Add. The stem's
    // explicit ZeroPadding2D and each stride-2 conv's become conv padding.
    expect(infer.summary.foldedBatchNorms).toBe(20);
    expect(infer.summary.fusedActivations).toBe(9);
    infer.dispose();
    model.dispose();
  });

  it('works on a user model with conv activations, padding layers and a Dense + ReLU head', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.zeroPadding2d({ inputShape: [10, 10, 3], padding: 2 }),
        tfl.layers.conv2d({ filters: 6, kernelSize: 5, strides: 2, activation: 'relu' }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: true }),
        tfl.layers.batchNormalization({ epsilon: 1e-3 }),
        tfl.layers.reLU({ maxValue: 6 }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 7 }),
        tfl.layers.activation({ activation: 'relu' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const bn = model.layers[3];
    bn.setWeights(bn.getWeights().map((w, i) => tf.randomUniform(w.shape, i === 3 ? 0.5 : -0.5, i === 3 ? 2 : 0.5)));
    const { model: attended } = insertAttention(model, { attention: 'eca', after: (l) => l.getClassName() === 'DepthwiseConv2D' });
    for (const m of [model, attended]) {
      const infer = compileInference(m);
      const x = tf.randomUniform([2, 10, 10, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
      const expected = m.predict(x) as tf.Tensor;
      const actual = infer(x);
      expect(relativeL2(await actual.data(), await expected.data())).toBeLessThan(1e-5);
      expect(infer.summary.foldedBatchNorms).toBe(m === model ? 1 : 0);
      tf.dispose([x, expected, actual]);
      infer.dispose();
    }
  });

  it('frees each intermediate after its last reader: a chain of 6 convs holds at most 2 outputs at a time', async () => {
    const model = tfl.sequential({
      layers: Array.from({ length: 6 }, (_, i) => tfl.layers.conv2d({ ...(i === 0 ? { inputShape: [16, 16, 8] } : {}), filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' })),
    });
    const infer = compileInference(model);
    const x = tf.randomUniform([1, 16, 16, 8]) as tf.Tensor4D;
    const peakAbove = async (run: () => tf.Tensor) => {
      const base = tf.memory().numBytes;
      const profile = await tf.profile(() => run());
      return Math.max(...profile.kernels.map((k) => k.totalBytesSnapshot)) - base;
    };
    const output = 16 * 16 * 8 * 4;
    // Held to the end of the call, the six outputs would peak at 6 * 8192 bytes.
    expect(await peakAbove(() => infer(x))).toBe(2 * output);
    expect(await peakAbove(() => model.predict(x) as tf.Tensor)).toBeGreaterThanOrEqual(2 * output);
    tf.dispose(x);
    infer.dispose();
    model.dispose();
  });

  it('leaves no tensor behind after 100 calls and after dispose (resnet18 width 8, 32x32, eca)', () => {
    const start = tf.memory().numTensors;
    const model = zooModel('resnet18', { width: 8, numClasses: 10, attention: 'eca' });
    const withModel = tf.memory().numTensors;
    const infer = compileInference(model);
    const compiled = tf.memory().numTensors;
    const x = tf.randomUniform([1, 32, 32, 3]) as tf.Tensor4D;
    for (let i = 0; i < 100; i++) infer(x).dispose();
    expect(tf.memory().numTensors).toBe(compiled + 1);
    x.dispose();
    infer.dispose();
    expect(tf.memory().numTensors).toBe(withModel);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
