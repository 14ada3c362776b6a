
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { ErrorCodes, relativeL2, type Tensor } from '@attnkit/core';
import { useBackend } from '@attnkit/tfjs';
import { fileSystem } from '@attnkit/tfjs/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { attnkit } from './test-support.js';
import { exportModel } from '../src/commands/export.js';
import { runModel } from '../src/commands/run.js';

const directory = mkdtempSync(join(tmpdir(), 'attnkit-export-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const small = { attention: 'eca', width: '8', numClasses: '10', inputSize: '32', seed: '3' };

describe('attnkit export --format tfjs', () => {
  it('writes model.json + weights.bin that tf.loadLayersModel reads, with the insertion report', async () => {
    const out = join(directory, 'resnet18-eca');
    const result = await exportModel('resnet18', { ...small, format: 'tfjs', out });
    expect(result.files).toEqual([join(out, 'model.json'), join(out, 'weights.bin')]);
    expect(result.inputShape).toEqual([1, 3, 32, 32]);
    expect(result.weights).toEqual({ seed: 3 });
    // ResNet-18: 8 blocks, one ECA each; k = 3 by Eq. 12 for C = 8..64 (C = 64: (6 + 1) / 2 -> 3).
    expect(result.insertions.map((i) => i.kernelSize)).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.attnkit.backbone).toBe('resnet18');
    await useBackend('cpu');
    const model = await tfl.loadLayersModel(fileSystem(join(out, 'model.json')));
    expect(model.getLayer('layer1.0.eca').getClassName()).toBe('attnkit>Attention');
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
  });

  it('loads --weights (the resnet18 + ECA golden fixture) and reproduces its PyTorch logits', async () => {
    const fixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/zoo/', import.meta.url));
    const fixture = JSON.parse(readFileSync(`${fixtures}resnet18_eca.json`, 'utf8')) as { input: Tensor; logits: Tensor };
    const out = join(directory, 'golden');
    const result = await exportModel('resnet18', {
      attention: '{"type":"eca","kernelSize":3}',
      width: '8',
      numClasses: '10',
      inputSize: '64',
      weights: `${fixtures}resnet18_eca.safetensors`,
      format: 'tfjs',
      out,
    });
    expect(result.weights).toEqual({ file: `${fixtures}resnet18_eca.safetensors` });
    await useBackend('cpu');
    const model = await tfl.loadLayersModel(fileSystem(join(out, 'model.json')));
    const x = tf.transpose(tf.tensor4d(fixture.input.data, fixture.input.shape as [number, number, number, number]), [0, 2, 3, 1]);
    const y = model.predict(x) as tf.Tensor;
    expect(relativeL2(await y.data(), fixture.logits.data)).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('refuses an unknown format and a missing -o before writing anything', async () => {
    await expect(exportModel('resnet18', { ...small, format: 'caffe', out: join(directory, 'nope') })).rejects.toMatchObject({ code: ErrorCodes.INVALID_OPTION });
    await expect(exportModel('resnet18', { ...small, format: 'tfjs' })).rejects.toMatchObject({ code: ErrorCodes.INVALID_OPTION });
    await expect(exportModel('resnet19', { ...small, format: 'tfjs', out: join(directory, 'nope') })).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_BACKBONE });
    expect(existsSync(join(directory, 'nope'))).toBe(false);
  });
});

describe('attnkit run', () => {
  it('gives the same numbers for the same --seed on tfjs-cpu and tfjs-wasm', async () => {
    const cpu = await runModel('resnet18', { ...small, backend: 'tfjs-cpu', iterations: '2' });
    const wasm = await runModel('resnet18', { ...small, backend: 'tfjs-wasm', iterations: '2' });
    expect(cpu.backend).toBe('tfjs-cpu');
    expect(cpu.outputShape).toEqual([1, 10]);
    expect(cpu.output).toHaveLength(10);
    expect(wasm.outputShape).toEqual([1, 10]);
    expect(relativeL2(wasm.output, cpu.output)).toBeLessThan(1e-4);
    expect(cpu.latencyMs.median).toBeGreaterThan(0);
    expect(cpu.latencyMs.p90).toBeGreaterThanOrEqual(cpu.latencyMs.median);
    const other = await runModel('resnet18', { ...small, seed: '4', backend: 'tfjs-cpu', iterations: '1' });
    expect(other.output).not.toEqual(cpu.output);
  });

  it('runs an exported model.json with its own weights: the input alone comes from --seed', async () => {
    const out = join(directory, 'for-run');
    await exportModel('resnet18', { ...small, format: 'tfjs', out });
    const fromFile = await runModel(join(out, 'model.json'), { seed: '3', backend: 'tfjs-wasm', iterations: '1' });
    const fromBackbone = await runModel('resnet18', { ...small, backend: 'tfjs-cpu', iterations: '1' });
    expect(fromFile.outputShape).toEqual([1, 10]);
    expect(relativeL2(fromFile.output, fromBackbone.output)).toBeLessThan(1e-4);
  });

  it('refuses unknown backends, listing them', async () => {
    await expect(runModel('resnet18', { ...small, backend: 'onnx-gpu' })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_OPTION,
      details: { allowed: expect.arrayContaining(['tfjs-cpu', 'tfjs-wasm']) },
    });
  });

  it('runs on a PNG image: the same preprocessed input on every backend; a missing or non-PNG file is INVALID_FILE', async () => {
    const image = new PNG({ width: 48, height: 40 });
    for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) % 256;
    const path = join(directory, 'picture.png');
    writeFileSync(path, PNG.sync.write(image));
    const onTfjs = await runModel('resnet18', { ...small, input: path, backend: 'tfjs-cpu', iterations: '1' });
    const onOnnx = await runModel('resnet18', { ...small, input: path, backend: 'onnx-node', iterations: '1' });
    expect(onTfjs.outputShape).toEqual([1, 10]);
    expect(relativeL2(onOnnx.output, onTfjs.output)).toBeLessThan(1e-4);
    // A different input than the seeded random one:
    const random = await runModel('resnet18', { ...small, backend: 'tfjs-cpu', iterations: '1' });
    expect(relativeL2(random.output, onTfjs.output)).toBeGreaterThan(1e-3);
    await expect(runModel('resnet18', { ...small, input: join(directory, 'missing.png') })).rejects.toMatchObject({ code: ErrorCodes.INVALID_FILE });
    const notPng = join(directory, 'not.png');
    writeFileSync(notPng, 'hello');
    await expect(runModel('resnet18', { ...small, input: notPng })).rejects.toMatchObject({ code: ErrorCodes.INVALID_FILE });
  });
});

describe('the built CLI', () => {
  it('attnkit run --json prints only JSON on stdout', () => {
    const result = attnkit(['run', 'resnet18', '--attention', 'eca', '--width', '8', '--num-classes', '10', '--input-size', '32', '--seed', '3', '--iterations', '1', '--json'], {
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(Object.keys(parsed)).toEqual(['backend', 'outputShape', 'output', 'latencyMs', 'warmup']);
    expect(parsed.warmup.runs).toBeGreaterThanOrEqual(1);
    expect(parsed.outputShape).toEqual([1, 10]);
  });

  it('attnkit export exits 2 with the error on stderr for an unknown backbone', () => {
    const result = attnkit(['export', 'resnet19', '--format', 'tfjs', '-o', join(directory, 'x'), '--json'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('UNKNOWN_BACKBONE');
  });
});
