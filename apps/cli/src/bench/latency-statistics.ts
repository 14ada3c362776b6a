import { createRandom } from '@attnkit/core';

/** Summary of timed runs, in milliseconds. Medians, not means: one slow run moves a mean. */
export interface LatencySummary {
  samples: number;
  median: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  /** p75 - p25. */
  interquartileRange: number;
  /** interquartileRange / median. */
  relativeSpread: number;
}

/** Linear interpolation between closest ranks (numpy's default), q in [0, 1]. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const interquartileRange = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  return {
    samples: sorted.length,
    median,
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    interquartileRange,
    relativeSpread: interquartileRange / median,
  };
}

/**
 * median(a) / median(b) with a 95% bootstrap interval (resampling both sets, fixed seed so a
 * report is reproducible from its samples).
 */
export function medianRatio(a: readonly number[], b: readonly number[], resamples = 400): { ratio: number; low: number; high: number } {
  const median = (values: readonly number[]) => quantile([...values].sort((x, y) => x - y), 0.5);
  const ratio = median(a) / median(b);
  const random = createRandom(1, 'bootstrap');
  const draw = (values: readonly number[]) => Array.from({ length: values.length }, () => values[Math.floor(random.uniform() * values.length)]);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) ratios.push(median(draw(a)) / median(draw(b)));
  ratios.sort((x, y) => x - y);
  return { ratio, low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) };
}

/** Timed runs of one cell with the round-robin turn each belongs to. */
export interface RoundSamples {
  samplesMs: readonly number[];
  samplesRound: readonly number[];
}

/**
 * The latency ratio a / b as the median of per-turn ratios: within one round-robin turn both
 * cells ran back to back, so slow drift of the machine (other processes, clock changes) cancels
 * out of each ratio. The 95% interval resamples the turns. With fewer than 5 shared turns it
 * falls back to the ratio of medians (`pairedRounds` 0).
 */
export function pairedRatio(a: RoundSamples, b: RoundSamples, resamples = 400): { ratio: number; low: number; high: number; pairedRounds: number } {
  const perTurn = (cell: RoundSamples) => {
    const sums = new Map<number, { sum: number; n: number }>();
    cell.samplesMs.forEach((ms, i) => {
      const entry = sums.get(cell.samplesRound[i]) ?? { sum: 0, n: 0 };
      entry.sum += ms;
      entry.n += 1;
      sums.set(cell.samplesRound[i], entry);
    });
    return new Map([...sums].map(([turn, { sum, n }]) => [turn, sum / n]));
  };
  const turnsA = perTurn(a);
  const turnsB = perTurn(b);
  const ratios = [...turnsA].filter(([turn]) => turnsB.has(turn)).map(([turn, ms]) => ms / turnsB.get(turn)!);
  if (ratios.length < 5) return { ...medianRatio(a.samplesMs, b.samplesMs, resamples), pairedRounds: 0 };
  const median = (values: readonly number[]) => quantile([...values].sort((x, y) => x - y), 0.5);
  const random = createRandom(1, 'bootstrap');
  const resampled: number[] = [];
  for (let i = 0; i < resamples; i++) resampled.push(median(Array.from({ length: ratios.length }, () => ratios[Math.floor(random.uniform() * ratios.length)])));
  resampled.sort((x, y) => x - y);
  return { ratio: median(ratios), low: quantile(resampled, 0.025), high: quantile(resampled, 0.975), pairedRounds: ratios.length };
}

/**
 * Warm-up is over when the last `window` latencies lie within `stableWithin` (relative) of their
 * median: onnxruntime-web compiles in the background and tfjs uploads and caches on first
 * runs, so the first latencies fall for a while.
 */
export function isStable(latencies: readonly number[], window: number, stableWithin: number): boolean {
  if (latencies.length < window) return false;
  const last = [...latencies.slice(-window)].sort((a, b) => a - b);
  const median = quantile(last, 0.5);
  return (last[last.length - 1] - last[0]) / median <= stableWithin;
}
