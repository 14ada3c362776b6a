/** `attnkit bench --check`: exit code 1 when a target fails; without --check the exit code stays 0. */
import '@attnkit/eca';
import '@attnkit/se';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BenchBackend, PrepareRequest } from '../src/bench/bench-backend.js';
import type { BenchBackendName } from '../src/bench/bench-config.js';
import { benchCommand } from '../src/commands/bench.js';
import { temporaryDirectory } from './test-support.js';

/**
 * The bench's clock (`performance.now`) is a virtual one that only a run moves on, by a fixed time
 * per attention, so every sample and so every verdict is known in advance.
 */
let virtualMs = 0;

function fixedTimeBackend(name: BenchBackendName, milliseconds: Record<string, number>): BenchBackend {
  return {
    name,
    variants: ['default'],
    availability: async () => undefined,
    async prepare(request: PrepareRequest) {
      const attention = request.attention === undefined ? 'none' : typeof request.attention === 'string' ? request.attention : request.attention.type;
      const ms = milliseconds[attention];
      return {
        info: { runtime: 'fixed-time', version: '0', threads: request.threads, simd: null, notes: [] },
        async run() {
          virtualMs += ms;
          return new Float32Array([1, 2, 3]);
        },
        dispose: async () => undefined,
      };
    },
  };
}

const backendsWith = (milliseconds: Record<string, number>) =>
  Object.fromEntries((['onnx-node', 'onnx-wasm', 'tfjs-wasm', 'tfjs-cpu'] as const).map((name) => [name, fixedTimeBackend(name, milliseconds)])) as Record<BenchBackendName, BenchBackend>;

const directory = temporaryDirectory('attnkit-bench-check-');
const configPath = join(directory, 'bench.json');
writeFileSync(
  configPath,
  JSON.stringify({
    models: [{ backbone: 'resnet50', options: { width: 8, numClasses: 10 } }],
    attention: ['none', 'se', 'eca'],
    backends: ['onnx-node'],
    inputSizes: [32],
    threads: 1,
    warmup: { minIterations: 1, maxIterations: 1, maxSeconds: 1 },
    measure: { iterations: 8, iterationsPerRound: 1 },
    machineLimit: { enabled: false },
  }),
);

async function run(milliseconds: Record<string, number>, check: boolean): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(performance, 'now').mockImplementation(() => virtualMs);
  process.exitCode = 0;
  await benchCommand({ config: configPath, out: join(directory, `out-${check}-${milliseconds.eca}`), progress: false, check }, { backends: backendsWith(milliseconds) });
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  vi.restoreAllMocks();
  return { exitCode, stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});

describe('attnkit bench --check', () => {
  const failing = { none: 4, se: 6, eca: 12 };
  const passing = { none: 4, se: 8, eca: 3 };

  it('exits 1 when a target fails, and says how many failed', async () => {
    const { exitCode, stdout, stderr } = await run(failing, true);
    // Every turn: ECA 12 ms, SE 6 ms, plain 4 ms, so +200% and ECA / SE = 2 with no spread.
    expect(stdout).toMatch(/^FAIL {2}onnx-node, 1x32, 1 thread: ECA adds at most 2\.8% latency to resnet50 \(the paper's 2\.7% of throughput\): \+200\.0% \[95% CI \+200\.0, \+200\.0\]; ratio of medians \+200\.0%/m);
    expect(stdout).toMatch(/^FAIL {2}onnx-node, 1x32, 1 thread: ECA conclusively cheaper than SE on resnet50/m);
    expect(stderr).toMatch(/^check: 2 of 4 targets failed \(2 not measured, not counted as failed\)$/m);
    expect(exitCode).toBe(1);
  }, 120_000);

  it('keeps exit code 0 when the same targets fail without --check', async () => {
    const { exitCode, stdout, stderr } = await run(failing, false);
    expect(stdout).toMatch(/^FAIL {2}onnx-node, 1x32, 1 thread: ECA adds at most 2\.8%/m);
    expect(stderr).not.toMatch(/check:/);
    expect(exitCode).toBe(0);
  }, 120_000);

  it('exits 0 with --check when every measured target passes', async () => {
    const { exitCode, stdout, stderr } = await run(passing, true);
    expect(stdout).toMatch(/^PASS {2}onnx-node, 1x32, 1 thread: ECA adds at most 2\.8%/m);
    expect(stdout).toMatch(/^PASS {2}onnx-node, 1x32, 1 thread: ECA conclusively cheaper than SE/m);
    expect(stderr).toMatch(/^check: 0 of 4 targets failed/m);
    expect(exitCode).toBe(0);
  }, 120_000);
});
