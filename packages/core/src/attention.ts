import { AttnkitError, ErrorCodes } from './errors.js';
import type { KernelSizeContext } from './kernel-size.js';
import type { Ops } from './ops.js';
import { type OptionsInput, type OptionsSchema, type ResolvedOptions, validateOptions } from './options.js';
import type { ParamSpec } from './parameter.js';
import { sizeOf } from './tensor.js';

/** What a module's forward receives: its own parameters by local PyTorch name. */
export type ParamValues<T> = Readonly<Record<string, T>>;

/**
 * An attention module written once. `configure` turns validated options and the host's channel
 * count into the numbers every backend uses (k, reduced channels): adapters never decide them.
 * `S` is the option schema and `C` the decided config: `defineAttention` infers both, so
 * `configure` reads typed options and `parameters` / `forward` a typed config, without casts.
 */
export interface AttentionDefinition<S extends OptionsSchema = OptionsSchema, C extends AttentionConfig = AttentionConfig> {
  /** Short lowercase id, as timm's create_attn: `eca`, `se`, `cbam`, ... */
  id: string;
  /** The npm package that defines it. */
  package: string;
  /** One line for listings. */
  description: string;
  /** Attribute name inside a host block, as the official code names it (`eca`, `se`, `cbam`). */
  attributeName: string;
  options: S;
  configure(channels: number, options: ResolvedOptions<S>, context: KernelSizeContext): C;
  parameters(channels: number, config: C): ParamSpec[];
  forward<T>(ops: Ops<T>, x: T, params: ParamValues<T>, config: C): T;
  /**
   * The cases every backend's conformance suite runs this module on (`attentionTestCases`):
   * option sets worth checking, each with its parameter counts derived by hand. The default
   * options alone when absent.
   */
  testCases?: readonly AttentionTestCase<S>[];
  /** Max abs difference from the reference interpreter each backend must meet on them (1e-5 by default). */
  tolerance?: number;
}

/** One conformance case of a module: its options on an input of `channels` channels. */
export interface AttentionTestCase<S extends OptionsSchema = OptionsSchema> {
  /** Names the case in test titles, e.g. `cbam mean-max`. */
  label: string;
  options: OptionsInput<S>;
  channels: number;
  /** Trainable parameters at `channels` (PyTorch convention), derived by hand. */
  trainable?: number;
  /** Buffers at `channels` (BatchNorm running statistics). */
  nonTrainable?: number;
  /** The channel-conv k the module decides at `channels`, for modules that have one. */
  kernelSize?: number;
}

/** Default input channels of a conformance case without its own. */
const defaultTestChannels = 16;

/** A definition's conformance cases, ready to run: each with its spec and the tolerance to meet. */
export function attentionTestCases(definition: AttentionDefinition): Array<AttentionTestCase & { spec: AttentionSpec; tolerance: number }> {
  const cases: readonly AttentionTestCase[] = definition.testCases ?? [{ label: definition.id, options: {}, channels: defaultTestChannels }];
  // The registry is typed by declaration merging; a definition's own options are its spec's.
  return cases.map((c) => ({ ...c, spec: { type: definition.id, ...c.options } as AttentionSpec, tolerance: definition.tolerance ?? 1e-5 }));
}

/** The decided numbers of one module instance; JSON-serializable. */
export interface AttentionConfig {
  /** The channel-conv kernel size, for modules that have one (reported at every insertion). */
  kernelSize?: number;
  [key: string]: unknown;
}

/** The options a definition takes, as a caller gives them: `AttentionOptions<typeof eca>`. */
export type AttentionOptions<D> = D extends AttentionDefinition<infer S, infer _C> ? OptionsInput<S> : never;

/**
 * The typed registry: attention id -> the options its spec takes. Empty in core; each module
 * package adds its ids by declaration merging, and so can a user's own module:
 *
 *   declare module '@attnkit/core' {
 *     interface AttentionTypes { 'my-gate': AttentionOptions<typeof myGate> }
 *   }
 *
 * so `createAttention('eac', 64)` or `{ type: 'eca', kernelsize: 3 }` fail to type-check.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging.
export interface AttentionTypes {}

/** Every id in the typed registry. */
export type AttentionId = Extract<keyof AttentionTypes, string>;

/** `'eca'` or `{ type: 'eca', kernelSize: 5 }`: an id of the typed registry and its options. */
export type AttentionSpec = { [K in AttentionId]: K | ({ type: K } & AttentionTypes[K]) }[AttentionId];

/** A module bound to a channel count: what a host block inserts. */
export interface AttentionInstance {
  readonly id: string;
  readonly definition: AttentionDefinition;
  readonly channels: number;
  /** Validated options with defaults filled in. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly config: AttentionConfig;
  readonly parameters: readonly ParamSpec[];
  /** Trainable parameter count (PyTorch convention: buffers excluded). */
  readonly parameterCount: number;
}

/**
 * Freezes a definition and infers its types: the option schema (kept literal, so an enum option
 * reads as the union of its values) and the config `configure` returns.
 */
export function defineAttention<const S extends OptionsSchema, C extends AttentionConfig>(definition: AttentionDefinition<S, C>): AttentionDefinition<S, C> {
  return Object.freeze(definition);
}

/** Normalizes a spec to `{ type, options }`, with a clear error for malformed specs. */
export function parseAttentionSpec(spec: unknown): { type: string; options: Record<string, unknown> } {
  if (typeof spec === 'string' && spec.length > 0) return { type: spec, options: {} };
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec) && typeof (spec as { type?: unknown }).type === 'string') {
    const { type, ...options } = spec as { type: string } & Record<string, unknown>;
    return { type, options };
  }
  throw new AttnkitError(
    ErrorCodes.INVALID_OPTION,
    `attention spec ${JSON.stringify(spec)} is not valid: give an id such as 'eca' or an object such as { type: 'eca', kernelSize: 5 }`,
    { spec },
  );
}

export function instantiateAttention(
  definition: AttentionDefinition,
  options: Readonly<Record<string, unknown>>,
  channels: number,
  context: KernelSizeContext = {},
): AttentionInstance {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new AttnkitError(
      ErrorCodes.SHAPE_MISMATCH,
      `${definition.id}: channels must be a positive integer, got ${channels}`,
      { channels },
    );
  }
  const resolved = validateOptions(definition.id, definition.options, options);
  const config = definition.configure(channels, resolved, context);
  const parameters = definition.parameters(channels, config);
  const parameterCount = parameters.filter((p) => p.trainable).reduce((n, p) => n + sizeOf(p.shape), 0);
  return Object.freeze({ id: definition.id, definition, channels, options: resolved, config, parameters, parameterCount });
}
