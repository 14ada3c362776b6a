import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AttentionSpec, type Tensor, attentionNetwork, getAttention, listAttention, maxAbsDiff, runReference, tensor } from '@attnkit/core';
import { expect } from 'vitest';

/** A tensor as the fixtures store it: flat, row-major, PyTorch layout. */
export interface JsonTensor {
  shape: number[];
  data: number[];
}

/** One golden case of a module package's golden/cases.json (see tools/golden/README.md). */
export interface ModuleCase {
  name: string;
  id: string;
  options: Record<string, unknown>;
  channels: number;
  input: JsonTensor;
  params: Record<string, JsonTensor>;
  output: JsonTensor;
  attention?: JsonTensor;
  /** Cases with N >= 2: one SGD step on sum(output * target). */
  train?: TrainingStep;
}

/** One PyTorch SGD step (float64): gradients of the input and parameters, and the state after the step (running statistics included). */
export interface TrainingStep {
  lr: number;
  /** BatchNorm in training mode (batch statistics, running statistics updated); false: on its running statistics. */
  batchStatistics: boolean;
  target: JsonTensor;
  inputGrad: JsonTensor;
  grads: Record<string, JsonTensor>;
  updated: Record<string, JsonTensor>;
}

/** Parameters and MACs a module variant adds to a network, counted by PyTorch forward hooks. */
export interface GoldenCosts {
  options: Record<string, unknown>;
  resnet50: { parameters: number; macs: number };
  mobilenet_v2: { parameters: number; macs: number };
}

/** A module package's golden/cases.json, written by tools/golden/make_golden_modules.py from its golden/reference.py. */
export interface ModuleGolden {
  generator: string;
  package: string;
  costs?: GoldenCosts[];
  cases: ModuleCase[];
}

const read = new Map<string, ModuleGolden>();

/** A golden/cases.json (read once per file). */
export function readGolden(file: URL | string): ModuleGolden {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  let golden = read.get(path);
  if (golden === undefined) {
    golden = JSON.parse(readFileSync(path, 'utf8')) as ModuleGolden;
    read.set(path, golden);
  }
  return golden;
}

/** The golden cases of a package's golden/cases.json for the given ids (all when absent), in file order. */
export function goldenCases(file: URL | string, ids?: readonly string[]): ModuleCase[] {
  return readGolden(file).cases.filter((c) => ids === undefined || ids.includes(c.id));
}

const repository = fileURLToPath(new URL('../../', import.meta.url));

/** The folder of every workspace package under packages/ and apps/, by package name. */
function packageFolders(): Map<string, string> {
  const folders = new Map<string, string>();
  for (const parent of ['packages', 'apps']) {
    const base = join(repository, parent);
    for (const name of existsSync(base) ? readdirSync(base) : []) {
      const manifest = join(base, name, 'package.json');
      if (existsSync(manifest)) folders.set((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name, join(base, name));
    }
  }
  return folders;
}

/**
 * The golden fixture of every registered module's package, found through the registry (each
 * definition names its package) and that package's folder: `<folder>/golden/cases.json`.
 * `golden` is undefined where the file is missing.
 */
export function registeredGoldens(): Array<{ package: string; ids: string[]; file: string; golden: ModuleGolden | undefined }> {
  const folders = packageFolders();
  const byPackage = new Map<string, string[]>();
  for (const definition of listAttention()) byPackage.set(definition.package, [...(byPackage.get(definition.package) ?? []), definition.id]);
  return [...byPackage].map(([name, ids]) => {
    const folder = folders.get(name);
    const file = folder === undefined ? `(no workspace folder for ${name})` : join(folder, 'golden', 'cases.json');
    return { package: name, ids, file, golden: existsSync(file) ? readGolden(file) : undefined };
  });
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
