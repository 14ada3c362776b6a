import { readFileSync } from 'node:fs';
import { type AttentionSpec, type Tensor, attentionNetwork, getAttention, maxAbsDiff, runReference, tensor } from '@attnkit/core';
import { expect } from 'vitest';

/** A tensor as the fixtures store it: flat, row-major, PyTorch layout. */
export interface JsonTensor {
  shape: number[];
  data: number[];
}

/** One case of fixtures/modules.json (see tools/golden/README.md). */
export interface ModuleCase {
  name: string;
  id: string;
  options: Record<string, unknown>;
  channels: number;
  input: JsonTensor;
  params: Record<string, JsonTensor>;
  output: JsonTensor;
  attention?: JsonTensor;
}

const fixture = new URL('./fixtures/modules.json', import.meta.url);
let cases: ModuleCase[] | undefined;

/** The PyTorch golden cases for the given registry ids, in file order. */
export function moduleCases(ids: readonly string[]): ModuleCase[] {
  cases ??= (JSON.parse(readFileSync(fixture, 'utf8')) as { cases: ModuleCase[] }).cases;
  return cases.filter((c) => ids.includes(c.id));
}

export const toTensor = (t: JsonTensor): Tensor => tensor(t.shape, t.data);

/**
 * Builds the module by id and options and runs it on the reference interpreter with the case's
 * weights. attentionNetwork runs the module under its attribute name, so `conv.weight` in the
 * fixture is `eca.conv.weight` in the network.
 */
export function runCase(c: ModuleCase): { output: Tensor; maxError: number } {
  // The fixture's ids and options are checked at run time (createAttention), not by the compiler.
  const net = attentionNetwork({ type: c.id, ...c.options } as AttentionSpec, c.channels, c.input.shape);
  const prefix = getAttention(c.id).attributeName;
  const weights = new Map(Object.entries(c.params).map(([name, t]) => [`${prefix}.${name}`, toTensor(t)]));
  const [output] = runReference(net, weights, toTensor(c.input));
  expect(output.shape).toEqual(c.output.shape);
  return { output, maxError: maxAbsDiff(output.data, c.output.data) };
}
