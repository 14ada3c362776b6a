import { mutationConfig } from '../../stryker.shared.mjs';

/*
 * The numeric heart: kernel-size rules, seeded init, counting and the reference interpreter.
 * Measured 90.36% (609 of 674; kernel-size, initializer and counting 92.6%, reference 89.5%).
 *
 * Equivalent survivors (no test can tell them from the original):
 * - kernel-size.ts isKernelSizeRule, `typeof value === 'number'` and `typeof v === 'number'` ->
 *   `true`: Number.isInteger is already false for anything that is not a number.
 * - initializer.ts, the five fill loops `i < size` / `i < data.length` -> `<=`: the extra write
 *   lands past the end of a Float32Array, which ignores it; the extra draw is never used.
 * - counting.ts conv2d's `node.inputs[2] >= 0` -> `> 0`: value 0 is the graph input, never a bias.
 * - reference.ts, 22 loop bounds `<` -> `<=` (map, conv rows, batchNorm, add, mul, pools,
 *   channelConv1d, linear, reductions): the extra iteration writes past the end of a
 *   Float32Array (ignored) or adds an out-of-range read into a value that is never stored.
 * - reference.ts conv2d `if (wv === 0) continue` -> `if (false)`: skipping a zero weight only
 *   saves work.
 * Not yet killed, worth tests (target stays 90 for this package as a whole):
 * - reference.ts index arithmetic `*` -> `/` that only a batch > 1 or several channels expose
 *   (batchNorm, mul with a spatial gate, max/avg pools, concat, channel mean/max, conv output
 *   offset), maxPool's padded bounds (`iy > h`, `ix <= w`), batchNorm's shift with a non-zero
 *   running mean (`mean / scale`), channelMax over all-negative values, flatten aliasing its
 *   input, and the `details` of the missing/misshaped parameter errors.
 * - counting.ts THOP_CONVENTION's six text parts -> "": killed by counting-convention.test.ts,
 *   but module-level (static) mutants are retested only by `pnpm test:mutation --full`.
 */
export default mutationConfig({
  mutate: ['src/kernel-size.ts', 'src/initializer.ts', 'src/counting.ts', 'src/reference.ts'],
  thresholds: { break: 90 },
});
