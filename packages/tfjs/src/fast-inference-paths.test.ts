import { type AttentionOptions, defineAttention, ErrorCodes, randomTensor, registerAttention, relativeL2 } from '@attnkit/core';
import '@attnkit/eca';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
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
/** A lone 1x1 conv, a 1x1 conv + BatchNorm with no activation, and a sigmoid and a ReLU of the input itself. */
const plainGates = defineAttention({
  id: 'test-plain-gates',
  package: '@attnkit/tfjs-test',
  description: 'conv(x) * sigmoid(x) + BN(conv(x)) * relu(x) (tests only)',
  attributeName: 'gate',
  options: {},
  configure: () => ({}),
  parameters: (channels) => [
    { name: 'a.weight', shape: [channels, channels, 1, 1], layout: 'conv2d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: channels } },
    { name: 'a.bias', shape: [channels], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 0.5 } },
    { name: 'b.weight', shape: [channels, channels, 1, 1], layout: 'conv2d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: channels } },
    ...['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'].map((name) => ({ name, shape: [channels], layout: 'vector' as const, trainable: !name.includes('running'), init: { kind: 'constant' as const, value: 1 } })),
  ],
  forward: (ops, x, p) => {
    const pointwise = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } as const;
    const a = ops.conv2d(x, p['a.weight'], p['a.bias'], pointwise);
    const b = ops.batchNorm(ops.conv2d(x, p['b.weight'], undefined, pointwise), { weight: p['bn.weight'], bias: p['bn.bias'], runningMean: p['bn.running_mean'], runningVar: p['bn.running_var'] }, { eps: 1e-5, momentum: 0.1 });
    return ops.add(ops.mul(a, ops.sigmoid(x)), ops.mul(b, ops.relu(x)));
  },
});
declare module '@attnkit/core' {
  interface AttentionTypes {
    'test-wide-gate': AttentionOptions<typeof wideGate>;
    'test-shared-gate': AttentionOptions<typeof sharedGate>;
    'test-plain-gates': AttentionOptions<typeof plainGates>;
  }
}
registerAttention(wideGate);
registerAttention(sharedGate);
registerAttention(plainGates);

/** Random BatchNorm statistics (variance in [0.5, 2]) so that folding them is visible. */
function randomizeBatchNorms(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const variances = layer.getWeights().length - 1;
    layer.setWeights(layer.getWeights().map((w, i) => (i === variances ? tf.randomUniform(w.shape, 0.5, 2, 'float32', i) : tf.randomUniform(w.shape, -0.5, 1.5, 'float32', 10 + i))));
  }
}

async function expectSameAsPredict(model: tfl.LayersModel, infer: (x: tf.Tensor4D) => tf.Tensor, shape: [number, number, number, number], range = 1): Promise<void> {
  const x = tf.randomUniform(shape, -range, range, 'float32', 3) as tf.Tensor4D;
  const expected = model.predict(x) as tf.Tensor;
  const actual = infer(x);
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeL2(await actual.data(), await expected.data())).toBeLessThan(1e-5);
  tf.dispose([x, expected, actual]);
}

type Summary = ReturnType<typeof compileInference>['summary'];

/** Compiles the model, checks its summary (no folds, fusions or attention unless given), compares with predict, frees both. */
async function expectPlan(model: tfl.LayersModel, summary: Pick<Summary, 'steps' | 'layers'> & Partial<Summary>, shape: [number, number, number, number], range = 1): Promise<void> {
  const infer = compileInference(model);
  expect(infer.summary).toEqual({ foldedBatchNorms: 0, fusedActivations: 0, attention: [], ...summary });
  await expectSameAsPredict(model, infer, shape, range);
  infer.dispose();
  model.dispose();
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
    // Nothing absorbed or fused: padding [[1, 1], [2, 2]] is not one number; channels-first convs and pools run as layers.
    await expectPlan(tfl.model({ inputs: input, outputs: x }), { steps: 6, layers: 6 }, [2, 6, 6, 3]);
  });

  it('does not absorb a BatchNorm after a conv that is the model output or has its own activation', async () => {
    const input = tfl.input({ shape: [5, 5, 2] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const output = tfl.layers.batchNormalization({}).apply(conv) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    randomizeBatchNorms(model);
    await expectPlan(model, { steps: 2, layers: 2, fusedActivations: 1 }, [1, 5, 5, 2]);
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

/** x * 2, recording how it was called: a user layer that reads one tensor. */
class Double extends tfl.layers.Layer {
  static className = 'TestDouble';
  readonly calls: Array<{ list: boolean; training: unknown }> = [];
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    this.calls.push({ list: Array.isArray(inputs), training: kwargs.training });
    return tf.mul(inputs as tf.Tensor, 2);
  }
}

/** Two outputs: the first and the second half of the channels. */
class Halves extends tfl.layers.Layer {
  static className = 'TestHalves';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const half = x.shape[3] / 2;
    return tf.split(x, [half, half], 3);
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape[] {
    const shape = inputShape as tfl.Shape;
    const half = [...shape.slice(0, 3), (shape[3] as number) / 2];
    return [half, half];
  }
}

const layerOf = (x: tfl.SymbolicTensor | tfl.SymbolicTensor[], layer: tfl.layers.Layer) => layer.apply(x) as tfl.SymbolicTensor;

describe('compileInference layer paths', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('runs ReLU, ReLU(6), ReLU(max null), Activation relu / relu6, Add, MaxPooling2D and GlobalAveragePooling2D as ops, never through the layer', async () => {
    const input = tfl.input({ shape: [6, 7, 3] });
    // maxValue null is what a Keras model's `max_value: null` gives: a plain ReLU.
    const branches = [tfl.layers.reLU({}), tfl.layers.reLU({ maxValue: 6 }), tfl.layers.reLU({ maxValue: null as unknown as number }), tfl.layers.activation({ activation: 'relu' }), tfl.layers.activation({ activation: 'relu6' })];
    let x = layerOf(
      branches.map((layer) => layerOf(input, layer)),
      tfl.layers.add({}),
    );
    // A 2x3 window at stride [1, 2]: each axis its own size (6x7 -> 5x3).
    x = layerOf(x, tfl.layers.maxPooling2d({ poolSize: [2, 3], strides: [1, 2] }));
    x = layerOf(x, tfl.layers.globalAveragePooling2d({}));
    const model = tfl.model({ inputs: input, outputs: x });
    const infer = compileInference(model);
    // 5 activations + Add + 2 pools, one step each, nothing to fold or fuse into.
    expect(infer.summary).toEqual({ steps: 8, layers: 8, foldedBatchNorms: 0, fusedActivations: 0, attention: [] });
    const spies = model.layers.map((layer) => vi.spyOn(layer, 'apply'));
    const x0 = tf.randomUniform([2, 6, 7, 3], -8, 8, 'float32', 5) as tf.Tensor4D;
    tf.dispose(infer(x0));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    for (const spy of spies) spy.mockRestore();
    await expectSameAsPredict(model, infer, [2, 6, 7, 3], 8);
    tf.dispose(x0);
    infer.dispose();
    model.dispose();
  });

  it('runs other layers through apply in inference mode: one tensor for one input, a list for several, every output of a multi-output layer', async () => {
    const input = tfl.input({ shape: [3, 3, 4] });
    const double = new Double({});
    const [first, second] = new Halves({}).apply(layerOf(input, double)) as tfl.SymbolicTensor[];
    const model = tfl.model({ inputs: input, outputs: layerOf([second, first], tfl.layers.concatenate({})) });
    const infer = compileInference(model);
    expect(infer.summary).toEqual({ steps: 3, layers: 3, foldedBatchNorms: 0, fusedActivations: 0, attention: [] });
    // Channels [a, b, c, d] -> 2 * [c, d, a, b].
    const x = tf.tensor4d(Array.from({ length: 36 }, (_, i) => i), [1, 3, 3, 4]);
    const y = infer(x);
    expect(y.shape).toEqual([1, 3, 3, 4]);
    expect(Array.from(await y.data()).slice(0, 8)).toEqual([4, 6, 0, 2, 12, 14, 8, 10]);
    expect(double.calls).toEqual([{ list: false, training: false }]);
    tf.dispose([x, y]);
    infer.dispose();
    model.dispose();
  });

  it('fuses ReLU(6), ReLU(max null) and Activation relu into convs, folds a BatchNorm over axis 3, and leaves an activation after an own one, a Softmax and a sigmoid to their layers', async () => {
    const input = tfl.input({ shape: [5, 5, 3] });
    const conv = (args: Partial<Parameters<typeof tfl.layers.conv2d>[0]> = {}) => tfl.layers.conv2d({ filters: 4, kernelSize: 1, ...args });
    // 1 step: conv + BN(axis 3) + ReLU(6).
    let x = layerOf(layerOf(layerOf(input, conv({ kernelSize: 3, padding: 'same' })), tfl.layers.batchNormalization({ axis: 3 })), tfl.layers.reLU({ maxValue: 6 }));
    // 1 step each: conv + ReLU(max null), conv + Activation('relu').
    x = layerOf(layerOf(x, conv()), tfl.layers.reLU({ maxValue: null as unknown as number }));
    x = layerOf(layerOf(x, conv()), tfl.layers.activation({ activation: 'relu' }));
    // 2 steps: a conv with its own relu6 keeps it; the ReLU after it is its own op.
    x = layerOf(layerOf(x, conv({ activation: 'relu6' })), tfl.layers.reLU({}));
    // 2 steps: a Softmax over axis -1 is not a BatchNorm.
    x = layerOf(layerOf(x, conv()), tfl.layers.softmax({ axis: -1 }));
    x = layerOf(x, tfl.layers.globalAveragePooling2d({}));
    // 2 steps: Dense with its own relu6, then ReLU; 2 steps: Dense, then sigmoid (no fused kernel).
    x = layerOf(layerOf(x, tfl.layers.dense({ units: 3, activation: 'relu6' })), tfl.layers.reLU({}));
    x = layerOf(layerOf(x, tfl.layers.dense({ units: 2 })), tfl.layers.activation({ activation: 'sigmoid' }));
    const model = tfl.model({ inputs: input, outputs: x });
    randomizeBatchNorms(model);
    // 16 layers; fused: relu6, relu, relu, own relu6 on convs and own relu6 on the first Dense.
    await expectPlan(model, { steps: 12, layers: 16, foldedBatchNorms: 1, fusedActivations: 5 }, [2, 5, 5, 3], 8);
  });

  it('absorbs a ZeroPadding2D only when all four sides are equal, and keeps strides per axis', async () => {
    const input = tfl.input({ shape: [7, 7, 2] });
    let x = layerOf(input, tfl.layers.zeroPadding2d({ padding: [[1, 2], [1, 1]] }));
    x = layerOf(x, tfl.layers.conv2d({ filters: 2, kernelSize: 3 }));
    x = layerOf(x, tfl.layers.zeroPadding2d({ padding: [[1, 1], [1, 2]] }));
    x = layerOf(x, tfl.layers.conv2d({ filters: 2, kernelSize: 3, strides: [1, 2] }));
    x = layerOf(x, tfl.layers.zeroPadding2d({ padding: [[2, 2], [2, 2]] }));
    x = layerOf(x, tfl.layers.conv2d({ filters: 2, kernelSize: 3 }));
    // Only the last padding (2 on every side) becomes its conv's own: 6 layers, 5 steps.
    await expectPlan(tfl.model({ inputs: input, outputs: x }), { steps: 5, layers: 6 }, [1, 7, 7, 2]);
  });

  it('throws UNSUPPORTED for a model with two inputs', () => {
    const a = tfl.input({ shape: [4, 4, 2] });
    const b = tfl.input({ shape: [4, 4, 2] });
    const model = tfl.model({ inputs: [a, b], outputs: layerOf([a, b], tfl.layers.add({})), name: 'two_inputs' });
    expect(() => compileInference(model)).toThrowError(
      expect.objectContaining({ code: ErrorCodes.UNSUPPORTED, message: "compileInference needs a model with one input and one output; 'two_inputs' has 2 and 1" }),
    );
    model.dispose();
  });
});

describe('compileInference attention reports', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('reports a conv + BatchNorm without activation as fused, a lone conv not at all, and every activation on the input in one warning', async () => {
    const input = tfl.input({ shape: [4, 5, 3] });
    const layer = new AttentionLayer({ attention: 'test-plain-gates', name: 'plain' });
    const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    setCanonicalWeights(
      layer,
      new Map([
        ['bn.weight', { shape: [3], data: Float32Array.of(0.5, 1.5, -1) }],
        ['bn.bias', { shape: [3], data: Float32Array.of(0.1, -0.2, 0.3) }],
        ['bn.running_mean', { shape: [3], data: Float32Array.of(0.2, 0, -0.4) }],
        ['bn.running_var', { shape: [3], data: Float32Array.of(0.5, 2, 1.5) }],
      ]),
    );
    const infer = compileInference(model);
    // Nodes: conv, conv, batchNorm, sigmoid, relu, mul, mul, add.
    const notFused = ['sigmoid after the input: no fused kernel for it', 'relu after the input: no fused kernel for it'];
    expect(infer.summary.attention).toEqual([{ layer: 'plain', module: 'test-plain-gates', nodes: 8, fused: ['conv2d+batchNorm'], notFused }]);
    expect(infer.warnings).toEqual([`test-plain-gates 'plain' runs unfused: ${notFused.join('; ')}`]);
    await expectSameAsPredict(model, infer, [2, 4, 5, 3]);
    infer.dispose();
    model.dispose();
  });

  it('wraps a circular channel conv around as often as a kernel wider than the channel count needs', async () => {
    // k = 7 over C = 2 reaches 3 channels past each end (1.5 wraps); k = 5 over C = 4 reaches 2.
    for (const [kernelSize, channels] of [
      [7, 2],
      [5, 4],
    ]) {
      const input = tfl.input({ shape: [3, 3, channels] });
      const layer = new AttentionLayer({ attention: { type: 'ceca', kernelSize }, name: `ceca_k${kernelSize}` });
      const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
      setCanonicalWeights(layer, new Map([['conv.weight', randomTensor([1, 1, kernelSize], kernelSize)]]));
      const infer = compileInference(model);
      expect(infer.summary.attention).toEqual([{ layer: `ceca_k${kernelSize}`, module: 'ceca', nodes: 4, fused: ['channelConv1d+sigmoid'], notFused: [] }]);
      await expectSameAsPredict(model, infer, [2, 3, 3, channels]);
      infer.dispose();
      model.dispose();
    }
  });
});
