import { describe, expect, it } from 'vitest';
import { type KernelRate, familyLimits, findLimitViolations, limitFor, parseCpuInfo, theoreticalPeaks } from './machine-limit.js';

const kernel = (family: KernelRate['family'], name: string, threads: number, macs: number, fastestMilliseconds: number): KernelRate => ({
  family,
  kernel: name,
  threads,
  macs,
  samples: 10,
  fastestMilliseconds,
  medianMilliseconds: fastestMilliseconds * 1.1,
  macsPerSecond: macs / (fastestMilliseconds / 1000),
  medianMacsPerSecond: macs / (fastestMilliseconds * 1.1 / 1000),
});

const kernels = [
  kernel('onnxruntime native', 'MatMul 512x512x512', 1, 512 ** 3, 1.5), // 89.5 GMAC/s
  kernel('onnxruntime native', 'Conv 1x1', 1, 822_083_584, 8), // 102.8 GMAC/s
  kernel('onnxruntime native', 'MatMul 512x512x512', 2, 512 ** 3, 0.8), // 167.8 GMAC/s
  kernel('onnxruntime wasm', 'MatMul 512x512x512', 1, 512 ** 3, 10), // 13.4 GMAC/s
];

describe('machine limit', () => {
  it('is the fastest kernel per family and thread count', () => {
    const limits = familyLimits(kernels);
    expect(limits.map((l) => [l.family, l.threads, l.kernel])).toEqual([
      ['onnxruntime native', 1, 'Conv 1x1'],
      ['onnxruntime native', 2, 'MatMul 512x512x512'],
      ['onnxruntime wasm', 1, 'MatMul 512x512x512'],
    ]);
    expect(limits[0].macsPerSecond).toBeCloseTo(822_083_584 / 0.008, 3);
  });

  it("holds a cell to its family's limit at its thread count, else to the family's highest", () => {
    const limit = { limits: familyLimits(kernels) };
    expect(limitFor(limit, 'onnxruntime native', 2)?.macsPerSecond).toBeCloseTo(512 ** 3 / 0.0008, 3);
    expect(limitFor(limit, 'onnxruntime wasm', 2)?.macsPerSecond).toBeCloseTo(512 ** 3 / 0.01, 3);
    expect(limitFor(limit, 'tfjs wasm', 1)).toBeUndefined();
  });

  it('finds the cells that ran faster than their limit (which makes the limit invalid)', () => {
    const limit = { limits: familyLimits(kernels) };
    const cell = (id: string, backend: 'onnx-node' | 'onnx-wasm', threads: number, macs: number, median: number) => ({ id, backend, threads, status: 'ok', costs: { macs }, latencyMs: { median } });
    const violations = findLimitViolations(limit, [
      // 4.09 GMAC in 77 ms = 53 GMAC/s: under the 1-thread native limit.
      cell('resnet50/none/onnx-node/224/b1/t1', 'onnx-node', 1, 4.09e9, 77),
      // 4.09 GMAC in 30 ms = 136 GMAC/s: faster than 102.8 at 1 thread.
      cell('fast/none/onnx-node/224/b1/t1', 'onnx-node', 1, 4.09e9, 30),
      // 136 GMAC/s at 2 threads: under 167.8.
      cell('fast/none/onnx-node/224/b1/t2', 'onnx-node', 2, 4.09e9, 30),
      // 20 GMAC/s on wasm at 2 threads: held to the wasm family's highest (13.4).
      cell('w/none/onnx-wasm/224/b1/t2', 'onnx-wasm', 2, 2e9, 100),
      { ...cell('failed', 'onnx-node', 1, 4.09e9, 1), status: 'failed' },
    ]);
    expect(violations.map((v) => v.cell)).toEqual(['fast/none/onnx-node/224/b1/t1', 'w/none/onnx-wasm/224/b1/t2']);
    expect(violations[0].macsPerSecond).toBeCloseTo(4.09e9 / 0.03, 0);
  });

  it('estimates the theoretical peak from the CPU flags and clock', () => {
    const cpu = parseCpuInfo('processor\t: 0\ncpu MHz\t\t: 2596.122\nflags\t\t: fpu sse2 avx avx2 fma avx512f\n');
    expect(cpu.clockGHz).toBeCloseTo(2.596122, 9);
    const peaks = theoreticalPeaks(
      [
        { family: 'onnxruntime native', threads: [1, 2] },
        { family: 'onnxruntime wasm', threads: [1] },
        { family: 'tfjs cpu', threads: [1] },
      ],
      cpu,
    );
    // 16 lanes x 2 FMA units x 2.596 GHz per core; WebAssembly SIMD has 4 lanes; tfjs cpu is scalar JavaScript: no estimate.
    expect(peaks.map((p) => [p.family, p.threads, p.macsPerSecond])).toEqual([
      ['onnxruntime native', 1, 16 * 2 * 2.596122e9],
      ['onnxruntime native', 2, 16 * 2 * 2.596122e9 * 2],
      ['onnxruntime wasm', 1, 4 * 2 * 2.596122e9],
    ]);
    expect(peaks[0].derivation).toMatch(/^estimate: 16 fp32 lanes \(AVX-512\) x 2 FMA units \(assumed\) x 2\.60 GHz/);
    // AVX2 without FMA: 8 lanes, a multiply and an add per MAC.
    const older = theoreticalPeaks([{ family: 'onnxruntime native', threads: [1] }], parseCpuInfo('cpu MHz : 3000\nflags : sse2 avx avx2\n'));
    expect(older[0].macsPerSecond).toBe(8 * 3e9);
    expect(theoreticalPeaks([{ family: 'onnxruntime native', threads: [1] }], parseCpuInfo('flags : avx2\n'))).toEqual([]);
  });
});
