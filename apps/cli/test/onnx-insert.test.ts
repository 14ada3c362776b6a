
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { relativeL2 } from '@attnkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { attnkit, rejection } from './test-support.js';
import { insertIntoFile } from '../src/commands/insert.js';

const directory = mkdtempSync(join(tmpdir(), 'attnkit-onnx-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const fixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx/', import.meta.url));

describe('attnkit insert', () => {
  it('inserts ECA with the fixture weights and reproduces the PyTorch logits', async () => {
    const out = join(directory, 'resnet18_eca.onnx');
    const result = await insertIntoFile(join(fixtures, 'resnet18_w8.onnx'), {
      attention: '{"type":"eca","kernelSize":3}',
      at: 'residual',
      weights: join(fixtures, 'resnet18_w8_eca_weights.safetensors'),
      out,
    });
    expect(result.output).toBe(out);
    expect(result.report.map((r) => r.name)).toEqual(['layer1.0', 'layer1.1', 'layer2.0', 'layer2.1', 'layer3.0', 'layer3.1', 'layer4.0', 'layer4.1'].map((b) => `${b}.eca`));
    const golden = JSON.parse(readFileSync(join(fixtures, 'resnet18_w8.json'), 'utf8'));
    const { createRunner } = await import('@attnkit/onnx');
    const session = await (await createRunner({ runtime: 'onnxruntime-node' })).load(new Uint8Array(readFileSync(out)));
    const logits = (await session.run({ input: { dims: golden.input.shape, data: Float32Array.from(golden.input.data) } })).logits.data;
    expect(relativeL2(logits, golden.ecaLogits.data)).toBeLessThan(1e-4);
  });

  it('an unknown name writes nothing and lists the nearest names', async () => {
    const out = join(directory, 'bad.onnx');
    const error = await rejection(insertIntoFile(join(fixtures, 'resnet18_w8.onnx'), { attention: 'eca', at: '/layer9/Add', out }));
    expect(error.code).toBe('UNKNOWN_INSERTION_POINT');
    expect(existsSync(out)).toBe(false);
  });

  it('the built CLI: --json report on stdout; a corrupt file exits 2 with the error on stderr', () => {
    const out = join(directory, 'cli.onnx');
    const ok = attnkit(['insert', join(fixtures, 'mobilenet_v2_w025.onnx'), '--attention', 'se', '--at', 'residual', '-o', out, '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).report).toHaveLength(17);
    const bad = attnkit(['insert', join(fixtures, 'resnet18_w8.json'), '--attention', 'eca', '--at', 'residual', '-o', join(directory, 'x.onnx'), '--json'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/INVALID_FILE/);
  });
});
