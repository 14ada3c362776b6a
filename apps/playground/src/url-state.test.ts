import { describe, expect, it } from 'vitest';
import { configFromHash, configToHash } from './url-state.js';

describe('config in the URL', () => {
  it('round-trips a config with nested options through the hash', () => {
    const config = { models: ['resnet50'], attention: ['none', { type: 'eca', kernelSize: [3, 5, 5, 7] }], backends: ['onnx-wasm'] };
    const hash = configToHash(config);
    expect(hash.startsWith('#config=%7B')).toBe(true);
    expect(configFromHash(hash)).toEqual({ config });
  });

  it('says when the link holds no config, and when it holds text that is not JSON', () => {
    expect(configFromHash('')).toEqual({});
    expect(configFromHash('#config=%7Bnot')).toEqual({ error: expect.stringMatching(/^the link's config is not JSON: /) });
  });
});
