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
