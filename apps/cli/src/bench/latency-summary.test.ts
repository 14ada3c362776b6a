import { describe, expect, it } from 'vitest';
import { isStable, medianRatio, pairedRatio, quantile, summarizeLatencies } from './latency-statistics.js';

describe('summarizeLatencies', () => {
  it('gives numpy-style quantiles of 1..10 given out of order', () => {
    // Sorted 1..10, position = 9q: median 4.5 -> 5.5, p90 8.1 -> 9.1, p99 8.91 -> 9.91,
    // p25 2.25 -> 3.25, p75 6.75 -> 7.75. 10 sorts after 9 only when sorting numbers, not text.
    const summary = summarizeLatencies([5, 1, 4, 2, 3, 10, 6, 8, 7, 9]);
    expect(summary.samples).toBe(10);
    expect(summary.median).toBeCloseTo(5.5, 12);
    expect(summary.p90).toBeCloseTo(9.1, 12);
    expect(summary.p99).toBeCloseTo(9.91, 12);
    expect(summary.min).toBe(1);
    expect(summary.max).toBe(10);
    expect(summary.interquartileRange).toBeCloseTo(7.75 - 3.25, 12);
    expect(summary.relativeSpread).toBeCloseTo(4.5 / 5.5, 12);
  });

  it('of one sample is that sample everywhere, with no spread', () => {
    expect(summarizeLatencies([7])).toEqual({
      samples: 1,
      median: 7,
      p90: 7,
      p99: 7,
      min: 7,
      max: 7,
      interquartileRange: 0,
      relativeSpread: 0,
    });
  });

  it('of no samples is NaN, not a made-up number', () => {
    const summary = summarizeLatencies([]);
    expect(summary.samples).toBe(0);
    for (const key of ['median', 'p90', 'p99', 'min', 'max', 'interquartileRange', 'relativeSpread'] as const) {
      expect(summary[key], key).toBeNaN();
    }
  });
});

describe('quantile', () => {
  it('hits the ends at q = 0 and q = 1 and interpolates in between', () => {
    const sorted = [2, 4, 8, 16];
    expect(quantile(sorted, 0)).toBe(2);
    expect(quantile(sorted, 1)).toBe(16);
    // position 3 * 0.25 = 0.75: 2 + (4 - 2) * 0.75.
    expect(quantile(sorted, 0.25)).toBe(3.5);
    // position 3 * 0.9 = 2.7: 8 + (16 - 8) * 0.7.
    expect(quantile(sorted, 0.9)).toBeCloseTo(13.6, 12);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('isStable', () => {
  it('is false until a full window exists, and true for a full window at the limit', () => {
    // Window [10, 11, 12]: (12 - 10) / 11, exactly the limit, counts as stable.
    expect(isStable([10, 11], 3, 1)).toBe(false);
    expect(isStable([10, 11, 12], 3, 2 / 11)).toBe(true);
    expect(isStable([10, 11, 12], 3, 0.18)).toBe(false);
  });

  it('looks only at the last window, in sorted order', () => {
    // The warm-up 100 is outside the window [10, 10.5, 10.2]: spread 0.5 / 10.2 = 0.049.
    expect(isStable([100, 10, 10.5, 10.2], 3, 0.05)).toBe(true);
    expect(isStable([100, 10, 10.5, 10.2], 3, 0.04)).toBe(false);
    expect(isStable([10, 10.5, 10.2, 100], 3, 0.05)).toBe(false);
    // [20, 10, 10] out of order: sorted spread (20 - 10) / 10 = 1, not (10 - 20) / 10.
    expect(isStable([20, 10, 10], 3, 0.5)).toBe(false);
    expect(isStable([10, 20, 10], 3, 0.5)).toBe(false);
  });
});

describe('medianRatio', () => {
  it('is the ratio of the medians with a bootstrap interval inside the reachable ratios', () => {
    // Out of order, so that the middle element as given (25, 11) is not the median (20, 10).
    const a = [30, 10, 25, 20, 15];
    const b = [12, 8, 11, 9, 10];
    const result = medianRatio(a, b);
    expect(result.ratio).toBe(2);
    // Resampled medians are sample values, so every resampled ratio lies in [10/12, 30/8].
    expect(result.low).toBeGreaterThanOrEqual(10 / 12);
    expect(result.high).toBeLessThanOrEqual(30 / 8);
    expect(result.low).toBeLessThan(result.ratio);
    expect(result.high).toBeGreaterThan(result.ratio);
    // A fixed seed: the same samples give the same interval.
    expect(medianRatio(a, b)).toEqual(result);
  });

  it('collapses the interval when neither set varies', () => {
    expect(medianRatio([6, 6, 6], [4, 4, 4])).toEqual({ ratio: 1.5, low: 1.5, high: 1.5 });
  });
});

describe('pairedRatio turn matching', () => {
  it('drops a turn only the first cell ran', () => {
    // Turn 5 of a has no partner in b; the shared turns 0..4 all have ratio 1.1.
    const a = { samplesMs: [11, 22, 33, 44, 55, 999], samplesRound: [0, 1, 2, 3, 4, 5] };
    const b = { samplesMs: [10, 20, 30, 40, 50], samplesRound: [0, 1, 2, 3, 4] };
    const result = pairedRatio(a, b);
    expect(result.pairedRounds).toBe(5);
    expect(result.ratio).toBeCloseTo(1.1, 12);
    expect(result.low).toBeCloseTo(1.1, 12);
    expect(result.high).toBeCloseTo(1.1, 12);
  });

  it('resamples turns: the interval lies within the per-turn ratios and is ordered', () => {
    // Per-turn ratios 1.0, 1.1, ..., 1.5: every bootstrap median lies in [1.0, 1.5].
    const ratios = [1.3, 1.0, 1.5, 1.1, 1.4, 1.2];
    const a = { samplesMs: ratios.map((r) => 100 * r), samplesRound: [0, 1, 2, 3, 4, 5] };
    const b = { samplesMs: ratios.map(() => 100), samplesRound: [0, 1, 2, 3, 4, 5] };
    const result = pairedRatio(a, b);
    expect(result.ratio).toBeCloseTo(1.25, 12);
    expect(result.low).toBeGreaterThanOrEqual(1.0 - 1e-12);
    expect(result.high).toBeLessThanOrEqual(1.5 + 1e-12);
    expect(result.low).toBeLessThan(result.ratio);
    expect(result.high).toBeGreaterThan(result.ratio);
  });

  it('averages the runs of a turn when the cells ran a turn a different number of times', () => {
    // a ran each turn twice (11 and 11, 22 and 22, ...), b once (10, 20, ...): every ratio 1.1,
    // from the turn means, not the turn sums (22 / 10).
    const a = { samplesMs: [11, 11, 22, 22, 33, 33, 44, 44, 55, 55], samplesRound: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4] };
    const b = { samplesMs: [10, 20, 30, 40, 50], samplesRound: [0, 1, 2, 3, 4] };
    expect(pairedRatio(a, b).ratio).toBeCloseTo(1.1, 12);
  });

  it('draws exactly `resamples` bootstrap samples: with one, the interval is that one sample', () => {
    // Data where two successive resamples differ, so one extra draw would open the interval.
    const a = [9, 1, 8, 2, 7, 3, 6, 4, 5];
    const unpaired = medianRatio(a, a.map(() => 10), 1);
    expect(unpaired.ratio).toBe(0.5);
    expect(unpaired.low).toBe(unpaired.high);
    const turns = [0, 1, 2, 3, 4, 5];
    const paired = pairedRatio({ samplesMs: [10, 20, 30, 40, 50, 60], samplesRound: turns }, { samplesMs: [10, 10, 10, 10, 10, 10], samplesRound: turns }, 1);
    expect(paired.ratio).toBe(3.5);
    expect(paired.low).toBe(paired.high);
    // A bootstrap median of per-turn ratios 1..6 lies within them.
    expect(paired.low).toBeGreaterThanOrEqual(1);
    expect(paired.low).toBeLessThanOrEqual(6);
  });
});
