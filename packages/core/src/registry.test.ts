import { describe, expect, it } from 'vitest';
import { testGate } from '../test/definitions.js';
import { defineAttention, parseAttentionSpec } from './attention.js';
import { AttnkitError, ErrorCodes } from './errors.js';
import { createAttention, getAttention, listAttention, registerAttention } from './registry.js';

/** Runs f and returns the AttnkitError it throws (fails the test if it throws nothing else). */
function caught(f: () => unknown): AttnkitError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    return error as AttnkitError;
  }
  throw new Error('expected an AttnkitError, nothing was thrown');
}

const other = defineAttention({
  id: 'test-other',
  package: '@attnkit/other',
  description: 'test gate without options',
  attributeName: 'gate',
  options: {},
  configure: () => ({ kernelSize: 3 }),
  parameters: testGate.parameters,
  forward: testGate.forward,
});

// The registry is one per process, so other test files may have added ids: assert on ours.
registerAttention(testGate);
registerAttention(other);

describe('registry', () => {
  it('lists registered definitions sorted by id', () => {
    const ids = listAttention().map((d) => d.id);
    expect(ids).toContain('test-gate');
    expect(ids).toContain('test-other');
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
    expect(getAttention('test-gate')).toBe(testGate);
  });

  it('creates an instance from an id or an object spec', () => {
    const byId = createAttention('test-gate', 16);
    expect(byId.id).toBe('test-gate');
    expect(byId.channels).toBe(16);
    expect(byId.options).toEqual({ kernelSize: 3, label: 'a' });
    expect(byId.config).toEqual({ kernelSize: 3 });
    expect(byId.parameters.map((p) => [p.name, p.shape])).toEqual([['conv.weight', [1, 1, 3]]]);
    expect(byId.parameterCount).toBe(3);
    expect(Object.isFrozen(byId)).toBe(true);

    const byObject = createAttention({ type: 'test-gate', kernelSize: 5, label: 'b' }, 16);
    expect(byObject.options).toEqual({ kernelSize: 5, label: 'b' });
    expect(byObject.parameterCount).toBe(5);
  });

  it('passes the kernel-size context (stage) to configure', () => {
    expect(createAttention({ type: 'test-gate', kernelSize: [3, 5, 7] }, 16, { stage: 2 }).config.kernelSize).toBe(7);
  });

  it('refuses an unknown id with the list of ids that exist', () => {
    // @ts-expect-error 'nope' is not in the typed registry; at run time it is refused too.
    const error = caught(() => createAttention('nope', 16));
    expect(error.code).toBe(ErrorCodes.UNKNOWN_MODULE);
    const known = listAttention().map((d) => d.id);
    expect(error.details).toEqual({ id: 'nope', known });
    expect(error.message).toContain("'nope'");
    for (const id of known) expect(error.message).toContain(id);
    expect(caught(() => getAttention('')).code).toBe(ErrorCodes.UNKNOWN_MODULE);
  });

  it('refuses a different definition under a taken id', () => {
    const impostor = defineAttention({ ...testGate, package: '@attnkit/impostor' });
    const error = caught(() => registerAttention(impostor));
    expect(error.code).toBe(ErrorCodes.DUPLICATE_MODULE);
    expect(error.message).toContain('test-gate');
    expect(error.message).toContain('@attnkit/core-test');
    expect(error.details).toEqual({ id: 'test-gate', registeredBy: '@attnkit/core-test', attemptedBy: '@attnkit/impostor' });
    expect(getAttention('test-gate')).toBe(testGate);
  });

  it('re-registering the same definition is a no-op', () => {
    const before = listAttention();
    registerAttention(testGate);
    expect(listAttention()).toEqual(before);
  });

  it.each([null, undefined, 42, '', [], {}, { type: 5 }, ['eca']])('refuses the malformed spec %j with INVALID_OPTION', (spec) => {
    const error = caught(() => createAttention(spec as never, 16));
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(error.message).toContain("{ type: 'eca', kernelSize: 5 }");
  });

  it('splits an object spec into type and options', () => {
    expect(parseAttentionSpec({ type: 'x', a: 1 })).toEqual({ type: 'x', options: { a: 1 } });
    expect(parseAttentionSpec('x')).toEqual({ type: 'x', options: {} });
  });

  it.each([0, -4, 1.5, Number.NaN])('refuses channels = %s with SHAPE_MISMATCH', (channels) => {
    expect(caught(() => createAttention('test-gate', channels)).code).toBe(ErrorCodes.SHAPE_MISMATCH);
  });

  it('validates options: unknown keys list the known ones', () => {
    // @ts-expect-error 'kernel' is not an option of test-gate.
    const error = caught(() => createAttention({ type: 'test-gate', kernel: 3 }, 16));
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(error.message).toBe("test-gate: unknown option 'kernel'; known options are 'kernelSize', 'label'");
    expect(error.details).toEqual({ path: 'kernel', allowed: ['kernelSize', 'label'] });
    // @ts-expect-error test-other takes no options.
    expect(caught(() => createAttention({ type: 'test-other', kernelSize: 3 }, 16)).message).toBe(
      "test-other: unknown option 'kernelSize'; it takes no options",
    );
  });

  it('validates options: bad values say what is expected', () => {
    // @ts-expect-error label is 'a' | 'b'.
    const error = caught(() => createAttention({ type: 'test-gate', label: 'c' }, 16));
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(error.message).toBe(`test-gate: option 'label' is "c"; expected one of 'a', 'b'`);
    expect(error.details).toMatchObject({ path: 'label', value: 'c' });
    // @ts-expect-error 'big' is no kernel-size rule.
    expect(caught(() => createAttention({ type: 'test-gate', kernelSize: 'big' }, 16)).message).toContain(
      "expected 'adaptive', 'adaptive-min3', 'mobilenet-v2', an odd integer, or a per-stage list of odd integers",
    );
  });

  it('an even k passes the option type check and fails in the kernel-size rule', () => {
    expect(caught(() => createAttention({ type: 'test-gate', kernelSize: 4 }, 16)).code).toBe(ErrorCodes.INVALID_KERNEL_SIZE);
  });
});
