/**
 * One runner over onnxruntime-common's InferenceSession, realized by onnxruntime-node (native,
 * Node only) or onnxruntime-web (WebAssembly, in Node and in the browser).
 *
 * `runtime: 'auto'` tries onnxruntime-node first when running in Node.js, then onnxruntime-web,
 * and like onnxruntime's own backend resolution fails with ONE error that lists every runtime
 * tried and why it did not load.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import type * as OrtCommon from 'onnxruntime-common';

export type RuntimeName = 'onnxruntime-node' | 'onnxruntime-web';

/** The part of an onnxruntime package module the runner uses (both packages re-export onnxruntime-common). */
export type OrtModule = Pick<typeof OrtCommon, 'InferenceSession' | 'Tensor' | 'env'>;

export interface RunnerOptions {
  /** Default 'auto': onnxruntime-node in Node.js when it loads, otherwise onnxruntime-web. */
  runtime?: 'auto' | RuntimeName;
  /**
   * Intra-op threads. onnxruntime-node: a session option (default: the runtime's choice, one per
   * physical core). onnxruntime-web: `env.wasm.numThreads`, process-wide and fixed once the first
   * session is created (threads > 1 need cross-origin isolation in a browser).
   */
  threads?: number;
  /** Default ['cpu'] for onnxruntime-node and ['wasm'] for onnxruntime-web. */
  executionProviders?: string[];
  /** onnxruntime-web only: where the ort-wasm-*.wasm/.mjs files are served (needed in most browser bundles). */
  wasmPaths?: string | Record<string, string>;
  /**
   * How to import each runtime, for bundles that need a specific entry (e.g. `() => import('onnxruntime-web/webgpu')`).
   * Defaults to a dynamic import of the package name.
   */
  importRuntime?: Partial<Record<RuntimeName, () => Promise<unknown>>>;
}

/** A float32 tensor in NCHW (or any) layout: `data.length` is the product of `dims`. */
export interface RunnerTensor {
  dims: number[];
  data: Float32Array;
}

export interface SessionInfo {
  runtime: RuntimeName;
  /** The version of the runtime package (onnxruntime-node / -web), as it reports itself. */
  version: string;
  executionProviders: string[];
  /** Threads asked for, or what onnxruntime-web settled on; 'default' when the runtime chooses. */
  threads: number | 'default';
  /** Whether SIMD WebAssembly runs the model: true for onnxruntime-web (its only builds are SIMD), null for native. */
  simd: boolean | null;
  inputNames: string[];
  outputNames: string[];
  /** Wall time of InferenceSession.create, in milliseconds. */
  loadMilliseconds: number;
}

export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(inputs: Record<string, RunnerTensor>): Promise<Record<string, RunnerTensor>>;
  info(): SessionInfo;
  dispose(): Promise<void>;
}

export interface Runner {
  readonly runtime: RuntimeName;
  readonly version: string;
  load(bytes: Uint8Array): Promise<OnnxSession>;
}

/** One runtime that did not load, and why. */
export interface RuntimeAttempt {
  runtime: RuntimeName;
  reason: string;
}

const runtimeOrder: RuntimeName[] = ['onnxruntime-node', 'onnxruntime-web'];

export async function createRunner(options: RunnerOptions = {}): Promise<Runner> {
  const requested = options.runtime ?? 'auto';
  if (requested !== 'auto' && !runtimeOrder.includes(requested)) {
    throw new AttnkitError(
      ErrorCodes.INVALID_OPTION,
      `runtime '${String(requested)}' is not known; expected 'auto', 'onnxruntime-node' or 'onnxruntime-web'`,
      { path: 'runtime', allowed: ['auto', ...runtimeOrder] },
    );
  }
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `threads is ${options.threads}; expected an integer >= 1 (or leave it out for the runtime's default)`, {
      path: 'threads',
    });
  }
  const candidates = requested === 'auto' ? runtimeOrder : [requested];
  const tried: RuntimeAttempt[] = [];
  for (const runtime of candidates) {
    if (runtime === 'onnxruntime-node' && !isNode() && options.importRuntime?.[runtime] === undefined) {
      tried.push({ runtime, reason: 'not running in Node.js (onnxruntime-node is a native addon)' });
      continue;
    }
    try {
      const module = await importRuntime(runtime, options);
      return runtime === 'onnxruntime-node' ? nodeRunner(module, options) : webRunner(module, options);
    } catch (cause) {
      tried.push({ runtime, reason: cause instanceof Error ? cause.message : String(cause) });
    }
  }
  throw new AttnkitError(
    ErrorCodes.BACKEND_UNAVAILABLE,
    `no ONNX runtime could be loaded; tried ${tried.map((attempt) => `${attempt.runtime} (${attempt.reason})`).join('; ')}. ` +
      'Install onnxruntime-web (any environment) or onnxruntime-node (Node.js), or pass importRuntime for your bundle.',
    { tried },
  );
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

async function importRuntime(runtime: RuntimeName, options: RunnerOptions): Promise<OrtModule> {
  const importer = options.importRuntime?.[runtime];
  // A non-literal specifier (ignored by Vite and webpack) keeps browser bundlers from bundling
  // the native addon or failing on a runtime the app did not install.
  const specifier: string = runtime;
  const loaded = (await (importer ? importer() : import(/* webpackIgnore: true */ /* @vite-ignore */ specifier))) as Partial<OrtModule> & { default?: Partial<OrtModule> };
  const module = loaded.InferenceSession ? loaded : loaded.default;
  if (!module?.InferenceSession || !module.Tensor || !module.env) {
    throw new Error(`the module has no InferenceSession, Tensor and env exports`);
  }
  return module as OrtModule;
}

function runtimeVersion(module: OrtModule, key: 'node' | 'web'): string {
  return module.env.versions?.[key] ?? module.env.versions?.common ?? 'unknown';
}

function nodeRunner(module: OrtModule, options: RunnerOptions): Runner {
  const executionProviders = options.executionProviders ?? ['cpu'];
  const version = runtimeVersion(module, 'node');
  return {
    runtime: 'onnxruntime-node',
    version,
    load: (bytes) =>
      loadSession(module, bytes, {
        runtime: 'onnxruntime-node',
        version,
        executionProviders,
        sessionOptions: options.threads ? { intraOpNumThreads: options.threads } : {},
        threads: () => options.threads ?? 'default',
        simd: null,
      }),
  };
}

function webRunner(module: OrtModule, options: RunnerOptions): Runner {
  const executionProviders = options.executionProviders ?? ['wasm'];
  const version = runtimeVersion(module, 'web');
  const wasm = module.env.wasm;
  if (options.threads !== undefined) wasm.numThreads = options.threads;
  if (options.wasmPaths !== undefined) wasm.wasmPaths = options.wasmPaths;
  return {
    runtime: 'onnxruntime-web',
    version,
    load: (bytes) =>
      loadSession(module, bytes, {
        runtime: 'onnxruntime-web',
        version,
        executionProviders,
        sessionOptions: {},
        // onnxruntime-web resolves 0 (= automatic) to a count when its wasm module starts.
        threads: () => (wasm.numThreads ? wasm.numThreads : 'default'),
        simd: true,
      }),
  };
}

interface LoadContext {
  runtime: RuntimeName;
  version: string;
  executionProviders: string[];
  sessionOptions: OrtCommon.InferenceSession.SessionOptions;
  threads: () => number | 'default';
  simd: boolean | null;
}

/**
 * What to do about a load failure the runtime's words alone do not explain. onnxruntime-web's
 * WebGL backend resolves no model-local functions (`ai.attnkit` modules) and computes no int64
 * tensors (the `Shape` that sizes the expanded gate's `Resize`, CECA's circular padding):
 * emitted models load there with `{ inlineFunctions: true, gateMul: 'broadcast' }`.
 */
export function loadFailureHint(executionProviders: readonly string[], reason: string): string {
  const webgl = executionProviders.some((ep) => ep === 'webgl');
  if (!webgl || !/cannot resolve operator|int64|data type is not float/i.test(reason)) return '';
  return ". onnxruntime-web's WebGL backend runs no model-local functions and no int64 shape arithmetic: emit with { inlineFunctions: true, gateMul: 'broadcast' } (CLI: attnkit export --inline-functions --gate-mul broadcast); ECA-NS (ReduceSum) and CECA (int64 gather) have no WebGL form";
}

async function loadSession(module: OrtModule, bytes: Uint8Array, context: LoadContext): Promise<OnnxSession> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `load() needs the bytes of a .onnx file as a non-empty Uint8Array, got ${bytes instanceof Uint8Array ? 'an empty one' : typeof bytes}`);
  }
  const started = performance.now();
  let session: OrtCommon.InferenceSession;
  try {
    session = await module.InferenceSession.create(bytes, {
      ...context.sessionOptions,
      executionProviders: context.executionProviders,
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `${context.runtime} ${context.version} could not load the model: ${reason}; expected a valid .onnx model whose ops the runtime supports${loadFailureHint(context.executionProviders, reason)}`,
      { runtime: context.runtime, reason },
    );
  }
  const loadMilliseconds = performance.now() - started;
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  if (inputNames.length === 0 || outputNames.length === 0) {
    await session.release();
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `${context.runtime} loaded a model with ${inputNames.length} inputs and ${outputNames.length} outputs; a model to run needs at least one of each`,
      { runtime: context.runtime, inputNames, outputNames },
    );
  }
  return {
    inputNames,
    outputNames,
    async run(inputs) {
      const feeds: Record<string, OrtCommon.Tensor> = {};
      for (const name of inputNames) {
        const input = inputs[name];
        if (input === undefined) {
          throw new AttnkitError(ErrorCodes.INVALID_OPTION, `input '${name}' is missing; the model takes ${inputNames.map((n) => `'${n}'`).join(', ')}`, {
            path: name,
            allowed: inputNames,
          });
        }
        const count = input.dims.reduce((product, dim) => product * dim, 1);
        if (!(input.data instanceof Float32Array) || input.data.length !== count) {
          throw new AttnkitError(
            ErrorCodes.SHAPE_MISMATCH,
            `input '${name}': dims [${input.dims.join(', ')}] need a Float32Array of ${count} values, got ${input.data instanceof Float32Array ? input.data.length : typeof input.data}`,
            { name, dims: input.dims },
          );
        }
        feeds[name] = new module.Tensor('float32', input.data, input.dims);
      }
      for (const name of Object.keys(inputs)) {
        if (!inputNames.includes(name)) {
          throw new AttnkitError(ErrorCodes.INVALID_OPTION, `input '${name}' is not an input of the model; it takes ${inputNames.map((n) => `'${n}'`).join(', ')}`, {
            path: name,
            allowed: inputNames,
          });
        }
      }
      let results: OrtCommon.InferenceSession.ReturnType;
      try {
        results = await session.run(feeds);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new AttnkitError(
          ErrorCodes.INVALID_FILE,
          `${context.runtime} ${context.version} could not run the model on inputs ${Object.entries(inputs)
            .map(([name, tensor]) => `'${name}' float32 [${tensor.dims.join(', ')}]`)
            .join(', ')}: ${reason}; expected a model whose inputs take float32 tensors of these shapes`,
          { runtime: context.runtime, reason },
        );
      }
      const outputs: Record<string, RunnerTensor> = {};
      for (const name of outputNames) {
        const tensor = results[name];
        const data = tensor.data;
        outputs[name] = {
          dims: [...tensor.dims],
          data: data instanceof Float32Array ? new Float32Array(data) : Float32Array.from(data as ArrayLike<number>, Number),
        };
        tensor.dispose();
      }
      return outputs;
    },
    info: () => ({
      runtime: context.runtime,
      version: context.version,
      executionProviders: [...context.executionProviders],
      threads: context.threads(),
      simd: context.simd,
      inputNames: [...inputNames],
      outputNames: [...outputNames],
      loadMilliseconds,
    }),
    dispose: () => session.release(),
  };
}
