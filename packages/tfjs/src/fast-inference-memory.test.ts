import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';
import { compileInference } from './fast-inference.js';

/** Bytes held at the fullest moment of one call of a compiled GAP + `length` Dense(8, relu) chain, above what was held before it. */
async function densePeak(length: number): Promise<number> {
  const model = tfl.sequential({
    layers: [tfl.layers.globalAveragePooling2d({ inputShape: [2, 2, 8] }), ...Array.from({ length }, () => tfl.layers.dense({ units: 8, activation: 'relu' }))],
  });
  const infer = compileInference(model);
  expect(infer.summary).toMatchObject({ steps: length + 1, fusedActivations: length });
  const x = tf.randomUniform([1, 2, 2, 8]) as tf.Tensor4D;
  const base = tf.memory().numBytes;
  const profile = await tf.profile(() => infer(x));
  tf.dispose([x, profile.result]);
  infer.dispose();
  model.dispose();
  return Math.max(...profile.kernels.map((k) => k.totalBytesSnapshot)) - base;
}

describe('compileInference frees Dense outputs', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('after their last reader: a chain of 5 Dense peaks no higher than a chain of 1', async () => {
    // Each step's input is freed once the step has run, so every step starts from the same
    // memory; held to the end of the call, each further [1, 8] output would add 32 bytes.
    expect(await densePeak(5)).toBe(await densePeak(1));
  });
});
