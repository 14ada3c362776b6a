/**
 * Conformance: every registered attention module, run through the reference interpreter and
 * the tracer, keeps the input's shape and declares exactly the parameters it reports. (The tfjs
 * and onnx suites run every module on their backends against the reference.)
 * It lives here because the CLI is the one package that registers every module package.
 */
import '../src/all-modules.js';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import {
  type AttentionSpec,
  attentionNetwork,
  countCosts,
  createAttention,
  getAttention,
  initializeWeights,
  listAttention,
  randomTensor,
  runReference,
  sizeOf,
  traceNetwork,
} from '@attnkit/core';
import { describe, expect, it } from 'vitest';

const ids = listAttention().map((d) => d.id);

it('registers the modules of every package marked "attnkit": { "kind": "module" }, and only those', () => {
  const packagesDir = new URL('../../../packages/', import.meta.url);
  const modulePackages = readdirSync(packagesDir)
    .map((name) => new URL(`${name}/package.json`, packagesDir))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')))
    .filter((manifest) => manifest.attnkit?.kind === 'module')
    .map((manifest) => manifest.name as string);
  expect(modulePackages).toEqual(expect.arrayContaining(['@attnkit/cbam', '@attnkit/eca', '@attnkit/se']));
  expect([...new Set(listAttention().map((d) => d.package))].sort()).toEqual(modulePackages.sort());
  expect(ids).toEqual(expect.arrayContaining(['cbam', 'ceca', 'eca', 'eca-ns', 'se', 'se-var1', 'se-var2', 'se-var3']));
});

/** The defaults, then each boolean option flipped and each other enum value, one at a time. */
function optionVariants(id: string): Record<string, unknown>[] {
  const variants: Record<string, unknown>[] = [{}];
  for (const [key, option] of Object.entries(getAttention(id).options)) {
    if (option.type === 'boolean') variants.push({ [key]: !option.default });
    if (option.type === 'enum') for (const value of option.values.filter((v) => v !== option.default)) variants.push({ [key]: value });
  }
  return variants;
}

// C = 37 (prime: no reduction ratio divides it), C = 64; H != W so a transposed axis shows.
describe.each(ids)('%s', (id) => {
  it.each(
    optionVariants(id).flatMap((options) => [
      [options, 37, [2, 37, 5, 3]],
      [options, 64, [1, 64, 4, 6]],
    ]) as Array<[Record<string, unknown>, number, number[]]>,
  )('options %j, C = %i, input %j', (options, channels, shape) => {
    const spec = { type: id, ...options } as AttentionSpec;
    const instance = createAttention(spec, channels);
    const network = attentionNetwork(spec, channels, shape);
    const graph = traceNetwork(network);

    // Traced: the output has the input's shape.
    expect(graph.outputs.map((o) => graph.values[o].shape)).toEqual([shape]);

    // Traced parameters are exactly the module's specs, under its attribute name, with their shapes.
    const prefix = getAttention(id).attributeName;
    const declared = new Map(graph.params.map((p) => [p.name, p.spec.shape]));
    expect(declared.size).toBe(instance.parameters.length);
    for (const spec of instance.parameters) expect(declared.get(`${prefix}.${spec.name}`)).toEqual(spec.shape);
    expect(countCosts(graph).parameters).toBe(instance.parameterCount);
    expect(instance.parameterCount).toBe(instance.parameters.filter((p) => p.trainable).reduce((n, p) => n + sizeOf(p.shape), 0));

    // One attention call spanning every node, reporting the instance's numbers.
    expect(graph.attention).toHaveLength(1);
    expect(graph.attention[0]).toMatchObject({ id, channels, options: instance.options, parameters: instance.parameterCount, kernelSize: instance.config.kernelSize, firstNode: 0, endNode: graph.nodes.length });

    // Reference: random input and seeded weights, with non-trivial BatchNorm statistics and
    // weights (the defaults 0 / 1 would hide a mistake in the BN formula).
    const weights = initializeWeights(graph, 1);
    for (const [name, value] of weights) {
      if (/bn\.(weight|bias|running_mean)$/.test(name)) value.data.set(randomTensor(value.shape, 2, name).data);
      if (name.endsWith('running_var')) value.data.set(randomTensor(value.shape, 2, name).data.map((v) => 1 + 0.5 * v));
    }
    const input = randomTensor(shape, 3);
    const outputs = runReference(network, weights, input);
    expect(outputs).toHaveLength(1);
    expect(outputs[0].shape).toEqual(shape);
    expect(outputs[0].data.every(Number.isFinite)).toBe(true);
  });
});
