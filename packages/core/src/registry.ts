import {
  type AttentionDefinition,
  type AttentionInstance,
  type AttentionSpec,
  instantiateAttention,
  parseAttentionSpec,
} from './attention.js';
import { AttnkitError, ErrorCodes } from './errors.js';
import type { KernelSizeContext } from './kernel-size.js';

// One registry per process, shared across copies of core that a bundler might duplicate.
const registryKey = Symbol.for('attnkit.attention-registry');
const globalScope = globalThis as { [registryKey]?: Map<string, AttentionDefinition> };
if (globalScope[registryKey] === undefined) globalScope[registryKey] = new Map();
const registry: Map<string, AttentionDefinition> = globalScope[registryKey];

/** Registers a module under its id. Registering the same definition again is a no-op. */
export function registerAttention(definition: AttentionDefinition): void {
  const existing = registry.get(definition.id);
  if (existing !== undefined && existing !== definition) {
    throw new AttnkitError(
      ErrorCodes.DUPLICATE_MODULE,
      `attention id '${definition.id}' is already registered by ${existing.package}; choose another id for the definition from ${definition.package}`,
      { id: definition.id, registeredBy: existing.package, attemptedBy: definition.package },
    );
  }
  registry.set(definition.id, definition);
}

/** All registered definitions, sorted by id. */
export function listAttention(): AttentionDefinition[] {
  return [...registry.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function getAttention(id: string): AttentionDefinition {
  const definition = registry.get(id);
  if (definition === undefined) {
    const known = listAttention().map((d) => d.id);
    throw new AttnkitError(
      ErrorCodes.UNKNOWN_MODULE,
      `unknown attention '${id}'; registered ids: ${known.length ? known.join(', ') : '(none: import @attnkit/eca, @attnkit/se or @attnkit/cbam to register modules)'}`,
      { id, known },
    );
  }
  return definition;
}

/** `createAttention('eca', 256)` or `createAttention({ type: 'eca', kernelSize: 5 }, 256)`. */
export function createAttention(spec: AttentionSpec, channels: number, context: KernelSizeContext = {}): AttentionInstance {
  const { type, options } = parseAttentionSpec(spec);
  return instantiateAttention(getAttention(type), options, channels, context);
}
