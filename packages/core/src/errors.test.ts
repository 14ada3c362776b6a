import { describe, expect, it, vi } from 'vitest';
import { AttnkitError, ErrorCodes, isAttnkitError } from './errors.js';

/** A second, separately loaded copy of this module: its own AttnkitError class, as a duplicate install has. */
async function loadSecondCopy(): Promise<typeof import('./errors.js')> {
  vi.resetModules();
  return import('./errors.js');
}

describe('AttnkitError identity', () => {
  it('two copies of core recognize each other’s errors (isAttnkitError and instanceof)', async () => {
    const second = await loadSecondCopy();
    expect(second.AttnkitError).not.toBe(AttnkitError);
    const fromSecond = new second.AttnkitError(second.ErrorCodes.UNKNOWN_MODULE, "unknown attention 'x'", { id: 'x' });
    const fromFirst = new AttnkitError(ErrorCodes.INVALID_OPTION, 'bad option');
    expect(isAttnkitError(fromSecond)).toBe(true);
    expect(isAttnkitError(fromSecond, ErrorCodes.UNKNOWN_MODULE)).toBe(true);
    expect(isAttnkitError(fromSecond, ErrorCodes.INVALID_OPTION)).toBe(false);
    expect(second.isAttnkitError(fromFirst, 'INVALID_OPTION')).toBe(true);
    expect(fromSecond instanceof AttnkitError).toBe(true);
    expect(fromFirst instanceof second.AttnkitError).toBe(true);
  });

  it('is not fooled by other errors or look-alikes without the marker', () => {
    expect(isAttnkitError(new Error('x'))).toBe(false);
    expect(isAttnkitError({ name: 'AttnkitError', code: 'UNKNOWN_MODULE', message: 'x' })).toBe(false);
    expect(isAttnkitError(null)).toBe(false);
    expect(isAttnkitError('AttnkitError')).toBe(false);
    expect(new Error('x') instanceof AttnkitError).toBe(false);
  });

  it('keeps the cause it was raised from', () => {
    const parse = new SyntaxError('Unexpected token } in JSON');
    const error = new AttnkitError(ErrorCodes.INVALID_FILE, 'config.json is not valid JSON', { path: 'config.json' }, { cause: parse });
    expect(error.cause).toBe(parse);
    expect(error.details).toEqual({ path: 'config.json' });
    expect(new AttnkitError(ErrorCodes.INVALID_FILE, 'x').cause).toBeUndefined();
    expect('cause' in new AttnkitError(ErrorCodes.INVALID_FILE, 'x')).toBe(false);
  });
});
