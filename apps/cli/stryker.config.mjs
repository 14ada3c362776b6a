import { mutationConfig } from '../../stryker.shared.mjs';

/*
 * The bench's statistics: medians, quantiles, paired ratios and their intervals.
 *
 * Survivors, each equivalent or not worth a test (latency-statistics.ts):
 * - quantile's `if (sorted.length === 0)` -> `if (false)`: equivalent; on an empty list the
 *   interpolation reads sorted[-1] / sorted[0], undefined, and yields NaN anyway.
 * - pairedRatio's per-turn `entry.sum -= ms` and `entry.n -= 1`: equivalent; both cells' turn
 *   means flip sign alike, and only their ratio is used.
 * - the bootstrap streams' key 'bootstrap' -> '' (medianRatio, pairedRatio): any fixed key is an
 *   equally valid seed; the interval only has to be reproducible, which the tests check.
 */
const shared = mutationConfig({ mutate: ['src/bench/latency-statistics.ts'], thresholds: { break: 90 } });
export default {
  ...shared,
  // Only the statistics' unit tests (vitest.mutation.config.ts): the CLI's end-to-end tests run
  // the built dist/main.js, which a mutation run neither has nor rebuilds per mutant.
  vitest: { ...shared.vitest, configFile: 'vitest.mutation.config.ts' },
  // The type checker compiles only the statistics, their tests and core (all they import), not
  // the whole CLI: faster, and a type error elsewhere in the CLI does not stop this run.
  tsconfigFile: 'tsconfig.mutation.json',
};
