import '@attnkit/eca';
import '@attnkit/se';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AttentionSpec, relativeL2, runReference, traceNetwork } from '@attnkit/core';
import { createRunner, emitModel, encodeModel, type Runner } from '@attnkit/onnx';
import { compileInference, toLayersModel, useBackend } from '@attnkit/tfjs';
import { createBackbone, createTimmResNet, loadWeights, type TimmResNetName } from '@attnkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelSource } from '../src/bench/model-source.js';
import { countBackbone } from '../src/commands/count.js';
import { buildNetwork } from '../src/zoo-network.js';
import { attnkit } from './test-support.js';

// The timm goldens of tools/golden/make_golden_pth.py (see packages/zoo/src/timm-resnet.test.ts
// for the reference interpreter): PyTorch logits of width-reduced timm ResNets whose weights are
// .pth files written by Debian's torch, here on onnxruntime-node and tfjs-wasm. Their stride-2
// average-pool shortcuts run on 5x5 and 3x3 maps, where ceil_mode clips windows.
const FIXTURES = fileURLToPath(new URL('../../../tools/golden/fixtures/pth/', import.meta.url));
const fixture = JSON.parse(readFileSync(`${FIXTURES}timm_resnet.json`, 'utf8')) as {
  input: { shape: number[]; data: number[] };
  goldens: Record<string, { weights: string; width: number; stemWidth: number; numClasses: number; logits: { shape: number[]; data: number[] } }>;
};
const input = { shape: fixture.input.shape, data: Float32Array.from(fixture.input.data) };

function build(name: string) {
  const golden = fixture.goldens[name];
  const network = createTimmResNet(name as TimmResNetName, { width: golden.width, stemWidth: golden.stemWidth, numClasses: golden.numClasses });
  const { weights } = loadWeights(network, new Uint8Array(readFileSync(`${FIXTURES}${golden.weights}`)));
  return { golden, network, weights, graph: traceNetwork(network, input.shape) };
}

describe('timm ResNets from .pth on onnxruntime-node', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
  });

  it.each(Object.keys(fixture.goldens))('%s matches PyTorch to 1e-4 relative L2', async (name) => {
    const { golden, network, weights, graph } = build(name);
    const model = emitModel(graph, weights, { weightSource: golden.weights }, network.metadata);
    // avg_down on layer2..4 (layer1 keeps stride 1: no pool); seresnet50 keeps timm's strided 1x1 conv.
    expect(model.graph.nodes.filter((node) => node.opType === 'AveragePool')).toHaveLength(name === 'seresnet50' ? 0 : 3);
    const session = await runner.load(encodeModel(model));
    const outputs = await session.run({ [session.inputNames[0]]: { dims: [...input.shape], data: input.data } });
    expect(relativeL2(outputs[session.outputNames[0]].data, golden.logits.data)).toBeLessThan(1e-4);
  }, 60_000);
});

describe('timm ResNets from .pth on tfjs-wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => tf.disposeVariables());

  it.each(Object.keys(fixture.goldens))('%s matches PyTorch to 1e-4 relative L2 (predict and compileInference)', async (name) => {
    const { golden, weights, graph } = build(name);
    const model = toLayersModel(graph, weights);
    // 5 -> 3 and 3 -> 2 clip windows (the ceil-mode layer); 10 -> 5 is a plain AveragePooling2D.
    const pools = (className: string) => model.layers.filter((layer) => layer.getClassName() === className).length;
    expect([pools('AveragePooling2D'), pools('AttnkitCeilAveragePooling2D')]).toEqual(name === 'seresnet50' ? [0, 0] : [1, 2]);
    const x = tf.transpose(tf.tensor4d(input.data, input.shape as [number, number, number, number]), [0, 2, 3, 1]);
    const predicted = model.predict(x) as tf.Tensor;
    const compiled = compileInference(model)(x);
    expect(relativeL2(await predicted.data(), golden.logits.data)).toBeLessThan(1e-4);
    expect(relativeL2(await compiled.data(), golden.logits.data)).toBeLessThan(1e-4);
    tf.dispose([x, predicted, compiled]);
    model.dispose();
  }, 60_000);
});

describe('--weights takes a .pth wherever it takes a .safetensors', () => {
  it('buildNetwork (run, export) loads resnet26d_reduced.pth by content and gives PyTorch logits', async () => {
    const golden = fixture.goldens.resnet26d;
    // timm's default stem width 32: the CLI has no stem-width option, width 2 is `--width 2`.
    expect(golden.stemWidth).toBe(32);
    const network = await buildNetwork('resnet26d', { width: '2', numClasses: '10', inputSize: '40', weights: `${FIXTURES}${golden.weights}` });
    expect(network.weightsSource).toEqual({ file: `${FIXTURES}${golden.weights}` });
    const [logits] = runReference(network.backbone, network.weights, input);
    expect(relativeL2(logits.data, golden.logits.data)).toBeLessThan(1e-4);
  });

  it('a malicious checkpoint is refused by name before anything is built', async () => {
    await expect(buildNetwork('resnet18', { weights: `${FIXTURES}malicious.pth` })).rejects.toMatchObject({ code: 'INVALID_FILE', details: { global: 'posix.system' } });
  });
});

describe('attnkit count on timm names', () => {
  it("ecaresnet50d counts its own ECA (timm's 25,576,350 parameters, k 5, 5, 5, 7 by stage); seresnet50 its SE", () => {
    const eca = countBackbone({ backbone: 'ecaresnet50d' });
    expect(eca.parameters).toBe(25_576_350);
    expect(eca.attention).toEqual({ type: 'eca', kernelSize: 'adaptive-min3' });
    expect([...new Set(eca.insertions.map((i) => i.kernelSize))]).toEqual([5, 7]);
    expect(countBackbone({ backbone: 'seresnet50' }).parameters).toBe(28_088_024);
    expect(countBackbone({ backbone: 'resnet50d', attention: 'eca' }).insertions).toHaveLength(16);
  });
});

// `--attention none` is timm's attn_layer=None: the network without its own module, so exactly the
// plain ResNet-D/T's parameters (counts from timm's source: packages/zoo/src/timm-resnet.test.ts).
describe("--attention none strips a timm model's own attention in every command that builds a network", () => {
  it('count: ecaresnet50d = resnet50d (25,576,264), ecaresnet26t = resnet26t, seresnet50 = resnet50; none on a plain network changes nothing', () => {
    const stripped = countBackbone({ backbone: 'ecaresnet50d', attention: 'none' });
    expect([stripped.parameters, stripped.insertions.length, stripped.attention]).toEqual([25_576_264, 0, null]);
    expect(countBackbone({ backbone: 'ecaresnet26t', attention: 'none' }).parameters).toBe(16_011_872);
    expect(countBackbone({ backbone: 'seresnet50', attention: 'none' }).parameters).toBe(25_557_032);
    expect(countBackbone({ backbone: 'resnet50d', attention: 'none' }).parameters).toBe(25_576_264);
    // Another module replaces the own one: SE in ecaresnet50d is seresnet50d's SE count.
    expect(countBackbone({ backbone: 'ecaresnet50d', attention: 'se' }).parameters).toBe(countBackbone({ backbone: 'resnet50d', attention: 'se' }).parameters);
  });

  it("run, export and classify (buildNetwork): the graph has no attention and resnet50d's parameter names and shapes", async () => {
    const stripped = await buildNetwork('ecaresnet50d', { attention: 'none', width: '4', numClasses: '10', inputSize: '32' });
    const plain = await buildNetwork('resnet50d', { width: '4', numClasses: '10', inputSize: '32' });
    const own = await buildNetwork('ecaresnet50d', { width: '4', numClasses: '10', inputSize: '32' });
    expect(stripped.insertions).toEqual([]);
    expect(own.insertions).toHaveLength(16);
    const shapes = (network: typeof plain) => network.graph.params.map((p) => [p.name, p.spec.shape]);
    expect(shapes(stripped)).toEqual(shapes(plain));
  });

  it('the CLI prints the stripped count; insert refuses none (it would insert nothing)', () => {
    const run = attnkit(['count', 'ecaresnet50d', '--attention', 'none', '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ backbone: 'ecaresnet50d', attention: null, parameters: 25_576_264 });
    const insert = attnkit(['insert', 'model.onnx', '--attention', 'none', '--at', 'residual', '-o', 'out.onnx']);
    expect(insert.status).toBe(2);
    expect(insert.stderr).toContain('INVALID_OPTION');
  });

  it("bench: the 'none' cell of a timm model is the plain network", async () => {
    const model = { label: 'eca50d', source: { kind: 'zoo' as const, backbone: 'ecaresnet50d', options: { width: 4, numClasses: 10 } }, attention: [], backends: [] };
    const source = new ModelSource();
    const none = await source.resolve(model, { label: 'none', spec: undefined }, [1, 3, 32, 32], 0);
    const eca = await source.resolve(model, { label: 'eca', spec: 'eca' }, [1, 3, 32, 32], 0);
    expect(none.costs?.insertions).toBe(0);
    expect(eca.costs?.insertions).toBe(16);
    expect(none.costs?.parameters).toBe(countBackbone({ backbone: 'resnet50d', width: '4', numClasses: '10' }).parameters);
  });
});

// An official-style ECA-ResNet-50 checkpoint (make_golden_pth.py): torchvision ResNet-50 at width 4
// with ECA k 3, 5, 5, 7 under `module.layer*.eca`, nested in { epoch, arch, state_dict,
// best_prec1, optimizer } and saved in the legacy (pre-1.6) format, as the official ECANet releases.
describe('official-style ECA-ResNet-50 .pth.tar on every backend', () => {
  const official = JSON.parse(readFileSync(`${FIXTURES}eca_resnet50_official_style.json`, 'utf8')) as {
    weights: string;
    width: number;
    numClasses: number;
    attention: AttentionSpec;
    input: { shape: number[]; data: number[] };
    logits: { shape: number[]; data: number[] };
  };
  const network = createBackbone('resnet50', { width: official.width, numClasses: official.numClasses, attention: official.attention });
  const loaded = loadWeights(network, new Uint8Array(readFileSync(`${FIXTURES}${official.weights}`)));
  const x = { shape: official.input.shape, data: Float32Array.from(official.input.data) };
  const graph = traceNetwork(network, x.shape);

  it('picks state_dict, drops module., detects the official-eca names; the reference gives PyTorch logits', () => {
    expect([loaded.format, loaded.stateDictKey, loaded.convention]).toEqual(['pth-legacy', 'state_dict', 'official-eca']);
    expect(loaded.report.renamed[0]).toEqual({ from: 'module.conv1.weight', to: 'conv1.weight' });
    expect(relativeL2(runReference(network, loaded.weights, x)[0].data, official.logits.data)).toBeLessThan(1e-4);
  });

  it('onnxruntime-node', async () => {
    const runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
    const session = await runner.load(encodeModel(emitModel(graph, loaded.weights, { weightSource: official.weights }, network.metadata)));
    const outputs = await session.run({ [session.inputNames[0]]: { dims: [...x.shape], data: x.data } });
    expect(relativeL2(outputs[session.outputNames[0]].data, official.logits.data)).toBeLessThan(1e-4);
  }, 60_000);

  it('tfjs-wasm', async () => {
    await useBackend('wasm');
    const model = toLayersModel(graph, loaded.weights);
    const nhwc = tf.transpose(tf.tensor4d(x.data, x.shape as [number, number, number, number]), [0, 2, 3, 1]);
    const y = model.predict(nhwc) as tf.Tensor;
    expect(relativeL2(await y.data(), official.logits.data)).toBeLessThan(1e-4);
    tf.dispose([nhwc, y]);
    model.dispose();
  }, 60_000);
});
