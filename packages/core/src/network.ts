import type { AttentionSpec } from './attention.js';
import { createAttention } from './registry.js';
import type { Scope } from './scope.js';
import type { Shape } from './tensor.js';

/**
 * A network written once over `Ops`: the zoo's backbones, or a single attention module wrapped
 * as a network. `forward` declares its parameters through the scope as it runs.
 */
export interface NetworkDefinition {
  name: string;
  /** The input shape a caller gets by default, `[N, C, H, W]`. */
  defaultInputShape: Shape;
  forward<T>(scope: Scope<T>, x: T): T | readonly T[];
  /** Free-form description of the build (backbone, attention, placement) for metadata. */
  metadata?: Record<string, unknown>;
}

/** A single attention module as a network over `[N, C, H, W]` inputs. */
export function attentionNetwork(spec: AttentionSpec, channels: number, inputShape: Shape = [1, channels, 7, 7]): NetworkDefinition {
  const instance = createAttention(spec, channels);
  return {
    name: instance.id,
    defaultInputShape: inputShape,
    forward: (scope, x) => scope.attention(instance, x),
    metadata: { attention: instance.id, options: instance.options, config: instance.config },
  };
}
