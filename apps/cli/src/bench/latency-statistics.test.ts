import { describe, expect, it } from 'vitest';
import { medianRatio, pairedRatio } from './latency-statistics.js';

describe('pairedRatio', () => {
  it('cancels drift that hits both cells of a turn alike', () => {
    // The machine slows down turn by turn (100, 200, ... 600 ms); the cell is always 5% slower.
    const base = { samplesMs: [100, 200, 300, 400, 500, 600], samplesRound: [0, 1, 2, 3, 4, 5] };
    const cell = { samplesMs: base.samplesMs.map((ms) => ms * 1.05), samplesRound: base.samplesRound };
    const paired = pairedRatio(cell, base);
    expect(paired.pairedRounds).toBe(6);
    expect(paired.ratio).toBeCloseTo(1.05, 12);
    // Every per-turn ratio is 1.05, so every bootstrap median is too.
    expect(paired.low).toBeCloseTo(1.05, 12);
    expect(paired.high).toBeCloseTo(1.05, 12);
    // Unpaired, the same samples give a wide interval.
    const unpaired = medianRatio(cell.samplesMs, base.samplesMs);
    expect(unpaired.high - unpaired.low).toBeGreaterThan(0.5);
  });

  it('averages the runs of a turn and pairs only shared turns', () => {
    // Turn means: base 10, 20, 30, 40, 50 (turn 5 has no partner); cell 12, 22, 33, 44, 60.
    const base = { samplesMs: [10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 70], samplesRound: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5] };
    const cell = { samplesMs: [11, 13, 22, 22, 33, 33, 44, 44, 60, 60], samplesRound: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4] };
    const { ratio, pairedRounds } = pairedRatio(cell, base);
    expect(pairedRounds).toBe(5);
    // Ratios 1.2, 1.1, 1.1, 1.1, 1.2: median 1.1.
    expect(ratio).toBeCloseTo(1.1, 12);
  });

  it('falls back to the ratio of medians with fewer than 5 shared turns', () => {
    const base = { samplesMs: [10, 20, 30], samplesRound: [0, 1, 2] };
    const cell = { samplesMs: [15, 25, 35], samplesRound: [0, 1, 2] };
    const result = pairedRatio(cell, base);
    expect(result.pairedRounds).toBe(0);
    expect(result.ratio).toBeCloseTo(25 / 20, 12);
  });
});
