import { mutationConfig } from '../../stryker.shared.mjs';

// The bench's statistics: medians, quantiles, paired ratios and their intervals, verdicts.
export default mutationConfig({ mutate: ['src/bench/latency-statistics.ts'] });
