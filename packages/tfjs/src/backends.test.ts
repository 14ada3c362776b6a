import { isAttnkitError } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';

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

  it('says webgpu needs a browser with WebGPU when asked for it in Node (the playground e2e runs it in Chromium)', async () => {
    const error = await useBackend('webgpu').catch((e: unknown) => e);
    expect(isAttnkitError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe("tfjs backend 'webgpu' needs a browser with WebGPU (navigator.gpu); use 'webgl', 'wasm' or 'cpu'");
  });
});
