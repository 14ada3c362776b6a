/**
 * The bench's torch.onnx.export reference as a weightless graph, at small scale: the committed
 * torch export of ResNet-18 width 8 (10 classes, 64x64, BatchNorm folded; tools/golden/README.md)
 * is stripped by tools/strip-onnx-weights.mjs, filled from our emitted ResNet-18 width 8 with the
 * bench's seed, and must compute what our emitted model computes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttnkitError, ErrorCodes, initializeWeights, randomTensor, relativeL2, traceNetwork } from '@attnkit/core';
import { type OnnxModel, createRunner, decodeModel, emitModel, encodeModel } from '@attnkit/onnx';
import { createBackbone } from '@attnkit/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchConfig } from '../src/bench/bench-config.js';
import type { BenchResults } from '../src/bench/bench-results.js';
import { evaluateTargets } from '../src/bench/bench-targets.js';
import { runBenchmark } from '../src/bench/run-benchmark.js';
import { STRIPPED_INITIALIZERS_KEY, fillInitializers, isWeightless } from '../src/bench/weightless-graph.js';
import { packageDir, requireBuilt } from './test-support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const torchExport = join(root, 'tools/golden/fixtures/onnx/resnet18_w8.onnx');
const directory = mkdtempSync(join(tmpdir(), 'attnkit-weightless-'));
const stripped = join(directory, 'resnet18_w8_graph.onnx');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const shape = [1, 3, 64, 64];
const seed = 0;

/** Our emitted ResNet-18 width 8, as the bench emits its own cell (BatchNorm folded, seeded weights). */
function emitted(width = 8): OnnxModel {
  const network = createBackbone('resnet18', { numClasses: 10, width });
  const graph = traceNetwork(network, shape);
  return emitModel(graph, initializeWeights(graph, seed), {}, network.metadata);
}

async function run(model: OnnxModel): Promise<Float32Array> {
  const session = await (await createRunner({ runtime: 'onnxruntime-node', threads: 1 })).load(encodeModel(model));
  try {
    const outputs = await session.run({ [session.inputNames[0]]: { dims: shape, data: randomTensor(shape, seed, 'input').data } });
    return outputs[session.outputNames[0]].data;
  } finally {
    await session.dispose();
  }
}

function thrown(f: () => unknown): AttnkitError {
  try {
    f();
  } catch (error) {
    return error as AttnkitError;
  }
  throw new Error('expected an error');
}

beforeAll(() => {
  requireBuilt(join(packageDir('onnx'), 'dist/index.js'));
  const strip = spawnSync(process.execPath, [join(root, 'tools/strip-onnx-weights.mjs'), torchExport, stripped], { encoding: 'utf8' });
  expect(strip.stderr).toBe('');
  expect(strip.status).toBe(0);
});

describe('tools/strip-onnx-weights.mjs', () => {
  it('keeps every node and each initializer name, dims and type, drops the data and says so', () => {
    const original = decodeModel(new Uint8Array(readFileSync(torchExport)));
    const graph = decodeModel(new Uint8Array(readFileSync(stripped)));
    expect(statSync(stripped).size).toBeLessThan(statSync(torchExport).size / 20);
    expect(graph.graph.nodes).toEqual(original.graph.nodes);
    expect(graph.graph.initializers.map(({ name, dims, dataType }) => ({ name, dims, dataType }))).toEqual(
      original.graph.initializers.map(({ name, dims, dataType }) => ({ name, dims, dataType })),
    );
    for (const tensor of graph.graph.initializers) expect(tensor.rawData?.length ?? 0).toBe(0);
    expect(graph.metadataProps).toContainEqual({ key: STRIPPED_INITIALIZERS_KEY, value: 'true' });
    expect(isWeightless(graph)).toBe(true);
    expect(isWeightless(original)).toBe(false);
  });
});

describe('filling a weightless torch export from our emitted weights', () => {
  it('fills every initializer by node name and input position and computes what our emitted model computes', async () => {
    const graph = decodeModel(new Uint8Array(readFileSync(stripped)));
    const ours = emitted();
    const { model, filled } = fillInitializers(graph, ours, { target: 'resnet18_w8_graph.onnx', source: 'the emitted resnet18' });
    expect(filled.size).toBe(graph.graph.initializers.length);
    expect(filled.get('fc.weight')).toBe('/fc/Gemm#1');
    expect(isWeightless(model)).toBe(false);
    expect(isWeightless(graph)).toBe(true); // the input is not modified
    const [theirs, mine] = [await run(model), await run(ours)];
    expect(theirs).toHaveLength(10);
    expect(relativeL2(theirs, mine)).toBeLessThan(1e-5);
  });

  it('names every initializer it cannot fill (typed WEIGHTS_MISMATCH): a node our model lacks, a shape that differs', () => {
    const graph = decodeModel(new Uint8Array(readFileSync(stripped)));
    const renamed: OnnxModel = {
      ...graph,
      graph: { ...graph.graph, nodes: graph.graph.nodes.map((n) => (n.name === '/layer2/layer2.0/conv1/Conv' ? { ...n, name: '/layer2/layer2.0/conv9/Conv' } : n)) },
    };
    const missing = thrown(() => fillInitializers(renamed, emitted(), { target: 'graph', source: 'the emitted resnet18' }));
    expect(missing).toBeInstanceOf(AttnkitError);
    expect(missing.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(missing.message).toMatch(/cannot fill 2 of the 42 initializers/);
    expect(missing.message).toMatch(/has no node named '\/layer2\/layer2\.0\/conv9\/Conv'/);
    const renamedConv = graph.graph.nodes.find((n) => n.name === '/layer2/layer2.0/conv1/Conv')!;
    expect(missing.details.unfilled).toEqual(renamedConv.inputs.slice(1));

    const wider = thrown(() => fillInitializers(graph, emitted(16), { target: 'graph', source: 'the emitted resnet18 width 16' }));
    expect(wider.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(wider.message).toMatch(/shape \[8, 3, 7, 7\] type 1, but the emitted resnet18 width 16's conv1\.\S+ is \[16, 3, 7, 7\]/);
  });
});

describe('attnkit bench with a weightless torch export', () => {
  let results: BenchResults;

  beforeAll(async () => {
    const config = parseBenchConfig({
      models: [
        { backbone: 'resnet18', options: { numClasses: 10, width: 8 } },
        { path: stripped, label: 'resnet18 torch.onnx.export', weightsFrom: 'resnet18', attention: ['none'] },
        { path: stripped, label: 'no weights', attention: ['none'] },
      ],
      attention: ['none'],
      backends: ['onnx-node'],
      inputSizes: [64],
      warmup: { minIterations: 1, maxIterations: 2, maxSeconds: 2 },
      measure: { iterations: 3, iterationsPerRound: 1 },
      threads: 1,
      seed,
      machineLimit: { enabled: false },
    });
    expect(config.models[1].sameNetworkAs).toBe('resnet18');
    expect(config.models[1].weightsFrom).toEqual({ label: 'resnet18', backbone: 'resnet18', options: { numClasses: 10, width: 8 } });
    results = await runBenchmark(config);
  }, 120_000);

  it('fills it with the zoo model`s weights, checks the same output and measures it in the zoo model`s group', () => {
    const ours = results.cells.find((c) => c.model === 'resnet18')!;
    const torch = results.cells.find((c) => c.model === 'resnet18 torch.onnx.export')!;
    expect(torch.status).toBe('ok');
    expect(torch.weightsFrom).toBe('resnet18');
    expect(torch.sameNetwork).toMatchObject({ reference: ours.id, tolerance: 1e-5, pass: true });
    expect(torch.sameNetwork!.relativeL2).toBeLessThan(1e-5);
    expect(torch.group).toBe('resnet18 on onnx-node');
    expect(ours.group).toBe(torch.group);
    expect(results.groups.map((g) => g.label)).toEqual(['resnet18 on onnx-node', 'no weights on onnx-node']);
  });

  it('fails a weightless graph without weightsFrom with a message that says what to give', () => {
    const bare = results.cells.find((c) => c.model === 'no weights')!;
    expect(bare.status).toBe('failed');
    expect(bare.reason).toMatch(/weightless graph .*"weightsFrom"/);
  });

  it('judges the torch-export target only with the same-network check beside it', () => {
    // The target is about resnet50 at 224; relabel this run's cells to see how it reads them.
    const cells = results.cells.map((c) => ({ ...c, inputSize: 224, modelSource: c.modelSource === 'zoo:resnet18' ? 'zoo:resnet50' : c.modelSource, sameNetworkAs: c.sameNetworkAs && 'resnet50' }));
    const [target] = evaluateTargets({ ...results, cells });
    expect(target.id).toBe('onnx-node-vs-torch-export');
    expect(target.measured).toMatch(/^\d\.\d{3}x \[95% CI .*n 3/);
    expect(target.note).toMatch(/interleaved in one group \(resnet18 on onnx-node\); same network, same weights: rel L2 \S+ \(< 1e-5\)/);
    // The verdict is inconclusive exactly when the interval printed in `measured` spans 1.02.
    const [low, high] = /\[95% CI ([\d.]+), ([\d.]+)\]/.exec(target.measured!)!.slice(1).map(Number);
    expect(target.conclusive).toBe(!(low <= 1.02 && high > 1.02));
    expect(target.note.includes('inconclusive')).toBe(!target.conclusive);
    const broken = cells.map((c) => (c.sameNetwork ? { ...c, sameNetwork: { ...c.sameNetwork, relativeL2: 0.5, pass: false } } : c));
    const [judged] = evaluateTargets({ ...results, cells: broken });
    expect(judged.pass).toBeNull();
    expect(judged.note).toMatch(/NOT the same function/);
  });
});
