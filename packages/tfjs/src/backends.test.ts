import { isAttnkitError } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';

/** The tfjs release under test: the workspace's, or the one tools/runtime-range swaps in. */
const tfjsVersion = process.env.ATTNKIT_TFJS_VERSION ?? '4.22.0';

describe('useBackend', () => {
  it('rejects an unknown backend name with the names it takes', async () => {
    const error = await useBackend('webnn' as never).catch((e: unknown) => e);
    expect(isAttnkitError(error, 'INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toBe("unknown tfjs backend 'webnn'; choose 'cpu', 'wasm', 'webgl' or 'webgpu' (browsers)");
  });

  it("says webgl needs a browser when asked for it in Node (the browser tests run it in Chromium)", async () => {
    const error = await useBackend('webgl').catch((e: unknown) => e);
    expect(isAttnkitError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe("tfjs backend 'webgl' needs a browser with WebGL; in Node use 'wasm' or 'cpu'");
  });

  it('imports the backend through importBackend when given (how a browser bundle names it) and reports its version', async () => {
    let imported = 0;
    const report = await useBackend('cpu', {
      importBackend: async () => {
        imported += 1;
        return import('@tensorflow/tfjs-backend-cpu');
      },
    });
    expect(imported).toBe(1);
    expect(report).toEqual({ backend: 'cpu', simd: false, threads: false, version: tfjsVersion });
  });

  it('a backend whose import fails is BACKEND_UNAVAILABLE naming the package and how to import it in a bundle', async () => {
    const error = await useBackend('wasm', { importBackend: () => Promise.reject(new Error('Failed to fetch dynamically imported module')) }).catch((e: unknown) => e);
    expect(isAttnkitError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe(
      "tfjs backend 'wasm' could not be loaded (install @tensorflow/tfjs-backend-wasm; in a browser bundle import it or pass importBackend: () => import('@tensorflow/tfjs-backend-wasm')): Failed to fetch dynamically imported module",
    );
  });

  it('says webgpu needs a browser with WebGPU when asked for it in Node (the playground e2e runs it in Chromium)', async () => {
    const error = await useBackend('webgpu').catch((e: unknown) => e);
    expect(isAttnkitError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe("tfjs backend 'webgpu' needs a browser with WebGPU (navigator.gpu); use 'webgl', 'wasm' or 'cpu'");
  });
});
