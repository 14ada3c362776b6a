import '@attnkit/eca';
import '@attnkit/se';
import '@attnkit/cbam';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { temporaryDirectory } from './test-support.js';
import type { BenchResults } from '../src/bench/bench-results.js';
import { registerBenchCommand } from '../src/commands/bench.js';

const tinyConfig = fileURLToPath(new URL('./fixtures/bench-tiny.json', import.meta.url));

/** Runs `attnkit bench ...args` in-process; returns stdout, stderr and the exit code. */
async function bench(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const program = new Command('attnkit').exitOverride();
  registerBenchCommand(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'attnkit', 'bench', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, stderr, exitCode };
}

/** A small XML well-formedness check: every tag closes in order. */
function checkXml(text: string): void {
  const body = text.replace(/<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
}

describe('attnkit bench, end to end on a tiny config', () => {
  const out = join(temporaryDirectory('attnkit-bench-'), 'results');
  let results: BenchResults & { outputDirectory: string; files: string[] };

  beforeAll(async () => {
    const run = await bench(['--config', tinyConfig, '--out', out, '--json']);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.exitCode).toBe(0);
    results = JSON.parse(run.stdout);
  }, 240_000);

  it('prints JSON only, with the results folder', () => {
    expect(results.format).toBe('attnkit-bench-results');
    expect(results.outputDirectory).toBe(out);
    expect(results.files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['latency-vs-parameters.svg', 'overhead-per-backend.svg', 'report.md', 'results.json']);
  });

  it('has one cell per model x attention x backend (+ predict for the tfjs baseline)', () => {
    // mobilenet_v2 x {none, eca} x {onnx-node, onnx-wasm, tfjs-wasm, tfjs-cpu}, plus tfjs predict of none on each tfjs backend.
    expect(results.cells).toHaveLength(2 * 4 + 2);
    expect(results.cells.filter((c) => c.variant === 'predict').map((c) => c.attention)).toEqual(['none', 'none']);
  });

  it('gives every cell that ran its counts, latency, overhead, agreement, memory and runtime', () => {
    const ran = results.cells.filter((c) => c.status === 'ok');
    // Every backend this repository has today runs here; a backend that cannot would say why.
    for (const c of results.cells.filter((cell) => cell.status !== 'ok')) expect(c.reason).toBeTruthy();
    expect(ran.length).toBeGreaterThan(0);
    for (const c of ran) {
      // MobileNetV2 (10 classes) at 32x32: the exact count of the traced graph.
      expect(c.costs).toMatchObject({ parameters: expect.any(Number), parametersBinaryM: expect.any(Number), macs: expect.any(Number), flops: expect.any(Number), flopsBinaryG: expect.any(Number) });
      expect(c.costs!.parametersBinaryM).toBeCloseTo(c.costs!.parameters / 1024 ** 2, 12);
      expect(c.latencyMs).toMatchObject({ samples: 3, median: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number), min: expect.any(Number) });
      expect(c.samplesMs).toHaveLength(3);
      expect(c.latencyMs!.min).toBeLessThanOrEqual(c.latencyMs!.median);
      expect(c.latencyMs!.median).toBeLessThanOrEqual(c.latencyMs!.p90);
      expect(c.warmup!.iterations).toBeGreaterThanOrEqual(1);
      expect(c.memory!.groupPeakRssBytes).toBeGreaterThan(0);
      if (c.backend.startsWith('tfjs-')) expect(c.memory!.tfjs!.tensors).toBeGreaterThan(0);
      expect(c.runtime).toMatchObject({ runtime: expect.any(String), version: expect.any(String) });
      expect(c.agreement).not.toBeNull();
      // Same weights and input on every backend: outputs agree to float rounding.
      expect(c.agreement!.relativeL2).toBeLessThan(1e-4);
      if (c.attention === 'eca') expect(c.overhead).toMatchObject({ ratio: expect.any(Number), percent: expect.any(Number), ci95Percent: [expect.any(Number), expect.any(Number)] });
      else expect(c.overhead).toBeNull();
    }
    const eca = ran.find((c) => c.attention === 'eca')!;
    const plain = ran.find((c) => c.attention === 'none')!;
    expect(eca.costs!.parameters).toBeGreaterThan(plain.costs!.parameters);
  });

  it('records the environment, the machine limit, the schedule and the targets', () => {
    expect(results.environment).toMatchObject({ cpuModel: expect.any(String), logicalCores: expect.any(Number), node: process.versions.node });
    expect(results.environment.runtimes['onnxruntime-node']).toBe('1.30.0');
    // One limit per runtime family of the config's backends, at its thread count.
    const limit = results.machineLimit!;
    expect(limit.limits.map((l) => `${l.family}@${l.threads}`).sort()).toEqual(['onnxruntime native@1', 'onnxruntime wasm@1', 'tfjs cpu@1', 'tfjs wasm@1']);
    for (const l of limit.limits) expect(l.macsPerSecond).toBe(Math.max(...limit.kernels.filter((k) => k.family === l.family && k.threads === l.threads).map((k) => k.macsPerSecond)));
    expect(limit.kernels.map((k) => `${k.family}: ${k.kernel}`)).toEqual(expect.arrayContaining(['onnxruntime native: MatMul 64x64x64', 'onnxruntime native: Conv 1x1 256->1024 at 56x56 (NCHWc)', 'tfjs wasm: matMul 64x64x64']));
    for (const k of limit.kernels) expect(k.macsPerSecond).toBeCloseTo(k.macs / (k.fastestMilliseconds / 1000), 6);
    expect(results.schedule).toMatch(/round-robin/);
    expect(results.targets.map((t) => t.id)).toContain('onnx-node-vs-machine-limit');
    for (const t of results.targets) expect(t.pass === null || typeof t.pass === 'boolean').toBe(true);
  });

  it('writes results.json, the report and well-formed charts with one bubble per model, module and backend', () => {
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).cells).toHaveLength(results.cells.length);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/## Targets/);
    expect(report).toMatch(/ECA costs 2\.7% of it, SE 12\.7%, CBAM 34\.6%/);
    expect(report).toMatch(/## Numeric agreement/);
    const bubbles = readFileSync(join(out, 'latency-vs-parameters.svg'), 'utf8');
    checkXml(bubbles);
    const measured = results.cells.filter((c) => c.status === 'ok' && c.variant !== 'predict');
    expect(bubbles.match(/<circle class="bubble"/g) ?? []).toHaveLength(measured.length);
    const overhead = readFileSync(join(out, 'overhead-per-backend.svg'), 'utf8');
    checkXml(overhead);
    expect(overhead.match(/<rect class="bar"/g) ?? []).toHaveLength(measured.filter((c) => c.attention === 'eca').length);
  });
});

describe('attnkit bench with a bad config', () => {
  const scratch = temporaryDirectory('attnkit-bench-bad-');
  const folders: string[] = [];
  afterEach(() => {
    for (const f of folders) expect(existsSync(f)).toBe(false);
  });

  it('lists each bad field, exits 2 and writes nothing', async () => {
    const dir = mkdtempSync(join(scratch, 'fields-'));
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ models: ['resnet5'], attention: ['eca', 'ecb'], backends: ['onnx-node', 'tfjs-gpu'], batchSizes: [0] }));
    const out = join(dir, 'results');
    folders.push(out);
    const run = await bench(['--config', config, '--out', out]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/INVALID_CONFIG/);
    for (const path of ['models[0]', 'attention[1]', 'backends[1]', 'batchSizes[0]']) expect(run.stderr).toContain(`- ${path}: `);
    expect(run.stderr).toMatch(/tfjs-wasm/);
  });

  it('says so for a file that is not JSON, exit 2', async () => {
    const dir = mkdtempSync(join(scratch, 'json-'));
    const config = join(dir, 'bad.json');
    writeFileSync(config, '{ "models": [');
    const out = join(dir, 'results');
    folders.push(out);
    const run = await bench(['--config', config, '--out', out, '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/not valid JSON/);
  });
});
