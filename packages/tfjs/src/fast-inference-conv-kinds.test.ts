import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeL2 } from '@attnkit/core';
import { useBackend } from './backends.js';
import { compileInference } from './fast-inference.js';

describe('compileInference and other conv layers', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('runs SeparableConv2D and Conv2DTranspose (channels-last, own relu) as layers, not as a fused Conv2D', async () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    let x = tfl.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: x });
    const infer = compileInference(model);
    // Two layers, two steps; their relus stay inside the layers, so none counts as fused.
    expect(infer.summary).toEqual({ steps: 2, layers: 2, foldedBatchNorms: 0, fusedActivations: 0, attention: [] });
    const input4 = tf.randomUniform([2, 6, 6, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    const expected = model.predict(input4) as tf.Tensor;
    const actual = infer(input4);
    expect(actual.shape).toEqual([2, 8, 8, 2]);
    expect(relativeL2(await actual.data(), await expected.data())).toBeLessThan(1e-5);
    tf.dispose([input4, expected, actual]);
    infer.dispose();
    model.dispose();
  });
});
