/**
 * `attnkit export --format onnx` and `attnkit run --backend onnx-node|onnx-wasm` through their
 * command functions (source, no build needed).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { maxAbsDiff, relativeL2 } from '@attnkit/core';
import { decodeModel } from '@attnkit/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { rejection } from './test-support.js';
import { exportModel } from '../src/commands/export.js';
import { runModel } from '../src/commands/run.js';

const directory = mkdtempSync(join(tmpdir(), 'attnkit-onnx-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const fixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx/', import.meta.url));
const small = { attention: 'eca', width: '8', numClasses: '10', inputSize: '32', seed: '3' };

describe('attnkit export --format onnx', () => {
  it('writes one .onnx with ECA functions, folded BN and the build in metadata_props', async () => {
    const out = join(directory, 'resnet18-eca.onnx');
    const result = await exportModel('resnet18', { ...small, format: 'onnx', out, opset: '13' });
    expect(result.files).toEqual([out]);
    const model = decodeModel(new Uint8Array(readFileSync(out)));
    expect(model.opsetImports).toEqual([{ domain: '', version: 13 }, { domain: 'ai.attnkit', version: 1 }]);
    expect(model.graph.nodes.filter((n) => n.opType === 'ECA_k3')).toHaveLength(8);
    expect(model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const meta = Object.fromEntries(model.metadataProps!.map((e) => [e.key, e.value]));
    expect(meta['attnkit.backbone']).toBe('resnet18');
    expect(meta['attnkit.weights']).toBe('seed 3');
    expect(readdirSync(directory).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--keep-batchnorm and --inline-functions', async () => {
    const out = join(directory, 'kept');
    const [file] = (await exportModel('resnet18', { ...small, format: 'onnx', out, keepBatchnorm: true, inlineFunctions: true })).files;
    expect(file).toBe(join(out, 'model.onnx'));
    const model = decodeModel(new Uint8Array(readFileSync(file)));
    // ResNet-18: 20 convs, 20 BatchNorms (17 in blocks and stem + 3 downsample).
    expect(model.graph.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(20);
    expect(model.functions).toBeUndefined();
  });

  it('--gate-mul broadcast writes one Mul per gate (no MaxPool / Resize); a bad value is INVALID_OPTION and writes nothing', async () => {
    const out = join(directory, 'webgl.onnx');
    await exportModel('resnet18', { ...small, format: 'onnx', out, inlineFunctions: true, gateMul: 'broadcast' });
    const ops = decodeModel(new Uint8Array(readFileSync(out))).graph.nodes.map((n) => n.opType);
    // ResNet-18 has one MaxPool (the stem's) and 8 ECA gates, each one Mul.
    expect(ops.filter((op) => op === 'MaxPool')).toHaveLength(1);
    expect(ops.filter((op) => op === 'Resize' || op === 'Shape')).toEqual([]);
    expect(ops.filter((op) => op === 'Mul')).toHaveLength(8);
    const never = join(directory, 'never-gate.onnx');
    const error = await rejection(exportModel('resnet18', { ...small, format: 'onnx', out: never, gateMul: 'nchwc' }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/gateMul is 'nchwc'; expected 'expanded' \(default\) or 'broadcast'/);
    expect(existsSync(never)).toBe(false);
  });

  it('--channel-conv banded writes each ECA channel conv as one 1x1 Conv with a C x C band, inlined; a bad value is INVALID_OPTION and writes nothing', async () => {
    const out = join(directory, 'banded.onnx');
    await exportModel('resnet18', { ...small, format: 'onnx', out, channelConv: 'banded' });
    const model = decodeModel(new Uint8Array(readFileSync(out)));
    expect(model.functions).toBeUndefined();
    // ResNet-18 at width 8: ECA on 8, 16, 32, 64 channels, two blocks each.
    const bands = model.graph.initializers.filter((t) => t.name.endsWith('eca.conv.banded_weight')).map((t) => t.dims.map(Number));
    expect(bands).toEqual([8, 8, 16, 16, 32, 32, 64, 64].map((c) => [c, c, 1, 1]));
    expect(model.graph.initializers.some((t) => t.name.endsWith('eca.conv.weight'))).toBe(false);
    const never = join(directory, 'never-band.onnx');
    const error = await rejection(exportModel('resnet18', { ...small, format: 'onnx', out: never, channelConv: 'dense' }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/channelConv is 'dense'; expected 'conv' \(default\) or 'banded'/);
    expect(existsSync(never)).toBe(false);
  });

  it('an opset it cannot meet is UNSUPPORTED_OPSET and writes nothing', async () => {
    const out = join(directory, 'never.onnx');
    const error = await rejection(exportModel('resnet18', { ...small, format: 'onnx', out, opset: '12' }));
    expect(error.code).toBe('UNSUPPORTED_OPSET');
    expect(existsSync(out)).toBe(false);
  });
});

describe('attnkit run --backend onnx-node / onnx-wasm', () => {
  it('gives the same numbers as tfjs-cpu for the same seed (same weights, same input)', async () => {
    const onnxNode = await runModel('resnet18', { ...small, backend: 'onnx-node', iterations: '2' });
    const onnxWasm = await runModel('resnet18', { ...small, backend: 'onnx-wasm', iterations: '2' });
    const tfjs = await runModel('resnet18', { ...small, backend: 'tfjs-cpu', iterations: '1' });
    expect(onnxNode.backend).toBe('onnx-node');
    expect(onnxNode.outputShape).toEqual([1, 10]);
    expect(onnxNode.output).toHaveLength(10);
    expect(onnxNode.latencyMs.median).toBeGreaterThan(0);
    expect(onnxNode.latencyMs.p90).toBeGreaterThanOrEqual(onnxNode.latencyMs.median);
    expect(maxAbsDiff(onnxNode.output, onnxWasm.output)).toBeLessThan(1e-4);
    expect(relativeL2(onnxNode.output, tfjs.output)).toBeLessThan(1e-4);
  });

  it('runs a .onnx file (the torch.onnx.export fixture) on a seeded input', async () => {
    const result = await runModel(join(fixtures, 'resnet18_w8.onnx'), { backend: 'onnx-node', iterations: '1', seed: '1' });
    expect(result.outputShape).toEqual([1, 10]);
  });
});

