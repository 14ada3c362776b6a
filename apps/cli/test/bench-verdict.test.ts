/** How a target's verdict reads in the terminal and in report.md. */
import { describe, expect, it } from 'vitest';
import { type BenchResults, type TargetResult, verdict } from '../src/bench/bench-results.js';
import { formatTargets } from '../src/bench/results-table.js';

const target = (pass: boolean | null, conclusive?: boolean): TargetResult => ({
  id: 'eca-overhead-onnx-wasm-resnet50',
  description: 'onnx-wasm: ECA adds at most 1.5% latency to resnet50 (224, batch 1)',
  threshold: '<= 1.5%',
  measured: pass === null ? null : '-0.2% (95% CI -16.6% .. +30.1%)',
  pass,
  ...(conclusive === undefined ? {} : { conclusive }),
  note: pass === null ? 'resnet50 + eca on onnx-wasm is not in this config' : 'median of 6 per-turn ratios (paired)',
});

describe('target verdicts', () => {
  it('say PASS / FAIL, add (inconclusive) when the interval spans the threshold, and not measured', () => {
    expect(verdict(target(true, true))).toBe('PASS');
    expect(verdict(target(true, false))).toBe('PASS (inconclusive)');
    expect(verdict(target(false, false))).toBe('FAIL (inconclusive)');
    expect(verdict(target(false))).toBe('FAIL');
    expect(verdict(target(null))).toBe('not measured');
  });

  it('print one line per target in the terminal', () => {
    const results = { targets: [target(true, false), target(null)] } as unknown as BenchResults;
    expect(formatTargets(results)).toBe(
      'PASS (inconclusive)  onnx-wasm: ECA adds at most 1.5% latency to resnet50 (224, batch 1): -0.2% (95% CI -16.6% .. +30.1%)\n' +
        'n/a   onnx-wasm: ECA adds at most 1.5% latency to resnet50 (224, batch 1): resnet50 + eca on onnx-wasm is not in this config\n',
    );
  });
});
