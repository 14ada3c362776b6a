import { mutationConfig } from '../../stryker.shared.mjs';

/*
 * The numeric heart: kernel-size rules, seeded init, counting and the reference interpreter.
 * Measured 94.96% (754 of 794: 702 killed, 52 timeouts, 40 survived, 0 without coverage;
 * kernel-size 97.33%, initializer 92.06%, counting 96.67%, reference 94.80%): an incremental
 * run on 2026-12-02 (7.4 min, 680 of 975 results reused, load 0.2-8.5), then counting.ts forced
 * (`pnpm exec stryker run --force --mutate src/counting.ts`, 2.6 min at load 3-5) so its static
 * THOP_CONVENTION text mutants, which counting-convention.test.ts kills, are re-tested. Earlier
 * 93.32%, before the hand tests for conv1d output rows, avgPool2d padding along H and the
 * add/mul error texts. A full run (`--full`) takes about 25 min.
 *
 * Equivalent survivors (no test can tell them from the original):
 * - kernel-size.ts isKernelSizeRule, `typeof value === 'number'` and `typeof v === 'number'` ->
 *   `true`: Number.isInteger is already false for anything that is not a number.
 * - initializer.ts, the five fill loops `i < size` / `i < data.length` -> `<=`: the extra write
 *   lands past the end of a Float32Array, which ignores it; the extra draw is never used.
 * - counting.ts conv2d's and conv1d's `node.inputs[2] >= 0` -> `> 0`: value 0 is the graph
 *   input, never a bias.
 * - reference.ts, 25 loop bounds `<` -> `<=` (map, conv rows, batchNorm, pools, resize, conv1d,
 *   channelConv1d, linear, broadcast, reductions): the extra iteration writes past the end of a
 *   Float32Array (ignored), or into the next plane's first row, which that plane's own
 *   iteration overwrites next.
 * - reference.ts conv2d `if (wv === 0) continue` -> `if (false)`: skipping a zero weight only
 *   saves work.
 * - reference.ts resizeNearest's clamps `Math.min(h - 1, ...)` / `Math.min(w - 1, ...)` ->
 *   `h + 1` / `w + 1`: floor(y * h / oh) < h for every y < oh, so the clamp never binds.
 * - reference.ts broadcastBinary's equal-shape fast path (`if (shapesEqual(...))` -> false, its
 *   block emptied): the general strided path computes the same values.
 * - reference.ts broadcastBinary `d = shape.length - 1` -> `+ 1`: the two extra index slots are
 *   reset to 0 at once and never read.
 * Static (module-level) mutants are re-tested only by a full or forced run (an incremental run
 * keeps their earlier result): after changing module-level code, force that file as above.
 */
export default mutationConfig({
  mutate: ['src/kernel-size.ts', 'src/initializer.ts', 'src/counting.ts', 'src/reference.ts'],
  thresholds: { break: 90 },
});
