import '@attnkit/eca';
import '@attnkit/se';
import '@attnkit/cbam';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AttentionSpec,
  type Graph,
  type Tensor,
  attentionNetwork,
  initializeWeights,
  isAttnkitError,
  listAttention,
  maxAbsDiff,
  randomTensor,
  relativeL2,
  runReference,
  traceNetwork,
} from '@attnkit/core';
import { createBackbone, loadStateDict, readSafetensors } from '@attnkit/zoo';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { emitModel, emitNetwork, METADATA_KEYS } from './emit-model.js';
import { decodeModel, encodeModel } from './model-codec.js';
import type { OnnxModel } from './onnx-model.js';
import { type Runner, createRunner } from './session-runner.js';

const runtimes = ['onnxruntime-node', 'onnxruntime-web'] as const;
const runners = new Map<string, Runner>();
beforeAll(async () => {
  for (const runtime of runtimes) runners.set(runtime, await createRunner({ runtime, threads: 1 }));
});
afterAll(() => runners.clear());

async function run(runtime: string, model: OnnxModel, input: Tensor): Promise<Float32Array> {
  const session = await runners.get(runtime)!.load(encodeModel(model));
  try {
    const outputs = await session.run({ [session.inputNames[0]]: { dims: [...input.shape], data: input.data } });
    return outputs[session.outputNames[0]].data;
  } finally {
    await session.dispose();
  }
}

// Options that give every module a k of its own where it has one (ECA-NS and CECA at k = 5
// exercise the neighbour gather and the circular wrap on both ends).
const moduleSpecs = (): AttentionSpec[] =>
  listAttention().map((d) => (d.options.kernelSize ? { type: d.id, kernelSize: 5 } : d.id === 'cbam' ? { type: 'cbam', reductionRatio: 4 } : d.id));

describe.each(runtimes)('every registered module alone in %s', (runtime) => {
  test.each(moduleSpecs().map((spec) => [typeof spec === 'string' ? spec : spec.type, spec] as const))('%s matches the reference to 1e-5 max abs', async (_id, spec) => {
    // N = 2, C = 12, H != W; CBAM's spatial BN gets non-trivial statistics from seeded weights.
    const network = attentionNetwork(spec, 12, [2, 12, 5, 7]);
    const weights = seededWeights(traceNetwork(network), 7);
    const input = randomTensor([2, 12, 5, 7], 11);
    const expected = runReference(network, weights, input)[0];
    const model = emitNetwork(network, weights);
    expect(model.functions).toHaveLength(1);
    expect(model.graph.nodes.filter((n) => n.domain === 'ai.attnkit')).toHaveLength(1);
    expect(maxAbsDiff(await run(runtime, model, input), expected.data)).toBeLessThan(1e-5);
  }, 60_000);
});

/** Every constant-initialized vector (BatchNorm weight, bias and statistics) moved off its init, so folding is exercised. */
function seededWeights(graph: Graph, seed: number): Map<string, Tensor> {
  const weights = initializeWeights(graph, seed);
  for (const p of graph.params) {
    if (p.spec.layout !== 'vector' || p.spec.init.kind !== 'constant') continue;
    const u = randomTensor(p.spec.shape, seed, p.name).data;
    // running_var in [0.5, 1.5], weight in [0.7, 1.3], bias and mean in [-0.2, 0.2].
    const value = p.spec.init.value;
    weights.set(p.name, { shape: p.spec.shape, data: u.map((v) => (p.name.endsWith('running_var') ? 1 + 0.5 * v : value === 1 ? 1 + 0.3 * v : 0.2 * v)) });
  }
  return weights;
}

const networks = ['resnet18', 'resnet50', 'mobilenet_v2'].flatMap((backbone) => ['none', 'eca', 'se', 'cbam'].map((attention) => [backbone, attention] as const));

describe.each(runtimes)('zoo networks in %s', (runtime) => {
  test.each(networks)('%s + %s matches the reference to 1e-4 relative L2', async (backbone, attention) => {
    const spec = attention === 'none' ? null : attention === 'eca' ? 'eca' : { type: attention, reductionRatio: 4 };
    const network = createBackbone(backbone, { attention: spec, numClasses: 10, ...(backbone === 'mobilenet_v2' ? { widthMultiplier: 0.25 } : { width: 8 }) });
    const shape = [1, 3, 32, 32];
    const graph = traceNetwork(network, shape);
    const weights = seededWeights(graph, 3);
    const input = randomTensor(shape, 5);
    const expected = runReference(network, weights, input)[0];
    const model = emitModel(graph, weights, {}, network.metadata);
    // BatchNorm is folded away; one function call per block with attention.
    expect(model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(model.graph.nodes.filter((n) => n.domain === 'ai.attnkit')).toHaveLength(graph.attention.length);
    expect(relativeL2(await run(runtime, model, input), expected.data)).toBeLessThan(1e-4);
  }, 60_000);
});

const fixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/zoo', import.meta.url));
const zooFixtures = ['resnet18_eca', 'resnet50_se', 'resnet18_cbam', 'mobilenet_v2_eca'];

describe.each(runtimes)("the zoo's golden PyTorch logits in %s", (runtime) => {
  test.each(zooFixtures)('%s', async (name) => {
    const golden = JSON.parse(readFileSync(`${fixtures}/${name}.json`, 'utf8'));
    const attention = golden.attention.kernelSize === 'k13' ? { ...golden.attention, kernelSize: 'mobilenet-v2' } : golden.attention;
    const network = createBackbone(golden.backbone, {
      attention,
      numClasses: golden.numClasses,
      ...(golden.width ? { width: golden.width } : { widthMultiplier: golden.widthMultiplier }),
    });
    const graph = traceNetwork(network, golden.input.shape);
    const file = readSafetensors(readFileSync(`${fixtures}/${name}.safetensors`));
    const { tensors } = loadStateDict(graph.params.map((p) => ({ ...p.spec, name: p.name })), file.tensors);
    const model = emitModel(graph, tensors, { weightSource: `${name}.safetensors` }, network.metadata);
    const input = { shape: golden.input.shape, data: Float32Array.from(golden.input.data) };
    expect(relativeL2(await run(runtime, model, input), golden.logits.data)).toBeLessThan(1e-4);
    expect(model.metadataProps?.find((e) => e.key === METADATA_KEYS.weights)?.value).toBe(`${name}.safetensors`);
  }, 60_000);
});

describe('emitter options and model layout', () => {
  const network = createBackbone('resnet50', { attention: { type: 'eca', kernelSize: [3, 5, 5, 7] }, numClasses: 10, width: 8 });
  const graph = traceNetwork(network, [1, 3, 32, 32]);
  const weights = seededWeights(graph, 1);
  const input = randomTensor([1, 3, 32, 32], 2);
  const expected = runReference(network, weights, input)[0];

  test('one ECA function per kernel size, called once per block, with metadata and PyTorch node names', () => {
    const model = emitModel(graph, weights, { weightSource: 'seed 1' }, network.metadata);
    // k3557 on [3, 4, 6, 3] blocks: 16 calls of 3 functions.
    expect(model.functions?.map((f) => f.name)).toEqual(['ECA_k3', 'ECA_k5', 'ECA_k7']);
    const calls = model.graph.nodes.filter((n) => n.domain === 'ai.attnkit');
    expect(calls.map((n) => n.opType)).toEqual([...Array(3).fill('ECA_k3'), ...Array(10).fill('ECA_k5'), ...Array(3).fill('ECA_k7')]);
    expect(calls[0].name).toBe('/layer1/layer1.0/eca/ECA_k3');
    expect(calls[0].inputs[1]).toBe('layer1.0.eca.conv.weight');
    expect(model.graph.nodes.find((n) => n.opType === 'Add')?.name).toBe('/layer1/layer1.0/Add');
    expect(model.graph.nodes.some((n) => n.name === '/layer2/layer2.0/downsample/downsample.0/Conv')).toBe(true);
    const meta = Object.fromEntries(model.metadataProps!.map((e) => [e.key, e.value]));
    expect(meta[METADATA_KEYS.backbone]).toBe('resnet50');
    expect(JSON.parse(meta[METADATA_KEYS.attention])).toEqual({ type: 'eca', kernelSize: [3, 5, 5, 7] });
    expect(JSON.parse(meta[METADATA_KEYS.kernelSizes])).toMatchObject({ 'layer1.0': 3, 'layer2.3': 5, 'layer3.5': 5, 'layer4.2': 7 });
    expect(meta[METADATA_KEYS.weights]).toBe('seed 1');
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }, { domain: 'ai.attnkit', version: 1 }]);
    // The model survives an encode/decode round trip byte for byte.
    const bytes = encodeModel(model);
    expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(bytes)).toBe(true);
  }, 60_000);

  test.each([
    ['keepBatchNorm', { keepBatchNorm: true }],
    ['inlineFunctions', { inlineFunctions: true }],
    ['opset 13', { opset: 13 }],
    ['opset 18 (axes as inputs)', { opset: 18 }],
    ['gateMul broadcast', { gateMul: 'broadcast' }],
  ] as const)('%s runs and matches the reference', async (_name, options) => {
    const model = emitModel(graph, weights, options, network.metadata);
    if ('keepBatchNorm' in options) expect(model.graph.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(53);
    if ('inlineFunctions' in options) {
      expect(model.functions).toBeUndefined();
      expect(model.graph.nodes.find((n) => n.opType === 'GlobalAveragePool')?.name).toBe('/layer1/layer1.0/eca/GlobalAveragePool');
    }
    if ('opset' in options) expect(model.opsetImports[0]).toEqual({ domain: '', version: options.opset });
    if ('gateMul' in options) expect(model.functions?.flatMap((f) => f.nodes.map((n) => n.opType)).filter((op) => op === 'Resize' || op === 'MaxPool')).toEqual([]);
    expect(relativeL2(await run('onnxruntime-node', model, input), expected.data)).toBeLessThan(1e-4);
  }, 60_000);

  test('the channel gate is expanded to x\'s shape by default (MaxPool 1x1, Resize nearest, equal-shape Mul)', async () => {
    const model = emitModel(graph, weights, {}, network.metadata);
    const body = model.functions!.find((f) => f.name === 'ECA_k3')!.nodes.map((n) => n.opType).filter((op) => op !== 'Constant');
    expect(body).toEqual(['GlobalAveragePool', 'Reshape', 'Reshape', 'Conv', 'Reshape', 'Sigmoid', 'MaxPool', 'Shape', 'Resize', 'Mul']);
    const resize = model.functions![0].nodes.find((n) => n.opType === 'Resize')!;
    expect(Object.fromEntries(resize.attributes.map((a) => [a.name, 'value' in a ? a.value : undefined]))).toEqual({ coordinate_transformation_mode: 'asymmetric', mode: 'nearest', nearest_mode: 'floor' });
    // Same values as the single broadcasting Mul.
    const broadcast = emitModel(graph, weights, { gateMul: 'broadcast' }, network.metadata);
    for (const runtime of runtimes) {
      const [a, b] = [await run(runtime, model, input), await run(runtime, broadcast, input)];
      expect(relativeL2(a, b)).toBeLessThan(1e-6);
    }
  }, 60_000);

  // onnxruntime's NCHWc transformer (x86 MLAS) keeps the convolutions blocked; with the expanded
  // gate no full-size tensor leaves the blocked layout: every reorder is a pooled vector or the
  // network's final one, and no Mul, Add or Relu reads a reordered-out tensor. MLAS blocks 8
  // channels with AVX2 and 16 with AVX-512, and leaves a conv whose channels are not a multiple
  // of its block in NCHW, so this network is at width 16 (every channel count a multiple of 16).
  test.runIf(process.arch === 'x64')('onnxruntime-node keeps ECA, the residual Add and its Relu in the NCHWc layout', async () => {
    const ort = await import('onnxruntime-node');
    const wide = createBackbone('resnet50', { attention: { type: 'eca', kernelSize: [3, 5, 5, 7] }, numClasses: 10, width: 16 });
    const wideGraph = traceNetwork(wide, [1, 3, 32, 32]);
    const dir = mkdtempSync(join(tmpdir(), 'attnkit-nchwc-'));
    try {
      const optimized = async (model: OnnxModel) => {
        const path = join(dir, 'optimized.onnx');
        const session = await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
        await session.release();
        return decodeModel(new Uint8Array(readFileSync(path))).graph.nodes;
      };
      const nodes = await optimized(emitModel(wideGraph, initializeWeights(wideGraph, 0), {}, wide.metadata));
      const reorderedOut = new Set(nodes.filter((n) => n.opType === 'ReorderOutput').flatMap((n) => n.outputs));
      const readers = nodes.filter((n) => n.inputs.some((i) => reorderedOut.has(i))).map((n) => n.opType);
      expect(nodes.filter((n) => n.opType === 'Upsample' && n.domain === 'com.microsoft.nchwc')).toHaveLength(16);
      expect(readers.filter((op) => op === 'Mul' || op === 'Add' || op === 'Relu')).toEqual([]);
      expect(readers.filter((op) => op !== 'Reshape' && op !== 'Flatten')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('an unknown gateMul is INVALID_OPTION', () => {
    expect(() => emitModel(graph, weights, { gateMul: 'nchwc' as 'expanded' })).toThrowError(/gateMul is 'nchwc'; expected 'expanded' \(default\) or 'broadcast'/);
  });

  test.each([12, 22, 17.5])('opset %s is UNSUPPORTED_OPSET', (opset) => {
    expect(() => emitModel(graph, weights, { opset })).toThrowError(/opset .* is not supported: attnkit emits ONNX opsets 13 to 21/);
    try {
      emitModel(graph, weights, { opset });
    } catch (error) {
      expect(isAttnkitError(error, 'UNSUPPORTED_OPSET')).toBe(true);
    }
  });

  test('a missing weight is UNKNOWN_PARAMETER naming it', () => {
    const partial = new Map(weights);
    partial.delete('layer3.2.eca.conv.weight');
    expect(() => emitModel(graph, partial)).toThrowError(/no value for parameter 'layer3\.2\.eca\.conv\.weight' \[1, 1, 5\]/);
  });
});
