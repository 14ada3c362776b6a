import { AttnkitError, ErrorCodes } from './errors.js';
import { isKernelSizeRule, type KernelSizeRule } from './kernel-size.js';

/**
 * A small, dependency-free option schema: core must not depend on anything at run time, and
 * modules need only these few types. Each descriptor also renders as JSON Schema
 * (`optionsJsonSchema`) for editors and the CLI.
 */
export type OptionDescriptor =
  | { type: 'integer'; default: number; min?: number; max?: number; description: string }
  | { type: 'number'; default: number; exclusiveMin?: number; description: string }
  | { type: 'boolean'; default: boolean; description: string }
  | { type: 'enum'; values: readonly string[]; default: string; description: string }
  | { type: 'kernel-size'; default: KernelSizeRule; description: string };

export type OptionsSchema = Readonly<Record<string, OptionDescriptor>>;

/** The value type a descriptor accepts: an enum gives the union of its values. */
export type OptionValue<D extends OptionDescriptor> = D extends { type: 'integer' | 'number' }
  ? number
  : D extends { type: 'boolean' }
    ? boolean
    : D extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : D extends { type: 'kernel-size' }
        ? KernelSizeRule
        : never;

/** Options after validation: every key present, defaults filled in (what `configure` reads). */
export type ResolvedOptions<S extends OptionsSchema> = { readonly [K in keyof S]: OptionValue<S[K]> };

/** Options as a caller gives them: every key optional (what a spec carries). */
export type OptionsInput<S extends OptionsSchema> = { -readonly [K in keyof S]?: OptionValue<S[K]> };

function invalid(owner: string, key: string, value: unknown, expected: string): AttnkitError {
  return new AttnkitError(
    ErrorCodes.INVALID_OPTION,
    `${owner}: option '${key}' is ${formatValue(value)}; expected ${expected}`,
    { path: key, value, expected },
  );
}

// JSON.stringify would print Infinity and NaN as null and drop undefined.
const formatValue = (value: unknown): string => (typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value));

function describeExpected(descriptor: OptionDescriptor): string {
  switch (descriptor.type) {
    case 'integer':
      return `an integer${descriptor.min !== undefined ? ` >= ${descriptor.min}` : ''}${descriptor.max !== undefined ? ` <= ${descriptor.max}` : ''}`;
    case 'number':
      return `a number${descriptor.exclusiveMin !== undefined ? ` > ${descriptor.exclusiveMin}` : ''}`;
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${descriptor.values.map((v) => `'${v}'`).join(', ')}`;
    case 'kernel-size':
      return "'adaptive', 'adaptive-min3', 'mobilenet-v2', an odd integer, or a per-stage list of odd integers";
  }
}

function accepts(descriptor: OptionDescriptor, value: unknown): boolean {
  switch (descriptor.type) {
    case 'integer':
      return (
        typeof value === 'number' &&
        Number.isInteger(value) &&
        (descriptor.min === undefined || value >= descriptor.min) &&
        (descriptor.max === undefined || value <= descriptor.max)
      );
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (descriptor.exclusiveMin === undefined || value > descriptor.exclusiveMin)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return typeof value === 'string' && descriptor.values.includes(value);
    case 'kernel-size':
      return isKernelSizeRule(value);
  }
}

/** Fills defaults and checks every value; unknown keys are refused with the list of known ones. */
export function validateOptions<S extends OptionsSchema>(
  owner: string,
  schema: S,
  input: Readonly<Record<string, unknown>> = {},
): ResolvedOptions<S> {
  const known = Object.keys(schema);
  for (const key of Object.keys(input)) {
    // Own keys only: 'toString' or 'constructor' are in every object, not in the schema.
    if (!Object.hasOwn(schema, key)) {
      throw new AttnkitError(
        ErrorCodes.INVALID_OPTION,
        `${owner}: unknown option '${key}'; ${known.length ? `known options are ${known.map((k) => `'${k}'`).join(', ')}` : 'it takes no options'}`,
        { path: key, allowed: known },
      );
    }
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, descriptor] of Object.entries(schema)) {
    const value = input[key] === undefined ? descriptor.default : input[key];
    if (!accepts(descriptor, value)) throw invalid(owner, key, value, describeExpected(descriptor));
    resolved[key] = Array.isArray(value) ? [...value] : value;
  }
  // Every key of the schema is set above to a value its descriptor accepts.
  return resolved as ResolvedOptions<S>;
}

/** JSON Schema (draft 2020-12) for an options object. */
export function optionsJsonSchema(schema: OptionsSchema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(schema)) {
    switch (d.type) {
      case 'integer':
        properties[key] = { type: 'integer', minimum: d.min, maximum: d.max, default: d.default, description: d.description };
        break;
      case 'number':
        properties[key] = { type: 'number', exclusiveMinimum: d.exclusiveMin, default: d.default, description: d.description };
        break;
      case 'boolean':
        properties[key] = { type: 'boolean', default: d.default, description: d.description };
        break;
      case 'enum':
        properties[key] = { enum: [...d.values], default: d.default, description: d.description };
        break;
      case 'kernel-size':
        properties[key] = {
          description: d.description,
          default: d.default,
          oneOf: [
            { enum: ['adaptive', 'adaptive-min3', 'mobilenet-v2'] },
            { type: 'integer', minimum: 1 },
            { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 },
          ],
        };
        break;
    }
  }
  return { type: 'object', properties: JSON.parse(JSON.stringify(properties)), additionalProperties: false };
}
