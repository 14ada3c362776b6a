/** Thread counts per backend, extra sub-matrices, and which cells need a process of their own. */
import '@attnkit/eca';
import '@attnkit/se';
import '@attnkit/cbam';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BenchBackend } from '../src/bench/bench-backend.js';
import { type BenchBackendName, parseBenchConfig } from '../src/bench/bench-config.js';
import { expandCells, splitByProcess } from '../src/bench/run-benchmark.js';

const backend = (name: BenchBackendName, threadsFixedPerProcess: boolean): BenchBackend => ({
  name,
  variants: name.startsWith('tfjs-') ? ['fast', 'predict'] : ['default'],
  threadsFixedPerProcess,
  availability: async () => undefined,
  prepare: () => Promise.reject(new Error('not run here')),
});
const backends = {
  'onnx-node': backend('onnx-node', false),
  'onnx-wasm': backend('onnx-wasm', true),
  'tfjs-wasm': backend('tfjs-wasm', true),
  'tfjs-cpu': backend('tfjs-cpu', false),
};

const base = { models: ['resnet50', 'mobilenet_v2'], attention: ['none', 'eca'], backends: ['onnx-node', 'onnx-wasm', 'tfjs-wasm'] };

describe('threads and extra cells', () => {
  it('take one count, a list, or counts per backend (1 for a backend left out)', () => {
    expect(parseBenchConfig({ ...base, threads: 2 }).threads['onnx-wasm']).toEqual([2]);
    expect(parseBenchConfig({ ...base, threads: [1, 2, 2] }).threads['tfjs-wasm']).toEqual([1, 2]);
    const perBackend = parseBenchConfig({ ...base, threads: { 'onnx-node': [1, 2], 'onnx-wasm': 2 } }).threads;
    expect(perBackend).toMatchObject({ 'onnx-node': [1, 2], 'onnx-wasm': [2], 'tfjs-wasm': [1] });
  });

  it('expand to one cell per thread count, then the extra sub-matrix cells the main one lacks', () => {
    const config = parseBenchConfig({
      ...base,
      threads: { 'onnx-node': [1, 2], 'onnx-wasm': [1, 2], 'tfjs-wasm': [1] },
      extra: [{ models: ['resnet50'], backends: ['onnx-node'], batchSizes: [8], threads: [2] }],
      tfjsPredict: 'off',
    });
    const ids = expandCells(config, backends).map((c) => c.id);
    // 2 models x (2 + 2 + 1 thread counts) x 2 attention, + resnet50 batch 8 at 2 threads x 2 attention.
    expect(ids).toHaveLength(2 * 5 * 2 + 2);
    expect(ids.slice(0, 4)).toEqual(['resnet50/none/onnx-node/224/b1/t1', 'resnet50/eca/onnx-node/224/b1/t1', 'resnet50/none/onnx-node/224/b1/t2', 'resnet50/eca/onnx-node/224/b1/t2']);
    expect(ids.slice(-2)).toEqual(['resnet50/none/onnx-node/224/b8/t2', 'resnet50/eca/onnx-node/224/b8/t2']);
    // An extra that repeats main cells adds nothing.
    const repeated = parseBenchConfig({ ...base, threads: 1, extra: [{ models: ['mobilenet_v2'], backends: ['onnx-node'] }], tfjsPredict: 'off' });
    expect(expandCells(repeated, backends)).toHaveLength(2 * 3 * 2);
  });

  it("let a model override the thread counts on its backends", () => {
    const config = parseBenchConfig({ ...base, models: ['resnet50', { backbone: 'mobilenet_v2', threads: 1 }], threads: [1, 2], tfjsPredict: 'off' });
    const cells = expandCells(config, backends);
    expect(new Set(cells.filter((c) => c.model.label === 'mobilenet_v2').map((c) => c.threads))).toEqual(new Set([1]));
    expect(new Set(cells.filter((c) => c.model.label === 'resnet50').map((c) => c.threads))).toEqual(new Set([1, 2]));
  });

  it('run the first thread count of a runtime that fixes it per process here, the others apart', () => {
    const config = parseBenchConfig({ ...base, threads: { 'onnx-node': [1, 2], 'onnx-wasm': [1, 2], 'tfjs-wasm': [1] }, tfjsPredict: 'off' });
    const { here, isolated } = splitByProcess(expandCells(config, backends), backends);
    expect(isolated).toEqual([{ backend: 'onnx-wasm', threads: 2 }]);
    expect(here.some((c) => c.backend === 'onnx-node' && c.threads === 2)).toBe(true);
    expect(here.some((c) => c.backend === 'onnx-wasm' && c.threads === 2)).toBe(false);
    expect(here).toHaveLength(2 * 4 * 2);
  });

  it('give the default config 2-thread cells on onnx-node and onnx-wasm and a batch-8 ResNet-50 cell', () => {
    const path = fileURLToPath(new URL('../bench.default.json', import.meta.url));
    const config = parseBenchConfig(JSON.parse(readFileSync(path, 'utf8')), { configPath: path });
    const cells = expandCells(config, backends);
    const ids = (filter: (c: (typeof cells)[number]) => boolean) => cells.filter(filter).map((c) => `${c.model.label}/${c.attention.label}/${c.backend}/b${c.batchSize}/t${c.threads}`);
    expect(ids((c) => c.threads === 2 && c.batchSize === 1).sort()).toEqual(
      ['resnet50', 'mobilenet_v2'].flatMap((model) => ['onnx-node', 'onnx-wasm'].flatMap((backend) => ['none', 'se', 'eca'].map((a) => `${model}/${a}/${backend}/b1/t2`))).sort(),
    );
    expect(ids((c) => c.batchSize === 8)).toEqual(['resnet50/none/onnx-node/b8/t2', 'resnet50/se/onnx-node/b8/t2', 'resnet50/eca/onnx-node/b8/t2']);
    // 2 networks x 3 backends x 4 modules + 2 tfjs predict + the torch export, then 12 + 3 extra.
    expect(cells).toHaveLength(27 + 15);
    expect(splitByProcess(cells, backends).isolated).toEqual([{ backend: 'onnx-wasm', threads: 2 }]);
  });

  it('refuse an extra of a model that is not listed, and bad thread counts, each with its path', () => {
    let issues: Array<{ path: string; message: string }> = [];
    try {
      parseBenchConfig({ ...base, threads: { 'onnx-node': [0] }, extra: [{ models: ['resnet18'], batchSizes: [8] }] });
    } catch (error) {
      issues = (error as { details: { issues: typeof issues } }).details.issues;
    }
    expect(issues.map((i) => i.path).sort()).toEqual(['extra[0].models[0]', 'threads.onnx-node[0]']);
    expect(issues.find((i) => i.path === 'extra[0].models[0]')!.message).toBe("'resnet18' is not the label of a model in this config (resnet50, mobilenet_v2)");
  });
});
