/**
 * The typed registry: `tsc -b` (the typecheck step) compiles this file, so each
 * `@ts-expect-error` below fails the build if the mistake it marks ever type-checks again; the
 * run-time assertions show the same specs are refused at run time too.
 */
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import {
  type AttentionId,
  type AttentionInstance,
  type AttentionOptions,
  type AttentionSpec,
  createAttention,
  defineAttention,
  registerAttention,
  traceNetwork,
} from '@attnkit/core';
import type { CbamOptions } from '@attnkit/cbam';
import type { EcaOptions } from '@attnkit/eca';
import type { SeOptions } from '@attnkit/se';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { resnet18 } from './resnet.js';

/** A user's own module: a sigmoid gate on the pooled vector, scaled by `strength`. */
const myGate = defineAttention({
  id: 'my-gate',
  package: 'my-app',
  description: 'sigmoid(strength * GAP(x)) gate',
  attributeName: 'gate',
  options: {
    strength: { type: 'number', default: 1, description: 'scale of the pooled vector' },
    mode: { type: 'enum', values: ['soft', 'hard'], default: 'soft', description: 'sigmoid or hard sigmoid' },
  },
  configure: (_channels, options) => {
    // Typed from the schema: no casts.
    expectTypeOf(options.strength).toEqualTypeOf<number>();
    expectTypeOf(options.mode).toEqualTypeOf<'soft' | 'hard'>();
    return { strength: options.strength, hard: options.mode === 'hard' };
  },
  parameters: () => [],
  forward: (ops, x, _params, config) => {
    expectTypeOf(config.hard).toEqualTypeOf<boolean>();
    const pooled = ops.affine(ops.globalAvgPool(x), config.strength, 0);
    return ops.mul(x, config.hard ? ops.hardSigmoid(pooled) : ops.sigmoid(pooled));
  },
});

declare module '@attnkit/core' {
  interface AttentionTypes {
    'my-gate': AttentionOptions<typeof myGate>;
  }
}

registerAttention(myGate);

describe('the typed attention registry', () => {
  it('knows the ids the module packages add, and a user module added the same way', () => {
    expectTypeOf<'eca' | 'ceca' | 'eca-ns' | 'se-var1' | 'se-var2' | 'se-var3' | 'se' | 'cbam' | 'my-gate'>().toExtend<AttentionId>();
    expectTypeOf<EcaOptions>().toEqualTypeOf<{ kernelSize?: number | readonly number[] | 'adaptive' | 'adaptive-min3' | 'mobilenet-v2'; gamma?: number; beta?: number }>();
    expectTypeOf<SeOptions>().toEqualTypeOf<{ reductionRatio?: number; bias?: boolean; channelDivisor?: number }>();
    expectTypeOf<CbamOptions['poolOrder']>().toEqualTypeOf<'max-mean' | 'mean-max' | undefined>();
  });

  it("refuses a misspelled id: createAttention('eac', 64)", () => {
    // @ts-expect-error 'eac' is not a registered id.
    expect(() => createAttention('eac', 64)).toThrow(expect.objectContaining({ code: 'UNKNOWN_MODULE' }));
  });

  it("refuses a misspelled option: { type: 'eca', kernelsize: 3 }", () => {
    // @ts-expect-error eca has kernelSize, not kernelsize.
    const spec: AttentionSpec = { type: 'eca', kernelsize: 3 };
    expect(() => createAttention(spec, 64)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it("refuses another module's option: { type: 'se', kernelSize: 3 }", () => {
    // @ts-expect-error se has no kernelSize (eca has).
    expect(() => resnet18({ attention: { type: 'se', kernelSize: 3 } })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('refuses a value of the wrong type for an option', () => {
    // @ts-expect-error poolOrder is 'max-mean' | 'mean-max'.
    expect(() => createAttention({ type: 'cbam', poolOrder: 'max' }, 64)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('accepts correct specs, for createAttention and a zoo backbone alike', () => {
    expectTypeOf(createAttention({ type: 'eca', kernelSize: [3, 5, 5, 7] }, 64, { stage: 1 })).toEqualTypeOf<AttentionInstance>();
    expect(createAttention({ type: 'se', reductionRatio: 4 }, 64).parameterCount).toBe(2 * 64 * 16 + 16 + 64);
    const graph = traceNetwork(resnet18({ width: 8, numClasses: 10, attention: { type: 'cbam', poolOrder: 'mean-max' } }), [1, 3, 32, 32]);
    expect(graph.attention).toHaveLength(8);
  });

  it('type-checks and runs a user module through the same augmentation', () => {
    expect(createAttention({ type: 'my-gate', strength: 2, mode: 'hard' }, 16).config).toEqual({ strength: 2, hard: true });
    // @ts-expect-error 'hardest' is not a mode of my-gate.
    expect(() => createAttention({ type: 'my-gate', mode: 'hardest' }, 16)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    const graph = traceNetwork(resnet18({ width: 8, numClasses: 10, attention: { type: 'my-gate', mode: 'hard' } }), [1, 3, 32, 32]);
    expect(graph.attention.map((call) => call.id)).toEqual(Array(8).fill('my-gate'));
  });
});
