import { AttnkitError, ErrorCodes, type Graph, type NetworkDefinition, traceNetwork } from '@attnkit/core';
import type { AttentionSlotOptions } from './placement.js';
import { validateAttentionSlot } from './placement.js';

/** Options every zoo backbone takes. */
export interface BackboneOptions extends AttentionSlotOptions {
  /** Classifier outputs; 1000 (ImageNet) by default. */
  numClasses?: number;
  /**
   * `true`: no pooling or classifier; the forward pass returns four stage outputs at strides
   * 4, 8, 16 and 32 (for detection and segmentation heads).
   */
  features?: boolean;
}

/** One inserted module, read from a traced graph's `attention` list. */
export interface InsertionReport {
  /** The host block, e.g. `layer1.0` or `features.11` (the insertion point). */
  path: string;
  /** Where the module's parameters live, e.g. `layer1.0.eca` or `features.11.conv.4`. */
  module: string;
  /** Registry id, e.g. `eca`. */
  id: string;
  channels: number;
  /** The channel-conv kernel size, for modules that have one (the ECA family). */
  kernelSize?: number;
  /** Trainable parameters of the module. */
  parameters: number;
  /** Stage index (0-based) of the host block. */
  stage?: number;
}

/** A zoo network: a `NetworkDefinition` that also says where attention went. */
export interface Backbone extends NetworkDefinition {
  /** Options with defaults filled in. */
  readonly options: Readonly<Record<string, unknown>>;
  /** One entry per inserted module (traced on first read; tracing does no arithmetic). */
  readonly insertions: readonly InsertionReport[];
}

/** The insertion report of a traced graph: path, channels, k and parameters of every module. */
export function insertionReport(graph: Graph): InsertionReport[] {
  return graph.attention.map((call) => ({
    path: call.path,
    module: call.scope,
    id: call.id,
    channels: call.channels,
    ...(call.kernelSize === undefined ? {} : { kernelSize: call.kernelSize }),
    parameters: call.parameters,
    ...(call.stage === undefined ? {} : { stage: call.stage }),
  }));
}

/** Wraps a network definition as a `Backbone` whose insertion report is traced lazily. */
export function toBackbone(network: NetworkDefinition, options: Readonly<Record<string, unknown>>): Backbone {
  let insertions: InsertionReport[] | undefined;
  const backbone: Backbone = {
    ...network,
    options,
    get insertions() {
      insertions ??= insertionReport(traceNetwork(backbone));
      return insertions;
    },
  };
  return backbone;
}

export function checkPositiveInteger(owner: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `${owner}: option '${key}' is ${JSON.stringify(value)}; expected an integer >= 1`, {
      path: key,
      value,
    });
  }
  return value;
}

/** Validates the options shared by every backbone and fills their defaults. */
export function resolveBackboneOptions(owner: string, options: BackboneOptions, known: readonly string[]) {
  if (options === null || typeof options !== 'object') {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `${owner}: options must be an object, got ${JSON.stringify(options)}`, { value: options });
  }
  const allowed = ['numClasses', 'features', 'attention', 'placement', ...known];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new AttnkitError(
        ErrorCodes.INVALID_OPTION,
        `${owner}: unknown option '${key}'; known options are ${allowed.map((k) => `'${k}'`).join(', ')}`,
        { path: key, allowed },
      );
    }
  }
  const numClasses = checkPositiveInteger(owner, 'numClasses', options.numClasses ?? 1000);
  const features = options.features ?? false;
  if (typeof features !== 'boolean') {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `${owner}: option 'features' is ${JSON.stringify(features)}; expected true or false`, {
      path: 'features',
      value: features,
    });
  }
  validateAttentionSlot(options);
  return { numClasses, features, attention: options.attention ?? null, placement: options.placement ?? 'residual' };
}
