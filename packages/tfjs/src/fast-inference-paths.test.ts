import { type AttentionOptions, defineAttention, ErrorCodes, randomTensor, registerAttention, relativeL2 } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttentionLayer, setCanonicalWeights } from './attention-layer.js';
import { useBackend } from './backends.js';
import { compileInference } from './fast-inference.js';

/**
 * Each path of compileInference on small hand-built networks: what it folds, fuses and absorbs
 * (exact step and layer counts, derived in the comments) and what it must leave to the layer
 * (asymmetric padding, a ZeroPadding2D read twice, a BatchNorm over another axis, ReLU with
 * max 3, sigmoid, Dense on 3-D input), each computing what model.predict computes.
 */

/** A 3x5 conv gate with padding [1, 2] (different per axis), BatchNorm and sigmoid: fused as one conv. */
const wideGate = defineAttention({
  id: 'test-wide-gate',
  package: '@attnkit/tfjs-test',
  description: 'sigmoid(BN(conv3x5(x))) spatial gate (tests only)',
  attributeName: 'gate',
  options: {},
  configure: () => ({}),
  parameters: (channels) => [
    { name: 'conv.weight', shape: [1, channels, 3, 5], layout: 'conv2d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: 15 * channels } },
    { name: 'bn.weight', shape: [1], layout: 'vector', trainable: true, init: { kind: 'constant', value: 1 } },
    { name: 'bn.bias', shape: [1], layout: 'vector', trainable: true, init: { kind: 'constant', value: 0 } },
    { name: 'bn.running_mean', shape: [1], layout: 'vector', trainable: false, init: { kind: 'constant', value: 0 } },
    { name: 'bn.running_var', shape: [1], layout: 'vector', trainable: false, init: { kind: 'constant', value: 1 } },
  ],
  forward: (ops, x, p) => {
    const conv = ops.conv2d(x, p['conv.weight'], undefined, { stride: [1, 1], padding: [1, 2], dilation: [1, 1], groups: 1 });
    const bn = ops.batchNorm(conv, { weight: p['bn.weight'], bias: p['bn.bias'], runningMean: p['bn.running_mean'], runningVar: p['bn.running_var'] }, { eps: 1e-5, momentum: 0.1 });
    return ops.mul(x, ops.sigmoid(bn));
  },
});

/** A depthwise conv (groups = C, no fused kernel) whose output is read by its sigmoid and by an add. */
const sharedGate = defineAttention({
  id: 'test-shared-gate',
  package: '@attnkit/tfjs-test',
  description: 'x * sigmoid(z) + z with z a depthwise 3x3 conv (tests only)',
  attributeName: 'gate',
  options: {},
  configure: (channels) => ({ channels }),
  parameters: (channels) => [{ name: 'conv.weight', shape: [channels, 1, 3, 3], layout: 'conv2d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: 9 } }],
  forward: (ops, x, p, config) => {
    const z = ops.conv2d(x, p['conv.weight'], undefined, { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: config.channels });
    return ops.add(ops.mul(x, ops.sigmoid(z)), z);
  },
});
declare module '@attnkit/core' {
  interface AttentionTypes {
    'test-wide-gate': AttentionOptions<typeof wideGate>;
    'test-shared-gate': AttentionOptions<typeof sharedGate>;
  }
}
registerAttention(wideGate);
registerAttention(sharedGate);

/** Random BatchNorm statistics (variance in [0.5, 2]) so that folding them is visible. */
function randomizeBatchNorms(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const variances = layer.getWeights().length - 1;
    layer.setWeights(layer.getWeights().map((w, i) => (i === variances ? tf.randomUniform(w.shape, 0.5, 2, 'float32', i) : tf.randomUniform(w.shape, -0.5, 1.5, 'float32', 10 + i))));
  }
}

async function expectSameAsPredict(model: tfl.LayersModel, infer: (x: tf.Tensor4D) => tf.Tensor, shape: [number, number, number, number]): Promise<void> {
  const x = tf.randomUniform(shape, -1, 1, 'float32', 3) as tf.Tensor4D;
  const expected = model.predict(x) as tf.Tensor;
  const actual = infer(x);
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeL2(await actual.data(), await expected.data())).toBeLessThan(1e-5);
  tf.dispose([x, expected, actual]);
}

describe('compileInference paths', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('fuses padding, BatchNorm and activations where it can, and runs the rest as layers', async () => {
    const input = tfl.input({ shape: [8, 8, 4] });
    const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
    // Step 1: symmetric ZeroPadding2D + conv (bias) + BN + ReLU, one fused conv.
    let x = apply(tfl.layers.zeroPadding2d({ padding: 1 }), input);
    x = apply(tfl.layers.conv2d({ filters: 6, kernelSize: 3, useBias: true }), x);
    x = apply(tfl.layers.batchNormalization({}), x);
    x = apply(tfl.layers.reLU({}), x);
    // Step 2: a conv with its own ReLU, dilation 2, no bias.
    x = apply(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu', useBias: false }), x);
    // Step 3: depthwise (multiplier 2) + BN without gamma and beta + Activation('relu6').
    x = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false }), x);
    x = apply(tfl.layers.batchNormalization({ center: false, scale: false }), x);
    x = apply(tfl.layers.activation({ activation: 'relu6' }), x);
    // Steps 4-6: asymmetric padding stays a layer; stride-2 conv + BN (no gamma) fold; ReLU(max 3) stays a layer.
    x = apply(tfl.layers.zeroPadding2d({ padding: [[1, 2], [1, 2]] }), x);
    x = apply(tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, useBias: false }), x);
    x = apply(tfl.layers.batchNormalization({ scale: false }), x);
    const trunk = apply(tfl.layers.reLU({ maxValue: 3 }), x);
    // Steps 7-8: a conv whose sigmoid cannot fuse; step 9: a conv absorbing Activation('linear').
    const sigmoid = apply(tfl.layers.activation({ activation: 'sigmoid' }), apply(tfl.layers.conv2d({ filters: 4, kernelSize: 1 }), trunk));
    const linear = apply(tfl.layers.activation({ activation: 'linear' }), apply(tfl.layers.conv2d({ filters: 4, kernelSize: 1 }), trunk));
    // Steps 10-12: a three-input Add, a 'same' max pool with stride 1, global average pooling.
    x = apply(tfl.layers.add({}), [trunk, sigmoid, linear]);
    x = apply(tfl.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }), x);
    x = apply(tfl.layers.globalAveragePooling2d({}), x);
    // Step 13: Dense with its own ReLU; step 14: Dense (no bias) absorbing Activation('relu6').
    x = apply(tfl.layers.dense({ units: 5, activation: 'relu' }), x);
    x = apply(tfl.layers.activation({ activation: 'relu6' }), apply(tfl.layers.dense({ units: 3, useBias: false }), x));
    const model = tfl.model({ inputs: input, outputs: x });
    randomizeBatchNorms(model);

    const infer = compileInference(model);
    // 22 layers besides the input; 3 BatchNorms folded; ReLU, relu (own), relu6 on convs and relu, relu6 on Dense.
    expect(infer.summary).toEqual({ steps: 14, layers: 22, foldedBatchNorms: 3, fusedActivations: 5, attention: [] });
    expect(infer.warnings).toEqual([]);
    await expectSameAsPredict(model, infer, [2, 8, 8, 4]);
    infer.dispose();
    model.dispose();
  });

  it('leaves a ZeroPadding2D read twice, one before a same-padded conv, a BatchNorm over axis 1 and a Dense on 3-D input to their layers', async () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const padded = tfl.layers.zeroPadding2d({ padding: 1 }).apply(input) as tfl.SymbolicTensor;
    const left = tfl.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(padded) as tfl.SymbolicTensor;
    const right = tfl.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(padded) as tfl.SymbolicTensor;
    let x = tfl.layers.add({}).apply([left, right]) as tfl.SymbolicTensor;
    x = tfl.layers.zeroPadding2d({ padding: 1 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ axis: 1 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reshape({ targetShape: [64, 4] }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ units: 2, activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: x });
    randomizeBatchNorms(model);

    const infer = compileInference(model);
    // Nothing absorbed: each of the 9 layers is one step; the Dense's ReLU applies to 3-D output, unfused.
    expect(infer.summary).toEqual({ steps: 9, layers: 9, foldedBatchNorms: 0, fusedActivations: 0, attention: [] });
    await expectSameAsPredict(model, infer, [2, 6, 6, 3]);
    infer.dispose();
    model.dispose();
  });

  it('keeps a padding with different top and left amounts a layer, and runs channels-first layers as layers', async () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    let x = tfl.layers.zeroPadding2d({ padding: [[1, 1], [2, 2]] }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.permute({ dims: [3, 1, 2] }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.conv2d({ filters: 4, kernelSize: 1, dataFormat: 'channelsFirst', activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: x });
    const infer = compileInference(model);
    // Nothing absorbed or fused: padding [[1, 1], [2, 2]] is not one number; channels-first convs and pools run as layers.
    expect(infer.summary).toEqual({ steps: 6, layers: 6, foldedBatchNorms: 0, fusedActivations: 0, attention: [] });
    await expectSameAsPredict(model, infer, [2, 6, 6, 3]);
    infer.dispose();
    model.dispose();
  });

  it('does not absorb a BatchNorm after a conv that is the model output or has its own activation', async () => {
    const input = tfl.input({ shape: [5, 5, 2] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const output = tfl.layers.batchNormalization({}).apply(conv) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    randomizeBatchNorms(model);
    const infer = compileInference(model);
    expect(infer.summary).toEqual({ steps: 2, layers: 2, foldedBatchNorms: 0, fusedActivations: 1, attention: [] });
    await expectSameAsPredict(model, infer, [1, 5, 5, 2]);
    infer.dispose();
    model.dispose();
  });

  it('fuses a conv gate with different paddings per axis, and names a sigmoid whose producer has other readers', async () => {
    const input = tfl.input({ shape: [6, 7, 8] });
    const wide = new AttentionLayer({ attention: 'test-wide-gate', name: 'wide' });
    const shared = new AttentionLayer({ attention: 'test-shared-gate', name: 'shared' });
    const model = tfl.model({ inputs: input, outputs: shared.apply(wide.apply(input)) as tfl.SymbolicTensor });
    setCanonicalWeights(
      wide,
      new Map([
        ['conv.weight', randomTensor([1, 8, 3, 5], 2)],
        ['bn.weight', { shape: [1], data: Float32Array.of(0.7) }],
        ['bn.bias', { shape: [1], data: Float32Array.of(-0.2) }],
        ['bn.running_mean', { shape: [1], data: Float32Array.of(0.3) }],
        ['bn.running_var', { shape: [1], data: Float32Array.of(2.5) }],
      ]),
    );
    const infer = compileInference(model);
    expect(infer.summary.attention).toEqual([
      { layer: 'wide', module: 'test-wide-gate', nodes: 4, fused: ['conv2d+batchNorm+sigmoid'], notFused: [] },
      { layer: 'shared', module: 'test-shared-gate', nodes: 4, fused: [], notFused: ['sigmoid after conv2d: no fused kernel for it (its producer has other readers)'] },
    ]);
    expect(infer.warnings).toEqual(["test-shared-gate 'shared' runs unfused: sigmoid after conv2d: no fused kernel for it (its producer has other readers)"]);
    await expectSameAsPredict(model, infer, [2, 6, 7, 8]);
    infer.dispose();
    model.dispose();
  });

  it('throws UNSUPPORTED for a model with two outputs and for a disposed inference function', () => {
    const input = tfl.input({ shape: [4, 4, 2] });
    const a = tfl.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const twoOutputs = tfl.model({ inputs: input, outputs: [a, b], name: 'two_outputs' });
    expect(() => compileInference(twoOutputs)).toThrowError(
      expect.objectContaining({ code: ErrorCodes.UNSUPPORTED, message: "compileInference needs a model with one input and one output; 'two_outputs' has 1 and 2", details: { inputs: 1, outputs: 2 } }),
    );
    const single = tfl.model({ inputs: input, outputs: a });
    const infer = compileInference(single);
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    infer(x).dispose();
    infer.dispose();
    expect(() => infer(x)).toThrowError(expect.objectContaining({ code: ErrorCodes.UNSUPPORTED }));
    x.dispose();
    twoOutputs.dispose();
  });
});
