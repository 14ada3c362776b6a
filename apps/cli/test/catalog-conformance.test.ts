/**
 * The module catalog (issue 15) on every backend: each PyTorch golden case of
 * tools/golden/fixtures/catalog/modules.json, realized as a tfjs LayersModel (an AttentionLayer,
 * on cpu and wasm, through predict and through compileInference) and as an emitted ONNX model
 * (onnxruntime-node), agrees with PyTorch's output to 1e-4 max abs. (The packages' own suites check the reference interpreter to 1e-5.)
 * It lives here because the CLI is the one package that registers every module package.
 */
import '@attnkit/bam';
import '@attnkit/coordatt';
import '@attnkit/ecam';
import '@attnkit/ese';
import '@attnkit/gc';
import '@attnkit/gct';
import '@attnkit/ge';
import '@attnkit/lcbam';
import '@attnkit/simam';
import { type AttentionSpec, attentionNetwork, getAttention, maxAbsDiff, traceNetwork } from '@attnkit/core';
import { emitNetwork, encodeModel, createRunner, type Runner } from '@attnkit/onnx';
import { type BackendName, compileInference, toLayersModel, useBackend } from '@attnkit/tfjs';
import { catalogCases } from '@attnkit/tools/catalog-cases';
import { type ModuleCase, toTensor } from '@attnkit/tools/module-cases';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const catalog = ['simam', 'ese', 'ecam', 'gct', 'lcbam', 'coordatt', 'gc', 'ge', 'bam'];
const cases = catalogCases(catalog);

/** The case's module as a one-module network, with its PyTorch weights under the attribute name. */
function caseNetwork(c: ModuleCase) {
  const network = attentionNetwork({ type: c.id, ...c.options } as AttentionSpec, c.channels, c.input.shape);
  const prefix = getAttention(c.id).attributeName;
  const weights = new Map(Object.entries(c.params).map(([name, t]) => [`${prefix}.${name}`, toTensor(t)]));
  return { network, weights };
}

it('has golden cases for every catalog module', () => {
  expect([...new Set(cases.map((c) => c.id))].sort()).toEqual([...catalog].sort());
});

describe.each(['cpu', 'wasm'] as BackendName[])('tfjs %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error vs PyTorch <= 1e-4 (predict and compileInference)', (_name, c) => {
    const { network, weights } = caseNetwork(c);
    const model = toLayersModel(traceNetwork(network), weights);
    const inference = compileInference(model);
    const [n, ch, h, w] = c.input.shape;
    const run = (f: (x: tf.Tensor4D) => tf.Tensor) =>
      tf.tidy(() => {
        const x = tf.transpose(tf.tensor4d(c.input.data, [n, ch, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
        return tf.transpose(f(x), [0, 3, 1, 2]).dataSync() as Float32Array;
      });
    const predicted = run((x) => model.predict(x) as tf.Tensor);
    const compiled = run(inference);
    inference.dispose();
    model.dispose();
    expect(maxAbsDiff(predicted, c.output.data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(compiled, c.output.data)).toBeLessThanOrEqual(1e-4);
  });
});

describe('onnxruntime-node', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
  });
  afterAll(() => undefined);

  it.each(cases.map((c) => [c.name, c] as const))('%s: max abs error vs PyTorch <= 1e-4', async (_name, c) => {
    const { network, weights } = caseNetwork(c);
    const session = await runner.load(encodeModel(emitNetwork(network, weights)));
    try {
      const outputs = await session.run({ [session.inputNames[0]]: { dims: [...c.input.shape], data: Float32Array.from(c.input.data) } });
      expect(maxAbsDiff(outputs[session.outputNames[0]].data, c.output.data)).toBeLessThanOrEqual(1e-4);
    } finally {
      await session.dispose();
    }
  }, 60_000);
});
