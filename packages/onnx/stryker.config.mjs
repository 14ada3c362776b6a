import { mutationConfig } from '../../stryker.shared.mjs';

/*
 * The emitter's BatchNorm folding and the insertion of attention into existing models.
 *
 * Mutated:
 * - emit-model.ts: IR graph -> ONNX, with BatchNorm folded into the conv before it.
 * - insert-attention.ts: insertion points, rewiring, weights by PyTorch name, the report.
 * - attention-function.ts: the inserted module as an `ai.attnkit` function (its parameter list).
 * - torch-module-paths.ts: PyTorch module paths read back from node names (the weights' names).
 *
 * Measured (2 cores, shared with two other mutation runs):
 * - 67.45% at the first (full) run, 48.5 min at load 10-25 (385 killed, 102 timeouts, 169
 *   survived, 66 without coverage).
 * - 79.22% after torch-module-paths.test.ts, emit-model-checks.test.ts and
 *   insert-attention-checks.test.ts (incremental, 14.8 min: 528 killed, 44 timeouts, 119
 *   survived, 31 without coverage; 722 valid). Per file: emit-model 88.24%, attention-function
 *   86.89%, torch-module-paths 89.19%, insert-attention 71.28%.
 * - 98.36% after insert-attention-residual/-edges.test.ts, attention-function.test.ts,
 *   emit-model-names.test.ts and more cases in emit-banded and torch-module-paths tests
 *   (three incremental runs: 34.2 min at load 9-18, 17.9 min at load 7-18, 6.6 min at load
 *   10-13; the last, committed one: 740 killed, 38 timeouts, 13 survived, 0 without coverage,
 *   6 ignored; 791 valid, more than before because channelConv 'banded' came into emit-model).
 *   Per file: emit-model 96.53% (248 + 30 of 288), attention-function 100% (54 + 7 of 61),
 *   torch-module-paths 98.63% (72 of 73), insert-attention 99.46% (366 + 1 of 369). Above the
 *   break threshold (90).
 *
 * Equivalent survivors (not disabled: the same line has killable mutants of the same mutator):
 * - insert-attention.ts emitInline `id < 0 ? '' : names.get(id)!` -> `false`: translateOp tests
 *   an optional input by truthiness, so undefined and '' emit the same nodes.
 * - insert-attention.ts `da > db` -> `>=`: equal depths have thrown INVALID_INSERTION_POINT just
 *   above.
 * - emit-model.ts findBatchNormFolds `id >= 0` -> `true` / `> 0` and foldBatchNorm's bias
 *   `conv.inputs[2] >= 0` -> `> 0`: ids -1 (no input) and 0 (the graph input) are never a conv
 *   output or a bias.
 * - emit-model.ts the loops `o < out`, `j < perChannel` (foldBatchNorm) and `i < channels`
 *   (bandedChannelWeight) -> `<=`: writes past the end of a Float32Array are ignored.
 * - emit-model.ts bandedChannelWeight `shape.length !== 4`, `shape[2] !== 1`, `shape[3] !== 1`
 *   -> `false`: unreachable, the tracer's channelConv1d refuses anything but a [N, C, 1, 1] vector.
 * - torch-module-paths.ts blockOf `segments.length >= 2 && ...` -> `true`: with fewer than two
 *   segments the regex tests `undefined` as the text 'undefined', which has no `.<index>` end.
 * Not worth a test:
 * - emit-model.ts the banded weight's name `.replace(/weight$/, '')` -> `/weight/`: differs only
 *   for a module path that holds 'weight' before its last segment.
 * Disabled in the source (Ignored, every mutant of the named mutator on the line is equivalent):
 * - emit-model.ts nameOf's INTERNAL error text and details (StringLiteral, ObjectLiteral):
 *   unreachable, checkGraphOrder has refused a graph that reads a value before computing it.
 * - insert-attention.ts residualPoints' sort `?? -1` -> `+1` (UnaryOperator, twice): every point's
 *   tensor has a producer (a branch is deeper than the graph input, a sibling's is its last node).
 * - insert-attention.ts layoutOf `nodes[0]?.name` -> `nodes[0].name` (OptionalChaining): a block
 *   is recorded with its first node, so `nodes` is never empty.
 * - torch-module-paths.ts `scopeSegments(...)[3] ?? ''` -> any text (StringLiteral): a text
 *   without `conv.<n>` fails the match as '' does.
 * Not mutated, with the reason:
 * - translate-op.ts (one IR op -> ONNX nodes), shape-inference.ts, graph-tools.ts: shared by
 *   every path, each checked op by op against onnxruntime in its own tests; not the folding or
 *   insertion logic the issue names.
 * - model-codec.ts, onnx-schema.ts, onnx-model.ts, tensor-data.ts, external-data.ts: the
 *   protobuf file format (round-trip tests), not numeric emitter logic.
 * - session-runner.ts, node-sinks.ts, model-builders.ts: runtime and builder plumbing.
 */
export default mutationConfig({
  mutate: ['src/emit-model.ts', 'src/insert-attention.ts', 'src/attention-function.ts', 'src/torch-module-paths.ts'],
  thresholds: { break: 90 },
});
