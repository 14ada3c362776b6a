/**
 * Selecting a tfjs backend by name. The backend packages are optional: each is imported only when
 * asked for, so an app that runs on cpu never loads the wasm binary (and vice versa). webgl is
 * for browsers (Node has no WebGL), and so is webgpu (a browser with a WebGPU adapter).
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgl', 'webgpu'];

export interface BackendReport {
  backend: BackendName;
  /** wasm: the SIMD build runs; cpu: false. */
  simd: boolean;
  /** wasm: the multi-threaded build runs; cpu: false. Always false in Node (no worker support). */
  threads: boolean;
  /** Version of the backend package. */
  version: string;
}

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Registers (if needed) and activates a tfjs backend; rejects with BACKEND_UNAVAILABLE otherwise. */
export async function useBackend(name: BackendName): Promise<BackendReport> {
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
  let version: string;
  try {
    version = name === 'cpu' ? await loadCpu() : name === 'wasm' ? await loadWasm() : name === 'webgl' ? await loadWebgl() : await loadWebgpu();
  } catch (error) {
    throw new AttnkitError(
      ErrorCodes.BACKEND_UNAVAILABLE,
      `tfjs backend '${name}' could not be loaded (install @tensorflow/tfjs-backend-${name}): ${(error as Error).message}`,
      { tried: [{ backend: name, reason: (error as Error).message }] },
    );
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

async function loadCpu(): Promise<string> {
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  return cpu.version_cpu;
}

async function loadWebgl(): Promise<string> {
  const webgl = await import('@tensorflow/tfjs-backend-webgl');
  return webgl.version_webgl;
}

async function loadWebgpu(): Promise<string> {
  await import('@tensorflow/tfjs-backend-webgpu');
  // The webgpu package exports no version; tfjs releases its packages in lockstep with core.
  return tf.version_core;
}

async function loadWasm(): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (isNode && tf.findBackend('wasm') === null) {
    // In Node the binaries are read from the package's dist/ folder; the threaded build needs
    // Web Workers, which Node does not give it.
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${join(dirname(main), '/')}`);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  return wasm.version_wasm;
}
