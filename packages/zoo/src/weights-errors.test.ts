import { type NetworkDefinition, tensor } from '@attnkit/core';
import { thrownAttnkitError as thrown } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { saveWeights } from './save-weights.js';
import { loadStateDict, STATE_DICT_CONVENTIONS } from './weights/index.js';

/** One conv without bias: `conv.weight` [2, 1, 1, 1]. */
const net: NetworkDefinition = { name: 'one-conv', defaultInputShape: [1, 1, 2, 2], forward: (scope, x) => scope.conv2d('conv', x, { outChannels: 2, kernel: 1 }) };

describe('saveWeights refuses weights that do not match the network, listing every problem', () => {
  it('missing, misshaped and unexpected names in one WEIGHTS_MISMATCH', () => {
    const missing = thrown(() => saveWeights(net, new Map([['extra', tensor([1], [0])]])));
    expect(missing.code).toBe('WEIGHTS_MISMATCH');
    expect(missing.message).toBe('the weights do not match one-conv:\n  missing conv.weight [2, 1, 1, 1]\n  unexpected extra');
    expect(missing.details).toEqual({ problems: ['missing conv.weight [2, 1, 1, 1]', 'unexpected extra'] });
    const misshaped = thrown(() => saveWeights(net, new Map([['conv.weight', tensor([1, 2, 1, 1], [1, 2])]])));
    expect(misshaped.details).toEqual({ problems: ['conv.weight: network [2, 1, 1, 1], weights [1, 2, 1, 1]'] });
  });
});

describe('loadStateDict option checks', () => {
  it('strict that is not a boolean is INVALID_OPTION at path strict', () => {
    const error = thrown(() => loadStateDict([], new Map(), { strict: 'yes' as unknown as boolean }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBe('strict must be true or false, got "yes"');
    expect(error.details).toEqual({ path: 'strict', allowed: [true, false] });
  });

  it('an unknown convention is INVALID_OPTION listing the conventions', () => {
    const error = thrown(() => loadStateDict([], new Map(), { convention: 'keras' as never }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.details).toEqual({ path: 'convention', allowed: ['auto', ...STATE_DICT_CONVENTIONS] });
    expect(error.message).toBe(`unknown convention "keras": use one of ${['auto', ...STATE_DICT_CONVENTIONS].map((c) => `'${c}'`).join(', ')}`);
  });
});
