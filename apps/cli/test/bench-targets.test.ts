/** Verdicts on given samples: which estimate a verdict uses, ECA against SE, the machine limit. */
import { describe, expect, it } from 'vitest';
import type { BenchResults, CellResult } from '../src/bench/bench-results.js';
import { ecaVersusSe, evaluateTargets, formatEcaSeLine } from '../src/bench/bench-targets.js';
import { summarizeLatencies } from '../src/bench/latency-statistics.js';
import { familyLimits } from '../src/bench/machine-limit.js';
import { formatTargets } from '../src/bench/results-table.js';
import { overheadAgainst } from '../src/bench/run-benchmark.js';

function cell(attention: string, samplesMs: number[], overrides: Partial<CellResult> = {}): CellResult {
  const base: CellResult = {
    id: `resnet50/${attention}/onnx-node/224/b1/t1`,
    model: 'resnet50',
    modelSource: 'zoo:resnet50',
    attention,
    backend: 'onnx-node',
    variant: 'default',
    inputSize: 224,
    batchSize: 1,
    threads: 1,
    inputShape: [1, 3, 224, 224],
    status: 'ok',
    costs: { parameters: 25_557_032, parametersBinaryM: 24.37, macs: 4_089_184_256, flops: 0, flopsBinaryG: 3.86, source: 'graph' } as unknown as CellResult['costs'],
    prepareSeconds: 1,
    warmup: null,
    latencyMs: summarizeLatencies(samplesMs),
    samplesMs,
    samplesRound: samplesMs.map((_, turn) => turn),
    overhead: null,
    agreement: null,
    memory: null,
    runtime: null,
  };
  return { ...base, ...overrides };
}

// The machine drifts from 100 to 600 ms over six turns. ECA is 1% slower in five turns and 10%
// in one; SE is 10% slower in every turn.
const plain = cell('none', [100, 200, 300, 400, 500, 600]);
const eca = cell('eca', [101, 202, 330, 404, 505, 606]);
const se = cell('se', [110, 220, 330, 440, 550, 660]);
eca.overhead = overheadAgainst(eca, plain);
se.overhead = overheadAgainst(se, plain);

function results(cells: CellResult[], machineLimit: BenchResults['machineLimit'] = null): Omit<BenchResults, 'targets'> {
  return { cells, machineLimit } as unknown as Omit<BenchResults, 'targets'>;
}

describe('verdicts on paired per-turn ratios', () => {
  it('use the median of per-turn ratios and show the ratio of medians beside it', () => {
    // Per-turn ratios 1.01 x5 and 1.1: median 1.01. Medians 367 / 350 = 1.0486.
    expect(eca.overhead!.ratio).toBeCloseTo(1.01, 12);
    expect(eca.overhead!.ratioOfMedians).toBeCloseTo(367 / 350, 12);
    const target = evaluateTargets(results([plain, eca, se])).find((t) => t.id === 'eca-overhead-onnx-node-resnet50-b1-t1')!;
    expect(target).toMatchObject({ threshold: '<= +2.8%', pass: true, ratioBasis: 'median of paired per-turn ratios' });
    expect(target.ratioOfMedians).toBeCloseTo(367 / 350, 12);
    expect(target.measured).toMatch(/^\+1\.0% \[95% CI \+1\.0, \+\S+\]; ratio of medians \+4\.9%$/);
    expect(target.note).toMatch(/^verdict on the median of 6 per-turn ratios \(paired\)/);
    expect(formatTargets({ targets: [target] } as BenchResults)).toMatch(/ratio of medians \+4\.9% \(verdict on the median of paired per-turn ratios\)\n$/);
  });

  it('judge ECA against SE on their own paired ratio: conclusively cheaper here', () => {
    const target = evaluateTargets(results([plain, eca, se])).find((t) => t.id === 'eca-below-se-onnx-node-resnet50-b1-t1')!;
    // ECA / SE per turn: 101/110 (five turns alike) and 330/330.
    expect(target).toMatchObject({ pass: true, conclusive: true, ratioBasis: 'median of paired per-turn ratios' });
    expect(target.ratioOfMedians).toBeCloseTo(367 / 385, 12);
    expect(target.measured).toMatch(/^0\.918 \[95% CI 0\.918, 0\.9\d\d\]; ratio of medians 0\.953$/);
    const [line] = ecaVersusSe([plain, eca, se]);
    expect(line.conclusivelyCheaper).toBe(true);
    expect(formatEcaSeLine(line)).toMatch(/ECA \+1\.0% .*SE \+10\.0% .*: ECA < SE conclusively; paper \(ResNet-50, GPU throughput\): ECA \+2\.8%, SE \+14\.5%$/);
  });

  it('say a comparison is inconclusive when the interval contains 1', () => {
    // ECA as slow as SE in half of the turns.
    const even = cell('eca', [100, 220, 300, 440, 500, 660]);
    even.overhead = overheadAgainst(even, plain);
    const target = evaluateTargets(results([plain, even, se])).find((t) => t.id === 'eca-below-se-onnx-node-resnet50-b1-t1')!;
    expect(target.pass).toBe(false);
    expect(target.conclusive).toBe(false);
    expect(target.note).toMatch(/inconclusive: the 95% interval contains 1/);
  });

  it('fall back to the ratio of medians, and say so, with fewer than 5 paired turns', () => {
    const few = (attention: string, samples: number[]) => cell(attention, samples, { samplesRound: [0, 0, 1, 1] });
    const p = few('none', [100, 100, 110, 110]);
    const e = few('eca', [120, 120, 120, 120]);
    e.overhead = overheadAgainst(e, p);
    const target = evaluateTargets(results([p, e])).find((t) => t.id === 'eca-overhead-onnx-node-resnet50-b1-t1')!;
    expect(target).toMatchObject({ pass: false, ratioBasis: 'ratio of medians' });
    expect(target.ratioOfMedians).toBeCloseTo(120 / 105, 12);
  });
});

describe('the machine limit target', () => {
  const kernels = [{ family: 'onnxruntime native' as const, kernel: 'MatMul 512x512x512', threads: 1, macs: 512 ** 3, samples: 9, fastestMilliseconds: 1.5, medianMilliseconds: 1.6, macsPerSecond: 512 ** 3 / 0.0015, medianMacsPerSecond: 512 ** 3 / 0.0016 }];
  const limit = (violations: NonNullable<BenchResults['machineLimit']>['violations']) => ({ available: true, method: 'm', kernels, failures: [], limits: familyLimits(kernels), peaks: [], violations });

  it('is the network against its MACs at the limit', () => {
    const target = evaluateTargets(results([cell('none', [60, 60, 60, 60, 60])], limit([]))).find((t) => t.id === 'onnx-node-vs-machine-limit')!;
    // 4.089 GMAC at 89.48 GMAC/s = 45.7 ms; 60 / 45.7 = 1.31.
    expect(target.measured).toMatch(/^1\.31x \(60\.0 ms vs 45\.7 ms = 4\.09 GMAC at 89\.5 GMAC\/s, MatMul 512x512x512\)$/);
    expect(target.pass).toBe(false);
  });

  it('says the limit is invalid, instead of a ratio below 1, when a cell beat it', () => {
    const violation = { cell: 'resnet50/none/onnx-node/224/b1/t1', family: 'onnxruntime native' as const, threads: 1, macsPerSecond: 102e9, limitMacsPerSecond: 89.5e9 };
    const target = evaluateTargets(results([cell('none', [40, 40, 40, 40, 40])], limit([violation]))).find((t) => t.id === 'onnx-node-vs-machine-limit')!;
    expect(target.pass).toBeNull();
    expect(target.measured).toBe('limit invalid');
    expect(target.note).toBe('the limit is not a limit: resnet50/none/onnx-node/224/b1/t1 ran at 102.0 GMAC/s > 89.5 GMAC/s');
  });
});
