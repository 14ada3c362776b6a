import { mutationConfig } from '../../stryker.shared.mjs';

/*
 * The tfjs attention layer's serialization and the fast inference path.
 *
 * Mutated:
 * - attention-layer.ts: the layer, its getConfig / fromConfig round trip, canonical weights.
 * - fast-inference.ts: the compiled plan (BatchNorm folded into convs, activations fused).
 * - attention-plan.ts: each attention module's traced graph as fused tfjs ops.
 * - model-graph.ts: the layer graph the plan is compiled from.
 * Not measured yet (no time in the session that wrote this scope): run
 * `pnpm test:mutation packages/tfjs` by hand, then list the equivalent survivors here.
 * Not mutated, with the reason:
 * - tfjs-ops.ts: core's ops on tfjs, each checked op by op against the reference interpreter
 *   and PyTorch goldens in its own tests; not the serialization or fast path the issue names.
 * - layers-model.ts, insert-attention.ts, average-pooling.ts, max-pool-padding.ts, layout.ts:
 *   model building and insertion (checked against PyTorch goldens end to end), not named here.
 * - backends.ts, file-system-io.ts: runtime loading and file plumbing.
 */
export default mutationConfig({
  mutate: ['src/attention-layer.ts', 'src/fast-inference.ts', 'src/attention-plan.ts', 'src/model-graph.ts'],
  thresholds: { break: 90 },
});
