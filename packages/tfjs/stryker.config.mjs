import { mutationConfig } from '../../stryker.shared.mjs';

/*
 * The tfjs attention layer's serialization and the fast inference path.
 *
 * Mutated:
 * - attention-layer.ts: the layer, its getConfig / fromConfig round trip, canonical weights.
 * - fast-inference.ts: the compiled plan (BatchNorm folded into convs, activations fused).
 * - attention-plan.ts: each attention module's traced graph as fused tfjs ops.
 * - model-graph.ts: the layer graph the plan is compiled from.
 * Measured: full run 60.27% (266 killed, 4 timeouts, 146 survived, 32 no coverage; 32.3 min at
 * load 4-16); incremental after fast-inference-paths.test.ts and attention-layer-config.test.ts
 * 80.80% (356 killed, 6 timeouts, 82 survived, 4 no coverage; 12.7 min at load 3-6).
 * Survivors left (82 + 4), by line; not yet sorted one by one into equivalent and untested:
 * - fast-inference.ts runOp (Add, ReLU, Activation, pooling cases, dataFormat checks; about 20):
 *   equivalent in value: a mutant that drops the plain-op path falls back to runLayer, which
 *   computes the same tensor (only speed differs, which tests do not assert).
 * - fast-inference.ts runLayer's single- vs multi-input/-output branches (7): every layer in
 *   the tested models has one output, and tfjs-layers accepts a one-element input list.
 * - fast-inference.ts freeAfter (5): tfjs-layers clones a layer output that is its input, so
 *   the two-key holder count and the input/output exclusions cannot be observed; equivalent.
 * - fast-inference.ts soleConsumer, own-activation, ZeroPadding and summary conditions (18):
 *   untested combinations (e.g. a conv whose output is both read and the model output).
 * - attention-plan.ts `id >= 0` / `biasId >= 0` (6): id 0 is the module input, never a weight
 *   or bias, and never read by the gate conv alone; equivalent.
 * - attention-plan.ts fusedStep guards, report texts and the circular ECA wrap (17): untested (a
 *   circular kernel wider than the channel count, a linear without activation in a module).
 * - attention-layer.ts error-message texts (8): the messages are asserted only in part;
 *   className, `args?.attention`, `this.built = true` (3): tfjs-layers sets `built` after build
 *   itself; the other two untested.
 * - model-graph.ts `isInput` (2): an InputLayer's inbound node has no input tensors anyway;
 *   equivalent.
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
