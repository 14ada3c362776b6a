import type { Tensor } from '@attnkit/core';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';
import { type BenchBackend, type FileCounts, NotAvailableError, type PrepareRequest, type PreparedRunner, type RunnerInfo, errorMessage } from '../bench-backend.js';
import type { InsertionReportEntry as TfjsInsertionEntry } from '@attnkit/tfjs';
import { tfjsModelCosts } from '../file-costs.js';
import { type TfjsApi, loadTfjs } from './package-apis.js';

type TfjsBackendName = 'cpu' | 'wasm';

interface TfjsRuntime {
  tf: typeof TfCore;
  tfl: typeof TfLayers;
  threads: number | 'default';
  simd: boolean | null;
}

const runtimes = new Map<TfjsBackendName, Promise<TfjsRuntime>>();

/**
 * Initializes a tfjs backend once per process. tfjs-backend-wasm reads its thread count when it
 * initializes, so the first `threads` asked for wins (the results report what it settled on).
 */
function initializeRuntime(api: TfjsApi, backend: TfjsBackendName, threads: number): Promise<TfjsRuntime> {
  let runtime = runtimes.get(backend);
  if (runtime === undefined) {
    runtime = (async () => {
      const tf = await import('@tensorflow/tfjs-core');
      // Production mode, as a deployed model runs: no debug checks, no console advice about tfjs-node.
      tf.env().set('PROD', true);
      const tfl = await import('@tensorflow/tfjs-layers');
      let wasm: typeof import('@tensorflow/tfjs-backend-wasm') | undefined;
      if (backend === 'wasm') {
        wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setThreadsCount(threads);
      } else {
        await import('@tensorflow/tfjs-backend-cpu');
      }
      if (api.useBackend) await api.useBackend(backend);
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
      await tf.ready();
      const simd = backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : null;
      // The cpu backend runs every kernel on the main thread.
      return { tf, tfl, threads: wasm ? wasm.getThreadsCount() : 1, simd };
    })();
    runtimes.set(backend, runtime);
  }
  return runtime;
}

/** A tfjs backend initialized as the bench runs it (the machine limit times kernels on it). */
export async function tfjsRuntime(backend: TfjsBackendName, threads: number): Promise<TfjsRuntime> {
  const loaded = await loadTfjs();
  if (loaded.api === undefined) throw new NotAvailableError(loaded.reason);
  return initializeRuntime(loaded.api, backend, threads);
}

/**
 * tfjs-wasm and tfjs-cpu in Node. Zoo models go through @attnkit/tfjs's toLayersModel (NHWC
 * inside) and are timed on compileInference's fast path (`fast`) and on LayersModel.predict
 * (`predict`); tfjs model.json files get attention from @attnkit/tfjs's insertAttention.
 */
export function createTfjsBackend(name: 'tfjs-wasm' | 'tfjs-cpu'): BenchBackend {
  const backend: TfjsBackendName = name === 'tfjs-wasm' ? 'wasm' : 'cpu';
  return {
    name,
    variants: ['fast', 'predict'],
    threadsFixedPerProcess: backend === 'wasm',
    async availability() {
      const loaded = await loadTfjs();
      if (loaded.api === undefined) return loaded.reason;
      try {
        await initializeRuntime(loaded.api, backend, 1);
        return undefined;
      } catch (error) {
        return `tfjs backend '${backend}' does not initialize: ${(error as Error).message}`;
      }
    },
    async prepare(request: PrepareRequest): Promise<PreparedRunner> {
      const loaded = await loadTfjs();
      if (loaded.api === undefined) throw new NotAvailableError(loaded.reason);
      const api = loaded.api;
      const { tf, tfl, threads, simd } = await initializeRuntime(api, backend, request.threads);
      await tf.setBackend(backend);
      const { model, counted } = await buildModel(api, tfl, request);
      const infer = request.variant === 'fast' ? api.compileInference(model) : undefined;
      const inputs = new WeakMap<Tensor, TfCore.Tensor4D>();
      const created: TfCore.Tensor[] = [];
      const toNhwc = (input: Tensor): TfCore.Tensor4D => {
        let value = inputs.get(input);
        if (value === undefined) {
          const [n, c, h, w] = input.shape;
          value = tf.tidy(() => tf.transpose(tf.tensor4d(input.data, [n, c, h, w]), [0, 2, 3, 1]) as TfCore.Tensor4D);
          inputs.set(input, value);
          created.push(value);
        }
        return value;
      };
      const notes = [`tfjs-core ${tf.version_core}, backend '${backend}'`];
      if (infer?.summary) {
        const s = infer.summary;
        notes.push(`compileInference: ${s.steps} steps for ${s.layers} layers, ${s.foldedBatchNorms} BatchNorms folded, ${s.fusedActivations} activations fused`);
      }
      const info: RunnerInfo = { runtime: `tfjs-backend-${backend}`, version: tf.version_core, threads, simd, notes };
      return {
        info,
        ...(counted ? { counted } : {}),
        async activate() {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
        },
        async run(input: Tensor) {
          const x = toNhwc(input);
          const y = infer ? infer(x) : (model.predict(x) as TfCore.Tensor);
          const data = (await y.data()) as Float32Array;
          y.dispose();
          return data;
        },
        memory() {
          const m = tf.memory();
          return { tensors: m.numTensors, bytes: m.numBytes };
        },
        async dispose() {
          infer?.dispose();
          for (const t of created) t.dispose();
          model.dispose();
        },
      };
    },
  };
}

async function buildModel(api: TfjsApi, tfl: typeof TfLayers, request: PrepareRequest): Promise<{ model: TfLayers.LayersModel; counted?: FileCounts }> {
  const { model } = request;
  if (model.kind === 'graph') return { model: api.toLayersModel(model.graph, model.weights) };
  if (model.format !== 'tfjs') throw new NotAvailableError(`a ${model.format} model file does not run on tfjs backends`);
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  // tfjs-layers' file:// loading needs tfjs-node; read model.json and its shards ourselves.
  const json = JSON.parse(await readFile(model.path, 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: TfCore.io.WeightsManifestEntry[] }>;
  };
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((p) => readFile(join(dirname(model.path), p)))));
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.length;
  }
  const loaded = await tfl.loadLayersModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: weightData.buffer }) });
  if (request.attention === undefined) return { model: loaded, counted: count(api, loaded, request, []) };
  if (!api.insertAttention) throw new NotAvailableError('@attnkit/tfjs does not export insertAttention yet');
  const after = model.insertAt === 'residual' ? 'residual' : Array.isArray(model.insertAt) ? model.insertAt : [model.insertAt];
  const inserted = api.insertAttention(loaded, { attention: request.attention, after, seed: request.seed });
  return { model: inserted.model, counted: count(api, inserted.model, request, inserted.report) };
}

/** The model's own counts (its layers' weights and output shapes), the inserted layers counted by core. */
function count(api: TfjsApi, model: TfLayers.LayersModel, request: PrepareRequest, report: TfjsInsertionEntry[]): FileCounts {
  const insertions = report.map((e) => ({ point: e.layer, module: e.name, ...(e.before ? { before: e.before } : {}), channels: e.channels, ...(e.kernelSize === undefined ? {} : { kernelSize: e.kernelSize }), parameters: e.parameters, macs: 0, flops: 0, shape: [] }));
  if (typeof api.readModelGraph !== 'function') return { costs: null, insertions, reason: '@attnkit/tfjs does not export readModelGraph' };
  try {
    return tfjsModelCosts(model, request.inputShape, api.readModelGraph(model).calls, request.attention, report);
  } catch (error) {
    return { costs: null, insertions, reason: `not counted: ${errorMessage(error)}` };
  }
}
