import { describe, expect, it } from 'vitest';
import { pairedRatio, quantile } from './latency-statistics.js';

/** One run per turn: a's turn t takes ratios[t] times b's. */
function turns(ratios: readonly number[], base = 10) {
  const samplesRound = ratios.map((_, turn) => turn);
  return {
    a: { samplesMs: ratios.map((r) => base * r), samplesRound },
    b: { samplesMs: ratios.map(() => base), samplesRound },
  };
}

describe('paired ratios with an even number of turns', () => {
  it('the median of 6 differing per-turn ratios is the mean of the middle two', () => {
    // Sorted: 1.00, 1.02, 1.04, 1.10, 1.20, 1.30 -> (1.04 + 1.10) / 2 = 1.07, neither middle element.
    const { a, b } = turns([1.1, 1.0, 1.3, 1.04, 1.2, 1.02]);
    const result = pairedRatio(a, b);
    expect(result.pairedRounds).toBe(6);
    expect(result.ratio).toBeCloseTo(1.07, 12);
    expect(result.low).toBeLessThanOrEqual(result.ratio);
    expect(result.high).toBeGreaterThanOrEqual(result.ratio);
  });

  it('quantile interpolates between the two middle elements of an even sample', () => {
    expect(quantile([1, 2, 3, 10], 0.5)).toBe(2.5);
    expect(quantile([1, 2], 0.5)).toBe(1.5);
  });

  it('several runs of one turn average before the ratio is taken', () => {
    const a = { samplesMs: [10, 14, 11, 11, 12, 12, 13, 13, 10, 10], samplesRound: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4] };
    const b = { samplesMs: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10], samplesRound: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4] };
    // Turn means 12, 11, 12, 13, 10 over 10: ratios 1.2, 1.1, 1.2, 1.3, 1.0 -> median 1.2.
    expect(pairedRatio(a, b).ratio).toBeCloseTo(1.2, 12);
  });
});
