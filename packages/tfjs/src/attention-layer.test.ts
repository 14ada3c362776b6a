/**
 * The conformance suite: every registered module as an AttentionLayer, on every backend, against
 * core's reference interpreter on the same canonical (PyTorch-layout) weights.
 */
import '../test/all-modules.js';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttentionSpec, type Tensor as CoreTensor, attentionTestCases, createAttention, createRandom, listAttention, maxAbsDiff, randomTensor, referenceOps } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttentionLayer, getCanonicalWeights, setCanonicalWeights } from './attention-layer.js';
import { type BackendName, useBackend } from './backends.js';
import { fileSystem } from './file-system-io.js';
import { fromTfjsLayout } from './layout.js';

/** The tfjs release under test: the workspace's, or the one tools/runtime-range swaps in. */
const tfjsVersion = process.env.ATTNKIT_TFJS_VERSION ?? '4.22.0';

const [N, C, H, W] = [2, 16, 5, 7];

/** Every registered module's own conformance cases (its definition's `testCases`), counts derived there by hand. */
type ModuleCase = ReturnType<typeof attentionTestCases>[number];
const CASES: ModuleCase[] = listAttention().flatMap(attentionTestCases);

/** Canonical weights U(-1, 1) (larger than PyTorch's init, so every gate does something), CBAM's BN non-trivial. */
function canonicalWeights(spec: AttentionSpec, channels = C): Map<string, CoreTensor> {
  const bn: Record<string, number> = { weight: 0.7, bias: -0.2, running_mean: 0.3, running_var: 2.5 };
  const weights = new Map<string, CoreTensor>();
  const parameters = createAttention(spec, channels).parameters;
  // A BatchNorm is a layer with running statistics, whatever its name (bn, bn1, norm1, gate_s_bn_di_0).
  const norms = new Set(parameters.filter((p) => p.name.endsWith('.running_var')).map((p) => p.name.slice(0, -'.running_var'.length)));
  for (const p of parameters) {
    const dot = p.name.lastIndexOf('.');
    const bnKey = norms.has(p.name.slice(0, dot)) ? p.name.slice(dot + 1) : undefined;
    weights.set(p.name, bnKey ? { shape: [...p.shape], data: new Float32Array(p.shape[0]).fill(bn[bnKey]) } : randomTensor(p.shape, 7, p.name));
  }
  return weights;
}

function reference(spec: AttentionSpec, weights: ReadonlyMap<string, CoreTensor>, x: CoreTensor): CoreTensor {
  const instance = createAttention(spec, x.shape[1]);
  return instance.definition.forward(referenceOps, x, Object.fromEntries(weights), instance.config);
}

const toNhwc = (x: CoreTensor): tf.Tensor4D => tf.tidy(() => tf.transpose(tf.tensor4d(x.data, x.shape as [number, number, number, number]), [0, 2, 3, 1]));
const toNchwData = (y: tf.Tensor): Float32Array => tf.tidy(() => tf.transpose(y, [0, 3, 1, 2]).dataSync() as Float32Array);

function buildModel(spec: AttentionSpec, shape = [H, W, C]): { model: tfl.LayersModel; layer: AttentionLayer } {
  const input = tfl.input({ shape });
  const layer = new AttentionLayer({ attention: spec });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  return { model, layer };
}

function predict(model: tfl.LayersModel, x: tf.Tensor): Float32Array {
  const y = model.predict(x) as tf.Tensor;
  const data = toNchwData(y);
  y.dispose();
  return data;
}

/** Distinct values 0.0104 apart in [-2, 2], shuffled: no max-pool ties within a finite-difference step. */
function spacedInput(shape: number[], seed: number): CoreTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => -2 + (4 * i) / (size - 1));
  const random = createRandom(seed, 'spaced');
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return { shape, data: Float32Array.from(values) };
}

/** f = sum(out * r) on the reference, in float64 over float32 outputs. */
function objective(spec: AttentionSpec, weights: ReadonlyMap<string, CoreTensor>, x: CoreTensor, r: CoreTensor): number {
  const out = reference(spec, weights, x).data;
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i] * r.data[i];
  return sum;
}

const EPS = 2.5e-3;
function centralDifference(f: () => number, data: Float32Array, i: number): number {
  const saved = data[i];
  data[i] = saved + EPS;
  const plus = f();
  data[i] = saved - EPS;
  const minus = f();
  data[i] = saved;
  return (plus - minus) / (2 * EPS);
}

/** max |a - b| relative to the largest |b| (b the finite differences). */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  return maxAbsDiff(a, b) / Math.max(scale, 1e-3);
}

const measured: string[] = [];
const gradientCache = new Map<string, { input: Float64Array; weights: Map<string, Float64Array> }>();
/** Finite differences of the reference: the same for every backend, so computed once per module. */
function referenceGradients(c: ModuleCase, weights: Map<string, CoreTensor>, x: CoreTensor, r: CoreTensor) {
  const cached = gradientCache.get(c.label);
  if (cached) return cached;
  const f = () => objective(c.spec, weights, x, r);
  const input = Float64Array.from(x.data, (_, i) => centralDifference(f, x.data, i));
  const byWeight = new Map<string, Float64Array>();
  for (const p of createAttention(c.spec, c.channels).parameters.filter((p) => p.trainable)) {
    const data = weights.get(p.name)!.data;
    byWeight.set(p.name, Float64Array.from(data, (_, i) => centralDifference(f, data, i)));
  }
  const result = { input, weights: byWeight };
  gradientCache.set(c.label, result);
  return result;
}

// ATTNKIT_REPORT=1 prints the measured errors and losses.
afterAll(() => {
  if (process.env.ATTNKIT_REPORT) console.log(measured.join('\n'));
});

describe.each(['cpu', 'wasm'] as BackendName[])('AttentionLayer on %s', (backend) => {
  const temporary: string[] = [];
  beforeAll(async () => {
    const report = await useBackend(backend);
    expect(report).toEqual({ backend, simd: backend === 'wasm', threads: false, version: tfjsVersion });
    expect(tf.getBackend()).toBe(backend);
  });
  afterAll(async () => {
    for (const dir of temporary) await rm(dir, { recursive: true, force: true });
  });

  describe.each(CASES)('$label', (c) => {
    const weights = canonicalWeights(c.spec, c.channels);
    const x = randomTensor([N, c.channels, H, W], 11, 'x');

    it(`matches the reference interpreter to ${c.tolerance} on the same canonical weights`, () => {
      const { model, layer } = buildModel(c.spec, [H, W, c.channels]);
      setCanonicalWeights(layer, weights);
      const xs = toNhwc(x);
      const error = maxAbsDiff(predict(model, xs), reference(c.spec, weights, x).data);
      measured.push(`${backend} ${c.label} max abs error vs reference ${error.toExponential(2)}`);
      expect(error).toBeLessThan(c.tolerance);
      expect(layer.kernelSize).toBe(c.kernelSize);
      // A case without hand-derived counts checks tfjs's own count against core's.
      const trainable = c.trainable ?? layer.parameterCount;
      const nonTrainable = c.nonTrainable ?? layer.countParams() - layer.parameterCount;
      expect(layer.parameterCount).toBe(trainable);
      expect(model.countParams()).toBe(trainable + nonTrainable);
      const lines: string[] = [];
      model.summary(undefined, undefined, (line: string) => lines.push(line));
      expect(lines).toContain(`Trainable params: ${trainable}`);
      expect(lines).toContain(`Non-trainable params: ${nonTrainable}`);
      // Weight names are the layer name plus the PyTorch name.
      // tfjs lists trainable weights first, then the buffers (BatchNorm running statistics).
      const declared = createAttention(c.spec, C).parameters;
      const inTfjsOrder = [...declared.filter((p) => p.trainable), ...declared.filter((p) => !p.trainable)];
      expect(layer.weights.map((w) => w.originalName)).toEqual(inTfjsOrder.map((p) => `${layer.name}/${p.name}`));
      // Reading back in PyTorch layout gives exactly what was written.
      for (const [name, value] of getCanonicalWeights(layer)) expect(value.data).toEqual(weights.get(name)!.data);
      xs.dispose();
      model.dispose();
    });

    it('round-trips getConfig/fromConfig, memory and file-system save/load with identical outputs', async () => {
      const { model, layer } = buildModel(c.spec, [H, W, c.channels]);
      setCanonicalWeights(layer, weights);
      const xs = toNhwc(x);
      const expected = predict(model, xs);

      const rebuilt = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(model.toJSON() as string) });
      rebuilt.setWeights(model.getWeights());
      const rebuiltLayer = rebuilt.layers[1] as AttentionLayer;
      expect(rebuiltLayer).toBeInstanceOf(AttentionLayer);
      expect(rebuiltLayer.getConfig()).toEqual(layer.getConfig());
      expect(rebuiltLayer.kernelSize).toBe(c.kernelSize);
      expect(predict(rebuilt, xs)).toEqual(expected);

      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      expect(saved!.weightSpecs!.map((s) => s.name)).toEqual(layer.weights.map((w) => w.originalName));
      const fromMemory = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
      expect(predict(fromMemory, xs)).toEqual(expected);

      const dir = await mkdtemp(join(tmpdir(), 'attnkit-tfjs-'));
      temporary.push(dir);
      const path = join(dir, 'model.json');
      await model.save(fileSystem(path));
      expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
      const json = JSON.parse(await readFile(path, 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: saved!.weightSpecs }]);
      const fromDisk = await tfl.loadLayersModel(fileSystem(path));
      expect(predict(fromDisk, xs)).toEqual(expected);

      for (const m of [model, rebuilt, fromMemory, fromDisk]) m.dispose();
      xs.dispose();
    });

    it('gradients w.r.t. input and weights match central differences of the reference', () => {
      const [n, h, w] = [2, 3, 4];
      const xg = spacedInput([n, c.channels, h, w], 3);
      const r = randomTensor([n, c.channels, h, w], 5, 'r');
      const fd = referenceGradients(c, weights, xg, r);
      const { model, layer } = buildModel(c.spec, [h, w, c.channels]);
      setCanonicalWeights(layer, weights);
      const xs = toNhwc(xg);
      const rs = toNhwc(r);
      const f = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, rs)) as tf.Scalar;
      const dx = tf.grad(f)(xs);
      const inputError = scaledError(toNchwData(dx), fd.input);
      measured.push(`${backend} ${c.label} input-gradient scaled error ${inputError.toExponential(2)}`);
      expect(inputError).toBeLessThan(1e-3);
      tf.dispose([dx, xs]);
      const trainable = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      expect(trainable.length).toBe(fd.weights.size);
      if (trainable.length === 0) {
        tf.dispose(rs);
        model.dispose();
        return;
      }
      const xw = toNhwc(xg);
      const { value, grads } = tf.variableGrads(() => f(xw), trainable);
      for (const p of layer.instance.parameters.filter((p) => p.trainable)) {
        const g = grads[(layer.variable(p.name).read() as tf.Variable).name];
        const canonical = fromTfjsLayout(p, { shape: g.shape, data: g.dataSync() as Float32Array });
        const weightError = scaledError(canonical.data, fd.weights.get(p.name)!);
        measured.push(`${backend} ${c.label} ${p.name} gradient scaled error ${weightError.toExponential(2)}`);
        expect(weightError, p.name).toBeLessThan(1e-3);
      }
      tf.dispose([value, xw, rs, ...Object.values(grads)]);
      model.dispose();
    });

    it('releases every tensor: 100 predictions leak none, dispose frees the model', () => {
      const start = tf.memory().numTensors;
      const { model, layer } = buildModel(c.spec, [H, W, c.channels]);
      setCanonicalWeights(layer, weights);
      const xs = toNhwc(x);
      const afterBuild = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) (model.predict(xs) as tf.Tensor).dispose();
      expect(tf.memory().numTensors).toBe(afterBuild);
      xs.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(start);
    });

    it('trains: model.fit on a synthetic task lowers the loss', async () => {
      const [samples, h, w, cin, filters] = [8, 4, 5, 3, 8];
      // The wasm backend registers no Conv2DBackpropFilter kernel, so its stem conv stays frozen there.
      const stemTrainable = tf.getKernel('Conv2DBackpropFilter', backend) !== undefined;
      const input = tfl.input({ shape: [h, w, cin] });
      const stem = tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', trainable: stemTrainable, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) });
      const attention = new AttentionLayer({ attention: c.spec, seed: 2 });
      const pooled = tfl.layers.globalAveragePooling2d({}).apply(attention.apply(stem.apply(input))) as tfl.SymbolicTensor;
      const output = tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(pooled) as tfl.SymbolicTensor;
      const model = tfl.model({ inputs: input, outputs: output });
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
      const xs = tf.tensor4d(randomTensor([samples, h, w, cin], 9, 'fit').data, [samples, h, w, cin]);
      // Target: a fixed linear read-out of the stem's pooled features, so a frozen stem can reach it too.
      const readout = tf.tensor2d(randomTensor([filters, 1], 4, 'readout').data, [filters, 1]);
      const ys = tf.tidy(() => tf.mul(tf.matMul(tf.mean(stem.apply(xs) as tf.Tensor4D, [1, 2]) as tf.Tensor2D, readout), 4));
      const history = await model.fit(xs, ys, { epochs: 12, batchSize: samples, shuffle: false, verbose: 0 });
      const losses = history.history.loss as number[];
      measured.push(`${backend} ${c.label} fit loss ${losses[0].toPrecision(3)} -> ${losses[losses.length - 1].toPrecision(3)}`);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
      tf.dispose([xs, ys, readout]);
      model.dispose();
    }, 30_000);
  });

  it('CBAM BatchNorm: training updates the running statistics with PyTorch momentum 0.01; inference does not', () => {
    const spec: AttentionSpec = { type: 'cbam', reductionRatio: 4 };
    const weights = canonicalWeights(spec);
    const layer = new AttentionLayer({ attention: spec });
    const x = randomTensor([N, C, H, W], 13, 'bn');
    const xs = toNhwc(x);
    layer.apply(xs, { training: false });
    setCanonicalWeights(layer, weights);

    // The spatial conv output, as PyTorch computes it before BN.
    const instance = createAttention(spec, C);
    const params = Object.fromEntries(weights);
    const mlp = (v: CoreTensor) => referenceOps.linear(referenceOps.relu(referenceOps.linear(v, params['ChannelGate.mlp.1.weight'], params['ChannelGate.mlp.1.bias'])), params['ChannelGate.mlp.3.weight'], params['ChannelGate.mlp.3.bias']);
    const gated = referenceOps.mul(x, referenceOps.sigmoid(referenceOps.add(mlp(referenceOps.globalAvgPool(x)), mlp(referenceOps.globalMaxPool(x)))));
    const pooled = referenceOps.concatChannels([referenceOps.channelMax(gated), referenceOps.channelMean(gated)]);
    const conv = referenceOps.conv2d(pooled, params['SpatialGate.spatial.conv.weight'], undefined, { stride: [1, 1], padding: [3, 3], dilation: [1, 1], groups: 1 }).data;
    const count = conv.length; // N * H * W, one channel
    const mean = conv.reduce((s, v) => s + v, 0) / count;
    const biased = conv.reduce((s, v) => s + (v - mean) ** 2, 0) / count;
    const unbiased = (biased * count) / (count - 1);

    const training = layer.apply(xs, { training: true }) as tf.Tensor;
    const stats = getCanonicalWeights(layer);
    expect(stats.get('SpatialGate.spatial.bn.running_mean')!.data[0]).toBeCloseTo(0.99 * 0.3 + 0.01 * mean, 6);
    expect(stats.get('SpatialGate.spatial.bn.running_var')!.data[0]).toBeCloseTo(0.99 * 2.5 + 0.01 * unbiased, 6);
    // The training output is normalized with the batch statistics (biased variance), as PyTorch.
    const withBatchStats = new Map(weights);
    withBatchStats.set('SpatialGate.spatial.bn.running_mean', { shape: [1], data: Float32Array.of(mean) });
    withBatchStats.set('SpatialGate.spatial.bn.running_var', { shape: [1], data: Float32Array.of(biased) });
    expect(maxAbsDiff(toNchwData(training), reference(spec, withBatchStats, x).data)).toBeLessThan(1e-5);
    expect(instance.config.poolOrder).toBe('max-mean');

    const before = getCanonicalWeights(layer);
    tf.dispose([layer.apply(xs, { training: false }) as tf.Tensor, layer.apply(xs) as tf.Tensor]);
    for (const [name, value] of getCanonicalWeights(layer)) expect(value.data).toEqual(before.get(name)!.data);
    tf.dispose([training, xs]);
    layer.dispose();
  });
});
