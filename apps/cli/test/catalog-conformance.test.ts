/**
 * Every registered module's PyTorch golden cases on every backend. The cases are found through
 * the registry: each definition names its package, whose folder holds golden/cases.json (written
 * by tools/golden/make_golden_modules.py from the package's golden/reference.py). Each case,
 * realized as a tfjs LayersModel (an AttentionLayer, on cpu and wasm, through predict and through
 * compileInference) and as an emitted ONNX model (onnxruntime-node), agrees with PyTorch's output
 * to 1e-4 max abs; and one SGD step of an AttentionLayer on tfjs cpu and wasm (BatchNorm in
 * training mode unless the fixture says otherwise) gives PyTorch's gradients and updated weights. (The packages' own suites check
 * the reference interpreter to 1e-5.)
 * It lives here because the CLI is the one package that registers every module package.
 */
import '../src/all-modules.js';
import { type AttentionSpec, attentionNetwork, getAttention, listAttention, maxAbsDiff, traceNetwork } from '@attnkit/core';
import { emitNetwork, encodeModel, createRunner, type Runner } from '@attnkit/onnx';
import { AttentionLayer, type BackendName, compileInference, fromTfjsLayout, getCanonicalWeights, setCanonicalWeights, toLayersModel, useBackend } from '@attnkit/tfjs';
import { insertionCosts, mobilenetV2Points, resnet50Points } from '@attnkit/tools/insertion-costs';
import { type JsonTensor, type ModuleCase, registeredGoldens, toTensor } from '@attnkit/tools/module-cases';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

const goldens = registeredGoldens();
const cases = goldens.flatMap((g) => g.golden?.cases ?? []);

/** The case's module as a one-module network, with its PyTorch weights under the attribute name. */
function caseNetwork(c: ModuleCase) {
  const network = attentionNetwork({ type: c.id, ...c.options } as AttentionSpec, c.channels, c.input.shape);
  const prefix = getAttention(c.id).attributeName;
  const weights = new Map(Object.entries(c.params).map(([name, t]) => [`${prefix}.${name}`, toTensor(t)]));
  return { network, weights };
}

it('every registered module package has golden/cases.json, and every registered module has golden cases there', () => {
  expect(goldens.filter((g) => g.golden === undefined).map((g) => g.file)).toEqual([]);
  for (const { package: name, ids, golden } of goldens) {
    expect(golden!.package).toBe(name);
    expect([...new Set(golden!.cases.map((c) => c.id))].sort(), name).toEqual([...ids].sort());
  }
  expect(new Set(cases.map((c) => c.id))).toEqual(new Set(listAttention().map((d) => d.id)));
});

// A package with cost rows has one module id (make_golden_modules.py checks it).
const costRows = goldens.flatMap((g) => (g.golden?.costs ?? []).map((row) => ({ label: `${g.ids[0]} ${JSON.stringify(row.options)}`, id: g.ids[0], row })));

describe.each(costRows)('$label', ({ id, row }) => {
  it("core's traced count equals PyTorch's forward-hook count on ResNet-50 and MobileNetV2 at 224", () => {
    const spec = { type: id, ...row.options } as AttentionSpec;
    expect(insertionCosts(spec, resnet50Points)).toEqual(row.resnet50);
    expect(insertionCosts(spec, mobilenetV2Points)).toEqual(row.mobilenet_v2);
  });
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

const toNhwc = (t: JsonTensor): tf.Tensor4D => tf.tidy(() => tf.transpose(tf.tensor4d(t.data, t.shape as [number, number, number, number]), [0, 2, 3, 1]));

/** max |a - b| over max(1, max |b|): gradients reach O(10) where BatchNorm normalizes a batch of two. */
function scaledError(a: ArrayLike<number>, b: readonly number[]): number {
  return maxAbsDiff(a, b) / Math.max(1, ...b.map(Math.abs));
}

describe.each(['cpu', 'wasm'] as BackendName[])('training on tfjs %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(cases.filter((c) => c.train !== undefined).map((c) => [c.name, c] as const))(
    '%s: one SGD step matches PyTorch (gradients of input and weights <= 1e-4 scaled, updated weights and running statistics <= 1e-4)',
    (_name, c) => {
      const step = c.train!;
      const layer = new AttentionLayer({ attention: { type: c.id, ...c.options } as AttentionSpec });
      const input = tf.variable(toNhwc(c.input));
      const target = toNhwc(step.target);
      layer.apply(input);
      setCanonicalWeights(layer, new Map(Object.entries(c.params).map(([name, t]) => [name, toTensor(t)])));
      const trainable = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      // One training forward (it updates the running statistics once, as PyTorch's does), both gradients from it.
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(input, { training: step.batchStatistics }) as tf.Tensor, target)) as tf.Scalar, [input, ...trainable]);
      const inputGrad = tf.tidy(() => tf.transpose(grads[input.name], [0, 3, 1, 2]).dataSync() as Float32Array);
      expect(scaledError(inputGrad, step.inputGrad.data), 'input gradient').toBeLessThanOrEqual(1e-4);
      for (const p of layer.instance.parameters.filter((p) => p.trainable)) {
        const g = grads[(layer.variable(p.name).read() as tf.Variable).name];
        expect(scaledError(fromTfjsLayout(p, { shape: g.shape, data: g.dataSync() as Float32Array }).data, step.grads[p.name].data), p.name).toBeLessThanOrEqual(1e-4);
      }
      expect(Object.keys(step.grads).sort()).toEqual(layer.instance.parameters.filter((p) => p.trainable).map((p) => p.name).sort());
      const { [input.name]: _input, ...weightGrads } = grads;
      if (trainable.length > 0) tf.train.sgd(step.lr).applyGradients(weightGrads);
      const updated = getCanonicalWeights(layer);
      expect([...updated.keys()].sort()).toEqual(Object.keys(step.updated).sort());
      for (const [name, t] of Object.entries(step.updated)) expect(maxAbsDiff(updated.get(name)!.data, t.data), name).toBeLessThanOrEqual(1e-4);
      tf.dispose([value, input, target, ...Object.values(grads)]);
      layer.dispose();
    },
  );
});

describe('onnxruntime-node', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
  });

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
