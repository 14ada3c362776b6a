/**
 * `attnkit classify` against torchvision: a seeded ResNet-18 (width 4, float16 weights) and the
 * photo fixture, golden top-5 from tools/golden/make_golden_photo.py (Debian's torch 1.13 /
 * torchvision 0.14, softmax in float64). Downloads come from a local Hub on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '@attnkit/core';
import { type HubServer, startHubServer } from '@attnkit/tools/hub-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClassifyResult, classifyImage } from '../src/commands/classify.js';
import { attnkit, builtCli, rejection, requireBuilt, temporaryDirectory } from './test-support.js';

const FIXTURES = fileURLToPath(new URL('../../../tools/golden/fixtures/photo/', import.meta.url));
const golden = JSON.parse(readFileSync(`${FIXTURES}photo.json`, 'utf8')).classify as {
  top: Array<{ index: number; label: string; probability: number }>;
  model: { width: number };
};
const weights = `${FIXTURES}classify-resnet18-w4.safetensors`;
const officialPth = fileURLToPath(new URL('../../../tools/golden/fixtures/pth/eca_resnet50_k3557_official_style.pth.tar', import.meta.url));
const network = { model: 'resnet18', width: String(golden.model.width), weights };

/** The built CLI without blocking the event loop (the local Hub answers in this process). */
function attnkitAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  requireBuilt(builtCli);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtCli, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('classify against torchvision (golden top-5)', { timeout: 120_000 }, () => {
  it.each(['onnx-node', 'tfjs-cpu'])("on PIL's decoded pixels gives torchvision's top-5 and probabilities to 1e-4 (%s)", async (backend) => {
    // photo.pil-rgb.png holds exactly the pixels PIL decoded from photo.jpg.
    const result = await classifyImage(`${FIXTURES}photo.pil-rgb.png`, { ...network, backend });
    expect(result.top.map((c) => [c.index, c.label])).toEqual(golden.top.map((c) => [c.index, c.label]));
    for (const [i, c] of result.top.entries()) expect(Math.abs(c.probability - golden.top[i].probability)).toBeLessThan(1e-4);
    expect(result).toMatchObject({ backend, labels: 'imagenet-1k', preprocessing: { pipeline: 'torchvision', resizeSize: 256, cropSize: 224, interpolation: 'bilinear' } });
  });

  it.each(['onnx-node', 'tfjs-cpu'])("end to end from the JPEG gives torchvision's top-5 and probabilities to 1e-4, as JSON with the documented keys (%s)", (backend) => {
    const run = attnkit(['classify', `${FIXTURES}photo.jpg`, '--model', 'resnet18', '--width', '4', '--weights', weights, '--backend', backend, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as ClassifyResult;
    expect(Object.keys(result).sort()).toEqual(['backend', 'labels', 'latencyMs', 'preprocessing', 'top']);
    expect(result.top.map((c) => [c.index, c.label])).toEqual(golden.top.map((c) => [c.index, c.label]));
    expect(Object.keys(result.top[0]).sort()).toEqual(['index', 'label', 'probability']);
    // The JPEG decodes to PIL's very bytes, so only float32 arithmetic separates the probabilities.
    for (const [i, c] of result.top.entries()) expect(Math.abs(c.probability - golden.top[i].probability)).toBeLessThan(1e-4);
    expect(result.backend).toBe(backend);
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('prints a readable top-k and the preprocessing without --json', () => {
    const run = attnkit(['classify', `${FIXTURES}photo.jpg`, '--model', 'resnet18', '--width', '4', '--weights', weights, '--top', '2', '--preprocess', 'timm']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ 1\. +\d+\.\d\d% {2}\S/);
    expect(lines[2]).toContain('preprocessing timm: resize 256 bilinear, crop 224 (crop_pct 0.875)');
  });

  it('refuses missing --model / --weights, a bad --preprocess, --top 0 and a file that is no picture, with their codes', async () => {
    expect(await rejection(classifyImage(`${FIXTURES}photo.jpg`, { weights }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: '--model' } });
    expect(await rejection(classifyImage(`${FIXTURES}photo.jpg`, { model: 'resnet18' }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: '--weights' } });
    expect(await rejection(classifyImage(`${FIXTURES}photo.jpg`, { ...network, preprocess: 'keras' }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: '--preprocess' } });
    expect(await rejection(classifyImage(`${FIXTURES}photo.jpg`, { ...network, top: '0' }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: '--top' } });
    expect(await rejection(classifyImage(`${FIXTURES}photo.json`, network))).toMatchObject({ code: ErrorCodes.INVALID_FILE });
    const run = attnkit(['classify', `${FIXTURES}photo.jpg`, '--model', 'resnet18', '--json']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('INVALID_OPTION');
  });
});

describe('classify --weights hf://... from a local Hub', { timeout: 120_000 }, () => {
  let hub: HubServer;
  const cache = temporaryDirectory('attnkit-classify-cache-');
  const labelNames = Array.from({ length: 1000 }, (_, i) => `thing ${i}`);
  beforeAll(async () => {
    const config = { architecture: 'resnet18', num_classes: 1000, label_names: labelNames, pretrained_cfg: { input_size: [3, 192, 192], crop_pct: 0.95, interpolation: 'bicubic' } };
    hub = await startHubServer({
      // An official-style ECA-ResNet-50 .pth.tar (tools/golden/make_golden_pth.py) as the Hub's fallback file.
      'attnkit/eca-resnet50-official': { 'pytorch_model.bin': { bytes: new Uint8Array(readFileSync(officialPth)) } },
      'attnkit/resnet18-w4': {
        'model.safetensors': { bytes: new Uint8Array(readFileSync(weights)) },
        'config.json': { bytes: new TextEncoder().encode(JSON.stringify(config)), lfs: false },
      },
    });
  });
  afterAll(() => hub.close());
  const env = () => ({ ATTNKIT_HF_ENDPOINT: hub.url, ATTNKIT_CACHE_DIR: join(cache, 'attnkit') });
  const args = ['classify', `${FIXTURES}photo.jpg`, '--model', 'resnet18', '--width', '4', '--weights', 'hf://attnkit/resnet18-w4', '--json'];

  it("downloads, takes timm's preprocessing and the labels from the repo's config.json; offline, serves both from the cache", async () => {
    const online = await attnkitAsync(args, env());
    expect(online.status, online.stderr).toBe(0);
    const result = JSON.parse(online.stdout) as ClassifyResult;
    expect(result.preprocessing).toMatchObject({ pipeline: 'timm', resizeSize: 202, cropSize: 192, interpolation: 'bicubic', cropPct: 0.95 });
    expect(result.labels).toBe('model');
    expect(result.top[0].label).toBe(`thing ${result.top[0].index}`);
    const requests = hub.requests.length;
    expect(hub.requests).toContain('/attnkit/resnet18-w4/resolve/main/config.json');

    const offline = await attnkitAsync(args, { ...env(), ATTNKIT_OFFLINE: '1' });
    expect(offline.status, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ top: result.top, preprocessing: result.preprocessing });
    expect(hub.requests).toHaveLength(requests);
  });

  it('falls back to pytorch_model.bin, a .pth checkpoint, and classifies as the local file does', async () => {
    const official = ['--model', 'resnet50', '--width', '4', '--num-classes', '10', '--attention', '{"type":"eca","kernelSize":[3,5,5,7]}', '--json'];
    const remote = await attnkitAsync(['classify', `${FIXTURES}photo.jpg`, ...official, '--weights', 'hf://attnkit/eca-resnet50-official'], env());
    expect(remote.status, remote.stderr).toBe(0);
    expect(hub.requests).toContain('/attnkit/eca-resnet50-official/resolve/main/model.safetensors');
    const local = await attnkitAsync(['classify', `${FIXTURES}photo.jpg`, ...official, '--weights', officialPth], env());
    expect(local.status, local.stderr).toBe(0);
    const [fromHub, fromFile] = [JSON.parse(remote.stdout) as ClassifyResult, JSON.parse(local.stdout) as ClassifyResult];
    expect(fromHub.top).toEqual(fromFile.top);
    // 10 classes: neither ImageNet's names nor the checkpoint's own.
    expect(fromHub.labels).toBe('none');
    expect(fromHub.top[0].label).toBe(`class ${fromHub.top[0].index}`);
  });

  it('a repository without weights fails with NOT_FOUND naming both files tried; writes nothing to stdout', async () => {
    const run = await attnkitAsync(['classify', `${FIXTURES}photo.jpg`, '--model', 'resnet18', '--weights', 'hf://attnkit/missing', '--json'], env());
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('NOT_FOUND');
    expect(run.stderr).toContain('model.safetensors and');
    expect(run.stderr).toContain('pytorch_model.bin');
  });
});
