/**
 * The browser backends, as the bench engine's `BenchBackend`s: onnxruntime-web on wasm (threads
 * when the page is cross-origin isolated) and on WebGPU, tfjs on wasm, WebGL and WebGPU. Zoo
 * networks come as core's traced graph with seeded weights; ONNX gets them from @attnkit/onnx's
 * emitter, tfjs from @attnkit/tfjs's toLayersModel (timed on compileInference's fast path and on
 * LayersModel.predict, as the CLI does).
 */
import type { Tensor } from '@attnkit/core';
import { type OnnxSession, type Runner, createRunner, emitModel, encodeModel } from '@attnkit/onnx';
import { type BackendName, compileInference, toLayersModel, useBackend } from '@attnkit/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchBackend, PrepareRequest, PreparedRunner } from '../../cli/src/bench/bench-backend.js';
import { NotAvailableError } from '../../cli/src/bench/bench-backend.js';
import { isolated, wasmBase } from './site-paths.js';

export const browserBackendNames = ['onnx-wasm', 'onnx-webgpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu'] as const;
export type BrowserBackendName = (typeof browserBackendNames)[number];

/** The first logits of a run, kept in the results (runtime notes) so a page and a Node run can be compared. */
export const shownLogits = 5;
export const logitsNote = (output: Float32Array) => `first logits: ${Array.from(output.subarray(0, shownLogits), (v) => v.toPrecision(8)).join(', ')}`;

async function webGpuAdapterMissing(): Promise<string | undefined> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (gpu === undefined) return 'this browser has no WebGPU (navigator.gpu is missing; it needs a secure context such as https or 127.0.0.1)';
  const adapter = await gpu.requestAdapter().catch(() => null);
  return adapter ? undefined : 'WebGPU is present but gives no adapter (no usable GPU or driver)';
}

function webGlMissing(): string | undefined {
  const canvas = document.createElement('canvas');
  return canvas.getContext('webgl2') ? undefined : 'this browser gives no WebGL 2 context';
}

function firstRunRecorder(run: (input: Tensor) => Promise<Float32Array>, notes: string[]): (input: Tensor) => Promise<Float32Array> {
  let recorded = false;
  return async (input) => {
    const output = await run(input);
    if (!recorded) {
      notes.push(logitsNote(output));
      recorded = true;
    }
    return output;
  };
}

function graphOf(request: PrepareRequest) {
  if (request.model.kind !== 'graph') throw new NotAvailableError('the page benchmarks zoo networks; drop your own model in "Your own model" to run it');
  return request.model;
}

function createOnnxBackend(name: 'onnx-wasm' | 'onnx-webgpu'): BenchBackend {
  const provider = name === 'onnx-wasm' ? 'wasm' : 'webgpu';
  let runner: Promise<Runner> | undefined;
  const runnerFor = (threads: number) => {
    runner ??= createRunner({
      runtime: 'onnxruntime-web',
      // onnxruntime-web fixes its thread count with the first session; without isolation it has one.
      threads: isolated ? threads : 1,
      executionProviders: [provider],
      wasmPaths: wasmBase.ort,
      importRuntime: { 'onnxruntime-web': () => (provider === 'wasm' ? import('onnxruntime-web/wasm') : import('onnxruntime-web/webgpu')) },
    });
    return runner;
  };
  return {
    name: name as never,
    variants: ['default'],
    availability: async () => (provider === 'webgpu' ? webGpuAdapterMissing() : typeof WebAssembly === 'object' ? undefined : 'no WebAssembly'),
    async prepare(request): Promise<PreparedRunner> {
      const { graph, weights } = graphOf(request);
      const bytes = encodeModel(emitModel(graph, weights));
      const session: OnnxSession = await (await runnerFor(request.threads)).load(bytes);
      const info = session.info();
      const notes = [`execution providers: ${info.executionProviders.join(', ')}`, `session created in ${info.loadMilliseconds.toFixed(0)} ms`, `model ${(bytes.length / 1024 ** 2).toFixed(1)} MiB`];
      const [inputName] = session.inputNames;
      const [outputName] = session.outputNames;
      return {
        info: { runtime: info.runtime, version: info.version, threads: info.threads, simd: info.simd, notes },
        run: firstRunRecorder(async (input) => (await session.run({ [inputName]: { dims: [...input.shape], data: input.data } }))[outputName].data, notes),
        dispose: () => session.dispose(),
      };
    },
  };
}

const tfjsReady = new Map<BackendName, Promise<{ threads: number; simd: boolean; multithreadBuild: boolean }>>();

/**
 * The page imports each backend package itself (literal imports its bundler follows) before
 * `useBackend`, which then finds the backend registered; `@attnkit/tfjs` needs no bundler help.
 */
export const tfjsBackendPackages: Readonly<Record<BackendName, () => Promise<unknown>>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
};

/** Registers and activates a tfjs backend once per page (tfjs-backend-wasm reads its threads when it starts). */
function initializeTfjs(backend: BackendName, threads: number) {
  let ready = tfjsReady.get(backend);
  if (ready === undefined) {
    ready = (async () => {
      tf.env().set('PROD', true);
      if (backend === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(wasmBase.tfjs);
        wasm.setThreadsCount(isolated ? threads : 1);
        const report = await useBackend('wasm');
        // What the backend settled on (it reads setThreadsCount when it starts, its threaded build only when isolated).
        return { threads: report.threads ? wasm.getThreadsCount() : 1, simd: report.simd, multithreadBuild: report.threads };
      }
      await tfjsBackendPackages[backend]();
      await useBackend(backend);
      return { threads: 1, simd: false, multithreadBuild: false };
    })();
    ready.catch(() => tfjsReady.delete(backend));
    tfjsReady.set(backend, ready);
  }
  return ready;
}

function createTfjsBackend(name: 'tfjs-wasm' | 'tfjs-webgl' | 'tfjs-webgpu'): BenchBackend {
  const backend = name.slice('tfjs-'.length) as BackendName;
  return {
    name: name as never,
    variants: ['fast', 'predict'],
    // Checked without starting the backend: tfjs-backend-wasm fixes its thread count when it starts.
    availability: async () => (backend === 'webgpu' ? webGpuAdapterMissing() : backend === 'webgl' ? webGlMissing() : typeof WebAssembly === 'object' ? undefined : 'no WebAssembly'),
    async prepare(request): Promise<PreparedRunner> {
      const { graph, weights } = graphOf(request);
      const { threads, simd, multithreadBuild } = await initializeTfjs(backend, request.threads);
      await tf.setBackend(backend);
      const model = toLayersModel(graph, weights);
      const infer = request.variant === 'fast' ? compileInference(model) : undefined;
      const [n, c, h, w] = request.inputShape;
      let input: tf.Tensor4D | undefined;
      const notes = [`tfjs-core ${tf.version_core}, backend '${backend}'${backend === 'wasm' ? `, ${multithreadBuild ? 'multi-threaded' : 'single-threaded'} build` : ''}`];
      return {
        info: { runtime: `tfjs-backend-${backend}`, version: tf.version_core, threads, simd: backend === 'wasm' ? simd : null, notes },
        async activate() {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
        },
        run: firstRunRecorder(async (x) => {
          input ??= tf.tidy(() => tf.transpose(tf.tensor4d(x.data, [n, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D);
          const y = infer ? infer(input) : (model.predict(input) as tf.Tensor);
          const data = (await y.data()) as Float32Array;
          y.dispose();
          return data;
        }, notes),
        memory() {
          const m = tf.memory();
          return { tensors: m.numTensors, bytes: m.numBytes };
        },
        async dispose() {
          infer?.dispose();
          input?.dispose();
          model.dispose();
        },
      };
    },
  };
}

/** One explicit table from backend name to implementation, in the order the page lists them. */
export function createBrowserBackends(): Record<BrowserBackendName, BenchBackend> {
  return {
    'onnx-wasm': createOnnxBackend('onnx-wasm'),
    'onnx-webgpu': createOnnxBackend('onnx-webgpu'),
    'tfjs-wasm': createTfjsBackend('tfjs-wasm'),
    'tfjs-webgl': createTfjsBackend('tfjs-webgl'),
    'tfjs-webgpu': createTfjsBackend('tfjs-webgpu'),
  };
}
