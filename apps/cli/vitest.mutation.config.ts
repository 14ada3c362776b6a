import { attnkitProject } from '../../vitest.shared.js';

// For mutation runs of the bench's statistics (stryker.config.mjs): their unit tests only. The
// CLI's end-to-end tests run the built dist/main.js, which a mutation run neither has nor rebuilds.
export default attnkitProject('@attnkit/cli', {
  include: ['src/bench/latency-statistics.test.ts', 'src/bench/paired-ratio.test.ts', 'src/bench/latency-summary.test.ts'],
});
