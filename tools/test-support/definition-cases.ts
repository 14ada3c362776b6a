/**
 * A definition's own conformance cases (`testCases`, run by the tfjs, ONNX and CLI suites) state
 * hand-derived counts and kernel sizes: checked here against the definition itself, so a case
 * that no longer describes its module fails in the module's own package.
 */
import { type AttentionDefinition, instantiateAttention, sizeOf } from '@attnkit/core';
import { expect } from 'vitest';

export function expectConsistentTestCases(definitions: readonly AttentionDefinition[]): void {
  for (const definition of definitions) {
    const cases = definition.testCases ?? [];
    expect(cases.length, `${definition.id} carries conformance cases`).toBeGreaterThan(0);
    for (const c of cases) {
      const instance = instantiateAttention(definition, c.options as Record<string, unknown>, c.channels);
      const buffers = instance.parameters.filter((p) => !p.trainable).reduce((sum, p) => sum + sizeOf(p.shape), 0);
      if (c.trainable !== undefined) expect(instance.parameterCount, `${c.label}: trainable parameters`).toBe(c.trainable);
      if (c.nonTrainable !== undefined) expect(buffers, `${c.label}: buffers`).toBe(c.nonTrainable);
      if (c.kernelSize !== undefined) expect(instance.config.kernelSize, `${c.label}: k`).toBe(c.kernelSize);
      expect(c.trainable ?? c.kernelSize ?? c.nonTrainable, `${c.label} states a count or a k`).toBeDefined();
    }
  }
}
