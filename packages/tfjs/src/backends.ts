/**
 * Selecting a tfjs backend by name. The backend packages are optional peers: each is imported
 * only when asked for, so an app that runs on cpu never loads the wasm binary (and vice versa).
 * webgl is for browsers (Node has no WebGL), and so is webgpu (a browser with a WebGPU adapter).
 *
 * Nothing here names a backend package in a way a bundler follows: the default import uses a
 * variable specifier (marked ignored for Vite and webpack), so bundling `@attnkit/tfjs` for a
 * browser never fails on a backend the app did not install. In Node that import resolves the
 * package normally; in a browser bundle the app passes `importBackend` (a literal import its
 * bundler follows) or imports the backend package itself before calling `useBackend`.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/** The npm package of each backend; a new backend is one more entry here. */
const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

const BACKENDS = Object.keys(BACKEND_PACKAGES) as BackendName[];

export interface BackendReport {
  backend: BackendName;
  /** wasm: the SIMD build runs; cpu: false. */
  simd: boolean;
  /** wasm: the multi-threaded build runs; cpu: false. Always false in Node (no worker support). */
  threads: boolean;
  /**
   * Version of the backend package; 'unknown' when the app registered the backend itself and
   * the package cannot be imported by name (a browser bundle without `importBackend`).
   */
  version: string;
}

export interface UseBackendOptions {
  /**
   * Imports the backend package, for browser bundles: `() => import('@tensorflow/tfjs-backend-wasm')`.
   * Default: a dynamic import of the package by name, which works in Node.
   */
  importBackend?: () => Promise<unknown>;
}

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Registers (if needed) and activates a tfjs backend; rejects with BACKEND_UNAVAILABLE otherwise. */
export async function useBackend(name: BackendName, options: UseBackendOptions = {}): Promise<BackendReport> {
  if (!BACKENDS.includes(name)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `unknown tfjs backend '${String(name)}'; choose 'cpu', 'wasm', 'webgl' or 'webgpu' (browsers)`, { allowed: [...BACKENDS] });
  }
  if (name === 'webgl' && isNode) {
    throw new AttnkitError(ErrorCodes.BACKEND_UNAVAILABLE, "tfjs backend 'webgl' needs a browser with WebGL; in Node use 'wasm' or 'cpu'", { tried: [{ backend: name, reason: 'no WebGL in Node.js' }] });
  }
  if (name === 'webgpu' && (isNode || typeof navigator === 'undefined' || !('gpu' in navigator))) {
    throw new AttnkitError(ErrorCodes.BACKEND_UNAVAILABLE, "tfjs backend 'webgpu' needs a browser with WebGPU (navigator.gpu); use 'webgl', 'wasm' or 'cpu'", {
      tried: [{ backend: name, reason: isNode ? 'no WebGPU in Node.js' : 'navigator.gpu is missing' }],
    });
  }
  const version = await loadBackend(name, options);
  if (name === 'wasm' && isNode) {
    // The threaded build needs Web Workers, which Node does not give it. The binaries are found
    // next to the package's Node entry (its dist/), so no wasm path is needed.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const ok = await tf.setBackend(name);
  if (!ok) {
    throw new AttnkitError(ErrorCodes.BACKEND_UNAVAILABLE, `tfjs backend '${name}' is registered but failed to initialize`, { tried: [{ backend: name, reason: 'initialization failed' }] });
  }
  await tf.ready();
  const simd = name === 'wasm' && (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = name === 'wasm' && (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return { backend: name, simd, threads, version };
}

/** Imports the backend package (which registers the backend) and returns its version. */
async function loadBackend(name: BackendName, options: UseBackendOptions): Promise<string> {
  const packageName = BACKEND_PACKAGES[name];
  let module: unknown;
  try {
    module = options.importBackend ? await options.importBackend() : await importByName(packageName);
  } catch (error) {
    // The app may have imported the package itself (the usual way in a browser bundle).
    if (options.importBackend === undefined && tf.findBackendFactory(name) !== null) return 'unknown';
    throw new AttnkitError(
      ErrorCodes.BACKEND_UNAVAILABLE,
      `tfjs backend '${name}' could not be loaded (install ${packageName}; in a browser bundle import it or pass importBackend: () => import('${packageName}')): ${(error as Error).message}`,
      { tried: [{ backend: name, reason: (error as Error).message }] },
    );
  }
  const exports = module as Record<string, unknown> & { default?: Record<string, unknown> };
  const version = exports[`version_${name}`] ?? exports.default?.[`version_${name}`];
  // The webgpu package exports no version; tfjs releases its packages in lockstep with core.
  if (name === 'webgpu') return tf.version_core;
  return typeof version === 'string' ? version : 'unknown';
}

function importByName(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}
