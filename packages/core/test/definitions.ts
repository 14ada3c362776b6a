import {
  type AttentionOptions,
  type NetworkDefinition,
  type ParamSpec,
  type Scope,
  type Tensor,
  defineAttention,
  resolveKernelSize,
} from '../src/index.js';

/**
 * A minimal ECA-shaped module for core's own tests (core cannot import @attnkit/eca):
 * GAP -> shared channel conv of kernel k -> sigmoid -> x * a; k parameters.
 */
export const testGate = defineAttention({
  id: 'test-gate',
  package: '@attnkit/core-test',
  description: 'test gate',
  attributeName: 'gate',
  options: {
    kernelSize: { type: 'kernel-size', default: 3, description: 'k' },
    label: { type: 'enum', values: ['a', 'b'], default: 'a', description: 'an enum option' },
  },
  configure: (channels, o, context) => ({ kernelSize: resolveKernelSize(o.kernelSize, channels, context) }),
  parameters: (_channels, config): ParamSpec[] => [
    { name: 'conv.weight', shape: [1, 1, config.kernelSize], layout: 'conv1d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: config.kernelSize } },
  ],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.channelConv1d(ops.globalAvgPool(x), p['conv.weight'], 'zeros'))),
});

// Core's test modules join the typed registry as a user's own module would.
declare module '../src/attention.js' {
  interface AttentionTypes {
    'test-gate': AttentionOptions<typeof testGate>;
    'test-other': Record<string, never>;
  }
}

/** A tensor's values as a plain array, so failures print readable diffs. */
export const values = (t: Tensor): number[] => Array.from(t.data);

/**
 * A network from a plain forward function, for tests. The forward is typed loosely (`any`
 * tensors) so a test can use the tracer's or the reference's values directly.
 */
export function network(forward: (scope: Scope<any>, x: any) => any, defaultInputShape: readonly number[] = [1, 1, 1, 1]): NetworkDefinition {
  return { name: 'test', defaultInputShape, forward: forward as NetworkDefinition['forward'] };
}
