import '@attnkit/eca';
import '@attnkit/se';
import '@attnkit/cbam';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AttentionSpec, relativeL2 } from '@attnkit/core';
import { thrownAttnkitError as thrown } from '@attnkit/tools/test-errors';
import { readSafetensors } from '@attnkit/zoo';
import { beforeAll, describe, expect, test } from 'vitest';
import { insertAttention } from './insert-attention.js';
import { decodeModel, encodeModel } from './model-codec.js';
import { type Runner, createRunner } from './session-runner.js';
import { tensorToFloat32 } from './tensor-data.js';

const dir = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(`${dir}/${name}`));
const runtimes = ['onnxruntime-node', 'onnxruntime-web'] as const;
const runners = new Map<string, Runner>();
beforeAll(async () => {
  for (const runtime of runtimes) runners.set(runtime, await createRunner({ runtime, threads: 1 }));
});

async function logits(runtime: string, bytes: Uint8Array, input: { shape: number[]; data: number[] }): Promise<Float32Array> {
  const session = await runners.get(runtime)!.load(bytes);
  const outputs = await session.run({ input: { dims: input.shape, data: Float32Array.from(input.data) } });
  await session.dispose();
  return outputs.logits.data;
}

describe.each(runtimes)('the torch.onnx.export fixtures with their ECA weights, in %s', (runtime) => {
  test.each(['resnet18_w8', 'mobilenet_v2_w025'])('%s + ECA at residual reproduces PyTorch ecaLogits to 1e-4', async (name) => {
    const golden = JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8'));
    const kernelSizes: Record<string, number> = golden.ecaKernelSizes;
    const weights = readSafetensors(read(`${name}_eca_weights.safetensors`)).tensors;
    const bytes = read(`${name}.onnx`);
    const before = Buffer.from(bytes);
    // ResNet: k = 3 everywhere; MobileNetV2: the official k13 rule, read per block from its settings row.
    const kernelSize = name.startsWith('resnet') ? 3 : 'mobilenet-v2';
    const { model, report } = insertAttention(bytes, { attention: { type: 'eca', kernelSize }, at: 'residual', weights });
    expect(Buffer.from(bytes).equals(before)).toBe(true);
    // One module per block, with the block's k as PyTorch had it and docs/paper.md's parameter names.
    expect(Object.fromEntries(report.map((r) => [r.name.replace(/\.(eca|conv\.\d)$/, ''), r.kernelSize]))).toEqual(kernelSizes);
    for (const entry of report) {
      expect(entry.parameters).toBe(entry.kernelSize);
      expect(model.graph.initializers.some((t) => t.name === `${entry.name}.conv.weight`)).toBe(true);
    }
    const names = report.map((r) => r.name);
    if (name.startsWith('resnet')) {
      expect(names[0]).toBe('layer1.0.eca');
      expect(report[0]).toMatchObject({ node: '/layer1/layer1.0/eca/ECA_k3', tensor: '/layer1/layer1.0/conv2/Conv_output_0', channels: 8 });
    } else {
      expect(names.slice(0, 3)).toEqual(['features.1.conv.3', 'features.2.conv.4', 'features.3.conv.4']);
    }
    const out = await logits(runtime, encodeModel(model), golden.input);
    expect(relativeL2(out, golden.ecaLogits.data)).toBeLessThan(1e-4);
    // Without ECA the plain logits are far from these: the test would notice a no-op insertion.
    expect(relativeL2(golden.plainLogits.data, golden.ecaLogits.data)).toBeGreaterThan(1e-2);
  }, 60_000);
});

describe('insertion points, weights and report', () => {
  const resnet = read('resnet18_w8.onnx');

  test('after a named node and a named tensor; every reader of the tensor gets the module output', async () => {
    const { model, report } = insertAttention(resnet, { attention: 'se', at: ['/layer4/layer4.1/Add', '/layer1/layer1.0/relu_1/Relu_output_0'], seed: 3 });
    expect(report.map((r) => [r.tensor, r.channels, r.name, r.parameters])).toEqual([
      // SE r16 on 64 channels: 2 * 64 * 4 + 4 + 64 = 580; on 8 channels C/r floors to 1: 2 * 8 + 1 + 8 = 25.
      ['/layer4/layer4.1/Add_output_0', 64, 'layer4.1.se', 580],
      ['/layer1/layer1.0/relu_1/Relu_output_0', 8, 'layer1.0.se', 25],
    ]);
    const seNode = model.graph.nodes.find((n) => n.name === report[1].node)!;
    const readers = model.graph.nodes.filter((n) => n.inputs.includes('/layer1/layer1.0/relu_1/Relu_output_0'));
    expect(readers).toEqual([seNode]);
    // The relu output fed layer1.1's conv1 and its Add: both now read the SE output.
    expect(model.graph.nodes.filter((n) => n.inputs.includes(seNode.outputs[0])).map((n) => n.name)).toEqual(['/layer1/layer1.1/conv1/Conv', '/layer1/layer1.1/Add']);
    const session = await runners.get('onnxruntime-node')!.load(encodeModel(model));
    expect(session.outputNames).toEqual(['logits']);
  });

  test('the same seed gives the same weights (core seeded init by PyTorch name)', () => {
    const weight = (seed: number) =>
      tensorToFloat32(insertAttention(resnet, { attention: 'eca', at: 'residual', seed }).model.graph.initializers.find((t) => t.name === 'layer2.1.eca.conv.weight')!);
    expect(weight(4)).toEqual(weight(4));
    expect(weight(4)).not.toEqual(weight(5));
  });

  test('weights by insertion-point name; a k that differs from the checkpoint is KERNEL_SIZE_MISMATCH', () => {
    const w = { shape: [1, 1, 3], data: Float32Array.from([0.1, 0.2, 0.3]) };
    const { model } = insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer3/layer3.1/Add'], weights: new Map([['/layer3/layer3.1/Add.conv.weight', w]]) });
    expect(Array.from(tensorToFloat32(model.graph.initializers.find((t) => t.name === 'layer3.1.eca.conv.weight')!))).toEqual(Array.from(w.data));
    const error = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 5 }, at: ['/layer3/layer3.1/Add'], weights: new Map([['layer3.1.eca.conv.weight', w]]) }));
    expect(error.code).toBe('KERNEL_SIZE_MISMATCH');
    expect(error.message).toMatch(/layer3\.1\.eca\.conv\.weight k = 3 \(spec: 5\); pass kernelSize: 3/);
  });

  test('inserting into a model that already has ECA reuses its function and keeps names unique', () => {
    const once = insertAttention(resnet, { attention: 'eca', at: 'residual' }).model;
    const twice = insertAttention(once, { attention: { type: 'eca', kernelSize: 5 }, at: ['/layer4/layer4.1/Add'] });
    expect(twice.model.functions?.map((f) => f.name)).toEqual(['ECA_k3', 'ECA_k5']);
    expect(twice.report[0].name).toBe('layer4.1.eca_1');
    expect(twice.model.graph.initializers.filter((t) => t.name.startsWith('layer4.1.eca')).map((t) => t.name)).toEqual(['layer4.1.eca.conv.weight', 'layer4.1.eca_1.conv.weight']);
    expect(new Set(twice.model.graph.nodes.map((n) => n.name)).size).toBe(twice.model.graph.nodes.length);
  });
});

describe('bad input: typed errors, nothing written, input untouched', () => {
  const resnet = read('resnet18_w8.onnx');

  test.each([
    ['truncated', resnet.slice(0, 5000)],
    ['corrupt', Uint8Array.from(resnet.slice(0, 2000), (b, i) => (i > 16 ? b ^ 0x5a : b))],
    ['empty', new Uint8Array(0)],
  ])('a %s .onnx is INVALID_FILE', (_name, bytes) => {
    const error = thrown(() => insertAttention(bytes, { attention: 'eca', at: 'residual' }));
    expect(error.code).toBe('INVALID_FILE');
    expect(error.message).toMatch(/not an ONNX ModelProto/);
  });

  test('an unknown name is UNKNOWN_INSERTION_POINT listing the nearest names', () => {
    const model = decodeModel(resnet);
    const snapshot = Buffer.from(encodeModel(model));
    const error = thrown(() => insertAttention(model, { attention: 'eca', at: ['/layer1/layer1.0/Ad'] }));
    expect(error.code).toBe('UNKNOWN_INSERTION_POINT');
    expect((error.details.nearest as string[])[0]).toBe('/layer1/layer1.0/Add');
    expect(error.message).toMatch(/nearest names: \/layer1\/layer1\.0\/Add/);
    expect(Buffer.from(encodeModel(model)).equals(snapshot)).toBe(true);
  });

  test('a 2-D insertion point is INVALID_INSERTION_POINT with its shape', () => {
    const error = thrown(() => insertAttention(resnet, { attention: 'eca', at: ['/layer1/layer1.0/Add', '/Flatten'] }));
    expect(error.code).toBe('INVALID_INSERTION_POINT');
    expect(error.message).toMatch(/'\/Flatten' is a 2-D tensor \[1, 64\]; channel attention needs a 4-D \[N, C, H, W\] tensor/);
  });

  test.each([6, 22])('a model at opset %s is UNSUPPORTED_OPSET', (version) => {
    const model = decodeModel(resnet);
    model.opsetImports = [{ domain: '', version }];
    const error = thrown(() => insertAttention(model, { attention: 'eca', at: 'residual' }));
    expect(error.code).toBe('UNSUPPORTED_OPSET');
    expect(error.message).toMatch(new RegExp(`the model imports ONNX opset ${version} is not supported: attnkit emits ONNX opsets 13 to 21`));
  });

  test('the same --at name twice, or a node and its output tensor, is INVALID_OPTION (no stacked modules)', () => {
    const twice = thrown(() => insertAttention(resnet, { attention: 'eca', at: ['/layer1/layer1.0/Add', '/layer1/layer1.0/Add'] }));
    expect(twice.code).toBe('INVALID_OPTION');
    expect(twice.message).toContain("'/layer1/layer1.0/Add' twice");
    const model = decodeModel(resnet);
    const add = model.graph.nodes.find((node) => node.name === '/layer1/layer1.0/Add')!;
    const aliases = thrown(() => insertAttention(resnet, { attention: 'eca', at: ['/layer1/layer1.0/Add', add.outputs[0]] }));
    expect(aliases.message).toContain('which are the same tensor');
  });

  test('weights keys no module reads are WEIGHTS_MISMATCH listing them, unless ignoreUnusedWeights', () => {
    const weights = readSafetensors(read('resnet18_w8_eca_weights.safetensors')).tensors;
    const extra = new Map([...weights, ['fc.weight', { shape: [1], data: new Float32Array(1) }], ['invented', { shape: [1], data: new Float32Array(1) }]]);
    const error = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: 'residual', weights: extra }));
    expect(error.code).toBe('WEIGHTS_MISMATCH');
    expect(error.details.unused).toEqual(['fc.weight', 'invented']);
    expect(error.message).toContain('--ignore-unused-weights');
    expect(insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: 'residual', weights: extra, ignoreUnusedWeights: true }).report).toHaveLength(8);
  });

  test('a kernel-size mismatch lists every position with the k the weights hold', () => {
    const weights = readSafetensors(read('resnet18_w8_eca_weights.safetensors')).tensors;
    const error = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 5 }, at: 'residual', weights }));
    expect(error.code).toBe('KERNEL_SIZE_MISMATCH');
    expect((error.details.positions as unknown[]).length).toBe(8);
    expect(error.message).toContain('layer1.0.eca.conv.weight k = 3 (spec: 5)');
    expect(error.message).toContain('pass kernelSize: 3');
  });

  test('missing weights for one point are WEIGHTS_MISMATCH naming the key', () => {
    const error = thrown(() => insertAttention(resnet, { attention: 'eca', at: 'residual', weights: new Map() }));
    expect(error.code).toBe('WEIGHTS_MISMATCH');
    expect(error.message).toMatch(/no 'layer1\.0\.eca\.conv\.weight'/);
  });
});

describe.each([12, 11, 10, 9, 7])('insertion into an opset %s model: plain nodes at its own opset', (version) => {
  const resnet = read('resnet18_w8.onnx');
  test.each<AttentionSpec>(['eca', 'se', 'cbam', 'ceca'])('%s runs on onnxruntime-node and matches the opset-17 insertion', async (attention) => {
    const original = decodeModel(resnet);
    const old = decodeModel(resnet);
    old.opsetImports = [{ domain: '', version }];
    // MaxPool's ceil_mode attribute came with opset 10; the fixture writes its default 0.
    if (version < 10) for (const node of old.graph.nodes) node.attributes = node.attributes?.filter((a) => a.name !== 'ceil_mode');
    const modern = insertAttention(original, { attention, at: 'residual', seed: 3 });
    const inlined = insertAttention(old, { attention, at: 'residual', seed: 3 });
    expect(inlined.model.functions ?? []).toEqual([]);
    expect(inlined.model.opsetImports).toEqual([{ domain: '', version }]);
    expect(inlined.model.graph.nodes.every((node) => !node.domain)).toBe(true);
    expect(inlined.report.map((r) => [r.name, r.kernelSize])).toEqual(modern.report.map((r) => [r.name, r.kernelSize]));
    const golden = JSON.parse(readFileSync(`${dir}/resnet18_w8.json`, 'utf8'));
    const expected = await logits('onnxruntime-node', encodeModel(modern.model), golden.input);
    const actual = await logits('onnxruntime-node', encodeModel(inlined.model), golden.input);
    expect(relativeL2(actual, expected)).toBeLessThan(1e-5);
  }, 60_000);
});
