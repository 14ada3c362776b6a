/**
 * Property-based conformance (fast-check, bounded runs): for random N, C, H, W, kernel sizes and
 * options, every registered module computes the reference interpreter's values, in the input's
 * shape, on tfjs (cpu) and on onnxruntime-node, to the single-module tolerance of 1e-5.
 * It lives here because the CLI is the one package that registers every module and both adapters.
 */
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { type AttentionSpec, attentionNetwork, getAttention, initializeWeights, isAttnkitError, listAttention, randomTensor, runReference, type Tensor, traceNetwork } from '@attnkit/core';
import { createRunner, emitModel, encodeModel, type Runner } from '@attnkit/onnx';
import { toLayersModel, useBackend } from '@attnkit/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

const TOLERANCE = 1e-5;
let onnx: Runner;
beforeAll(async () => {
  await useBackend('cpu');
  onnx = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
});

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Options of a module drawn at random: booleans and enums from its schema, kernelSize where it has one. */
function optionsArbitrary(id: string, channels: number): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, option] of Object.entries(getAttention(id).options)) {
    if (option.type === 'boolean') fields[key] = fc.boolean();
    if (option.type === 'enum') fields[key] = fc.constantFrom(...option.values);
  }
  // A circular channel conv wraps at most once: k <= 2C + 1.
  if ('kernelSize' in getAttention(id).options) fields.kernelSize = fc.oneof(fc.constant('adaptive'), fc.integer({ min: 0, max: Math.min(4, channels) }).map((h) => 2 * h + 1));
  return fc.record(fields);
}

const caseArbitrary = fc
  .record({
    id: fc.constantFrom(...listAttention().map((d) => d.id)),
    batch: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 2, max: 72 }),
    height: fc.integer({ min: 1, max: 7 }),
    width: fc.integer({ min: 1, max: 7 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .chain((base) => optionsArbitrary(base.id, base.channels).map((options) => ({ ...base, options })));

/** tfjs LayersModel (NHWC inside) on one canonical NCHW input, back to NCHW. */
function runTfjs(graph: ReturnType<typeof traceNetwork>, weights: Map<string, Tensor>, input: Tensor): { shape: number[]; data: Float32Array } {
  const model = toLayersModel(graph, weights);
  try {
    const y = tf.tidy(() => {
      const x = tf.transpose(tf.tensor4d(input.data, input.shape as [number, number, number, number]), [0, 2, 3, 1]);
      return tf.transpose(model.predict(x) as tf.Tensor4D, [0, 3, 1, 2]);
    });
    const out = { shape: [...y.shape], data: y.dataSync() as Float32Array };
    y.dispose();
    return out;
  } finally {
    model.dispose();
  }
}

describe('every module on every backend, random shapes and options', () => {
  it('agrees with the reference interpreter and keeps the shape (30 random cases)', async () => {
    const compared = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ({ id, batch, channels, height, width, seed, options }) => {
        const spec = { type: id, ...options } as AttentionSpec;
        const shape = [batch, channels, height, width];
        let network: ReturnType<typeof attentionNetwork>;
        try {
          network = attentionNetwork(spec, channels, shape);
        } catch (error) {
          // An option combination the module refuses is refused with a typed error: nothing to compare.
          if (isAttnkitError(error)) return;
          throw error;
        }
        const graph = traceNetwork(network);
        const weights = initializeWeights(graph, seed);
        for (const [name, value] of weights) {
          if (name.endsWith('running_var')) value.data.set(randomTensor(value.shape, seed + 1, name).data.map((v) => 1 + 0.5 * v));
          else if (/bn\.(weight|bias|running_mean)$/.test(name)) value.data.set(randomTensor(value.shape, seed + 1, name).data);
        }
        const input = randomTensor(shape, seed + 2);
        const [reference] = runReference(network, weights, input);
        compared.set(id, (compared.get(id) ?? 0) + 1);
        expect(reference.shape).toEqual(shape);

        const tfjs = runTfjs(graph, weights, input);
        expect(tfjs.shape).toEqual(shape);
        expect(maxAbsDifference(tfjs.data, reference.data)).toBeLessThan(TOLERANCE);

        const session = await onnx.load(encodeModel(emitModel(graph, weights)));
        try {
          const outputs = await session.run({ [session.inputNames[0]]: { dims: shape, data: input.data } });
          const out = outputs[session.outputNames[0]];
          expect(out.dims).toEqual(shape);
          expect(maxAbsDifference(out.data, reference.data)).toBeLessThan(TOLERANCE);
        } finally {
          await session.dispose();
        }
      }),
      { numRuns: 30, seed: 11 },
    );
    // The runs reached the backends (not refused options), for most of the registered modules.
    expect([...compared.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
    expect(compared.size).toBeGreaterThanOrEqual(6);
  }, 120_000);
});
