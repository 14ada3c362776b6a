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
 * 80.80% (356 killed, 6 timeouts, 82 survived, 4 no coverage; 12.7 min at load 3-6); incremental
 * after the op / layer-path / report / wrap / graph tests 94.82% (403 killed, 22 survived; 27.0
 * min at load 9-15); incremental after the Dense memory test 95.29% (405 killed, 20 survived;
 * 70 mutants re-run, 4.7 min at load 11-12); full run (--force) 95.73% (385 killed, 19
 * timeouts, 18 survived, 0 no coverage; 40.4 min at load 7-20); final incremental after the
 * SeparableConv2D / Conv2DTranspose test 95.97% (386 killed, 19 timeouts, 17 survived, 0 no
 * coverage of 422; 13 ignored; 53 mutants re-run, 4.0 min at load 4-17). Per file:
 * attention-layer.ts 98.44% (58 + 5 timeouts of 64), attention-plan.ts 90.98% (115 + 6 / 133),
 * fast-inference.ts 98.13% (202 + 8 / 214), model-graph.ts 100% (11 / 11). The 19 timeouts
 * come from the full run at load up to 20: 15 were killed in the incremental run before it, 4
 * are equivalent mutants that only ran out of time (attention-plan.ts `id >= 0` -> true / `> 0`,
 * `id < 0` -> false, `node.op === 'conv2d'` -> true; see below). Counting those 4 as survived:
 * 95.02% (401 of 422). Then, after the shape error learnt to print an unknown size as '?', an
 * incremental run on main: 96.00% (394 killed, 14 timeouts, 17 survived, 0 no coverage of 425;
 * attention-layer.ts 98.51%; 618 of 736 results reused, 3.9 min at load 5-6).
 * Disabled (Ignored), each with its reason at the line:
 * - fast-inference.ts `default:` of activationOf and runOp (ConditionalExpression): without the
 *   default case the switch falls through to the same `undefined`.
 * - fast-inference.ts soleConsumer's first check (ConditionalExpression, LogicalOperator): it is
 *   only asked about one-output layers (conv, BatchNorm, ZeroPadding2D), and a call that reads
 *   the single model output cannot lead to it (a cycle), so the output has no consumer anyway.
 * - fast-inference.ts freeAfter's `[]` (ArrayDeclaration): a key no step wrote is skipped.
 * - fast-inference.ts freeAfter's input / output exclusions (ConditionalExpression,
 *   LogicalOperator): the input is never disposed (`t !== input`) and no step reads the output.
 * - attention-plan.ts `Math.ceil(half / c)` (ArithmeticOperator): any number of copies at least
 *   that large slices the same window out of the tiled row (it has period c).
 * Survivors left, each equivalent or not worth a test:
 * - attention-layer.ts `className = ''`: a static field, set once when the module loads, before
 *   Stryker switches a mutant on; made by hand, registerClass throws on import and every test
 *   file of the package fails (a limit of mutant switching, not an untested line).
 * - fast-inference.ts soleConsumer `consumers[0].call.inputs.length === 1` -> true: every layer
 *   it can return (BatchNorm, ReLU, Activation, Conv2D) takes one input; equivalent.
 * - fast-inference.ts `className(padCall.layer) === 'ZeroPadding2D'` -> true: every other
 *   channels-last layer has a string padding ('valid', 'same') or none, which symmetricPadding
 *   never reads as four equal sides; equivalent.
 * - fast-inference.ts compileAttention guard `call.inputs.length === 1`, `call.outputs.length
 *   === 1` -> true (2): only an AttentionLayer applied to a list differs, and tfjs-layers' own
 *   predict cannot run that model (the list gives the layer two outputs, call returns one).
 * - attention-plan.ts `id >= 0` / `biasId >= 0` -> true or `> 0` (6; the two `id` ones timed out
 *   in the full run): id 0 is the module input, never a weight or bias nor a node output, and
 *   Map.get(-1) is undefined; equivalent.
 * - attention-plan.ts `id < 0 ? undefined : v.get(id)` -> v.get(id) (timed out in the full run):
 *   Map.get(-1) is undefined; equivalent.
 * - attention-plan.ts `node.op === 'conv2d'` -> true (timed out in the full run): only conv2d
 *   nodes carry `groups`; equivalent.
 * - attention-plan.ts `ph === pw ? ph : [[0, 0], [ph, ph], [pw, pw], [0, 0]]` -> always the
 *   explicit form: the same padding.
 * - attention-plan.ts linear / shared channel conv `activation !== undefined` -> true (2): the
 *   fused kernel with a linear activation computes what applyNode does, and only an absorbed BN
 *   or activation is reported; equivalent.
 * - attention-plan.ts `x.rank === 4` -> true: differs only for a linear on a flattened [N, F]
 *   vector followed by a fused activation, which no attention module has; not worth a test.
 * - attention-plan.ts `node.op === 'channelConv1d'` -> true: only channel convs carry `shared`.
 * - attention-plan.ts circular `half > 0` -> true or `>= 0` (2), `half === 0` -> false: at k = 1
 *   the wrap takes the row itself and a 'same' 1-tap conv is a 'valid' one; equivalent.
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
