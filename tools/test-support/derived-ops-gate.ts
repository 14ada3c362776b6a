/**
 * A test-only module that runs every derived op, for the backends' tests (never registered:
 * tests instantiate it directly, so no registry listing sees it).
 * gate = hardSigmoid(tanh(square(v) - v)) with v = GAP(x); out = hardSwish(x) + x * gate.
 */
import { type AttentionDefinition, type NetworkDefinition, defineAttention, instantiateAttention } from '@attnkit/core';

export const derivedOpsGate: AttentionDefinition = defineAttention({
  id: 'derived-ops-gate',
  package: '@attnkit/tools',
  description: 'every derived op in one gate (tests only)',
  attributeName: 'gate',
  options: {},
  configure: () => ({}),
  parameters: () => [],
  forward: (ops, x) => {
    const v = ops.globalAvgPool(x);
    const gate = ops.hardSigmoid(ops.tanh(ops.sub(ops.square(v), v)));
    return ops.add(ops.hardSwish(x), ops.mul(x, gate));
  },
});

/** The gate alone as a network over [N, C, H, W] inputs. */
export function derivedOpsNetwork(inputShape: readonly number[]): NetworkDefinition {
  const instance = instantiateAttention(derivedOpsGate, {}, inputShape[1]);
  return { name: 'derived-ops-gate', defaultInputShape: inputShape, forward: (scope, x) => scope.attention(instance, x) };
}
