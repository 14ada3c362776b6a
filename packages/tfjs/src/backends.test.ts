import { isAttnkitError } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';

describe('useBackend', () => {
  it('rejects an unknown backend name with the names it takes', async () => {
    const error = await useBackend('webgpu' as never).catch((e: unknown) => e);
    expect(isAttnkitError(error, 'INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toBe("unknown tfjs backend 'webgpu'; choose 'cpu', 'wasm' or 'webgl' (browsers)");
  });

  it("says webgl needs a browser when asked for it in Node (the browser tests run it in Chromium)", async () => {
    const error = await useBackend('webgl').catch((e: unknown) => e);
    expect(isAttnkitError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe("tfjs backend 'webgl' needs a browser with WebGL; in Node use 'wasm' or 'cpu'");
  });
});
