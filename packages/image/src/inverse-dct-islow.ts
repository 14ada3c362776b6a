/**
 * libjpeg's default inverse DCT (`JDCT_ISLOW`, jidctint.c: a scaled Loeffler-Ligtenberg-Moschytz
 * algorithm in 13-bit fixed point), step for step, so every rounding is libjpeg-turbo's.
 * Arithmetic runs on doubles: libjpeg's intermediates are 64-bit on 64-bit Linux, and in a
 * corrupt-but-decodable stream they pass 32 bits, where JavaScript's `>>` would wrap.
 */

const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/** libjpeg's DESCALE: divide by 2^n rounding half up (an arithmetic right shift after adding half); exact on doubles. */
function descale(x: number, half: number, inverse: number): number {
  return Math.floor((x + half) * inverse);
}

// The three shifts the passes use: CONST_BITS - PASS1_BITS, CONST_BITS + PASS1_BITS + 3, PASS1_BITS + 3.
const PASS1_HALF = 2 ** (CONST_BITS - PASS1_BITS - 1);
const PASS1_INVERSE = 2 ** -(CONST_BITS - PASS1_BITS);
const PASS2_HALF = 2 ** (CONST_BITS + PASS1_BITS + 2);
const PASS2_INVERSE = 2 ** -(CONST_BITS + PASS1_BITS + 3);
const DC_HALF = 2 ** (PASS1_BITS + 2);
const DC_INVERSE = 2 ** -(PASS1_BITS + 3);
const CONST_SCALE = 2 ** CONST_BITS;
const PASS1_SCALE = 2 ** PASS1_BITS;

/** As `(int)` in C: wrap to 32 bits (the workspace between the passes is `int`). */
function toInt32(x: number): number {
  return Number(BigInt.asIntN(32, BigInt(x)));
}

/** libjpeg's post-IDCT range limit: the 10-bit value, wrapped as `& RANGE_MASK`, then clamped around the centre. */
function rangeLimit(x: number): number {
  let wrapped = x & 1023;
  if (wrapped >= 512) wrapped -= 1024;
  return Math.max(0, Math.min(255, wrapped + 128));
}

/** Pass 1 output that fits 32 bits: the common case skips the BigInt wrap. */
function workspaceValue(x: number): number {
  return x >= -2147483648 && x <= 2147483647 ? x : toInt32(x);
}

/**
 * The samples of a component's blocks: `widthInBlocks` x `heightInBlocks` blocks of 8x8 read from
 * `coefficients` (64 per block, natural order, `blocksPerLine` blocks a row), dequantized by
 * `quant` (natural order). Returns a plane `widthInBlocks * 8` samples wide.
 */
export function inverseDctIslow(coefficients: Int16Array, quantization: Uint16Array, blocksPerLine: number, widthInBlocks: number, heightInBlocks: number): Uint8Array {
  // libjpeg-turbo keeps the multipliers as 16-bit signed (MULTIPLIER is short in SIMD builds).
  const quant = Int16Array.from(quantization);
  const stride = widthInBlocks * 8;
  const out = new Uint8Array(stride * heightInBlocks * 8);
  const workspace = new Float64Array(64);
  const even = new Float64Array(4);
  const odd = new Float64Array(4);
  for (let blockRow = 0; blockRow < heightInBlocks; blockRow++) {
    for (let blockColumn = 0; blockColumn < widthInBlocks; blockColumn++) {
      const base = (blockRow * blocksPerLine + blockColumn) * 64;
      // Pass 1: columns from the input into the workspace, scaled up by 2^PASS1_BITS.
      for (let column = 0; column < 8; column++) {
        if (
          coefficients[base + 8 + column] === 0 &&
          coefficients[base + 16 + column] === 0 &&
          coefficients[base + 24 + column] === 0 &&
          coefficients[base + 32 + column] === 0 &&
          coefficients[base + 40 + column] === 0 &&
          coefficients[base + 48 + column] === 0 &&
          coefficients[base + 56 + column] === 0
        ) {
          const dc = workspaceValue(coefficients[base + column] * quant[column] * PASS1_SCALE);
          for (let row = 0; row < 8; row++) workspace[row * 8 + column] = dc;
          continue;
        }
        const in0 = coefficients[base + column] * quant[column];
        const in1 = coefficients[base + 8 + column] * quant[8 + column];
        const in2 = coefficients[base + 16 + column] * quant[16 + column];
        const in3 = coefficients[base + 24 + column] * quant[24 + column];
        const in4 = coefficients[base + 32 + column] * quant[32 + column];
        const in5 = coefficients[base + 40 + column] * quant[40 + column];
        const in6 = coefficients[base + 48 + column] * quant[48 + column];
        const in7 = coefficients[base + 56 + column] * quant[56 + column];
        evenPart(in0, in2, in4, in6, even);
        const tmp10 = even[0];
        const tmp11 = even[1];
        const tmp12 = even[2];
        const tmp13 = even[3];
        oddPart(in7, in5, in3, in1, odd);
        const tmp0 = odd[0];
        const tmp1 = odd[1];
        const tmp2 = odd[2];
        const tmp3 = odd[3];
        workspace[column] = workspaceValue(descale(tmp10 + tmp3, PASS1_HALF, PASS1_INVERSE));
        workspace[56 + column] = workspaceValue(descale(tmp10 - tmp3, PASS1_HALF, PASS1_INVERSE));
        workspace[8 + column] = workspaceValue(descale(tmp11 + tmp2, PASS1_HALF, PASS1_INVERSE));
        workspace[48 + column] = workspaceValue(descale(tmp11 - tmp2, PASS1_HALF, PASS1_INVERSE));
        workspace[16 + column] = workspaceValue(descale(tmp12 + tmp1, PASS1_HALF, PASS1_INVERSE));
        workspace[40 + column] = workspaceValue(descale(tmp12 - tmp1, PASS1_HALF, PASS1_INVERSE));
        workspace[24 + column] = workspaceValue(descale(tmp13 + tmp0, PASS1_HALF, PASS1_INVERSE));
        workspace[32 + column] = workspaceValue(descale(tmp13 - tmp0, PASS1_HALF, PASS1_INVERSE));
      }
      // Pass 2: rows from the workspace into samples, descaled by 2^(PASS1_BITS + 3).
      for (let row = 0; row < 8; row++) {
        const w = row * 8;
        const target = (blockRow * 8 + row) * stride + blockColumn * 8;
        if (workspace[w + 1] === 0 && workspace[w + 2] === 0 && workspace[w + 3] === 0 && workspace[w + 4] === 0 && workspace[w + 5] === 0 && workspace[w + 6] === 0 && workspace[w + 7] === 0) {
          out.fill(rangeLimit(descale(workspace[w], DC_HALF, DC_INVERSE)), target, target + 8);
          continue;
        }
        evenPart(workspace[w], workspace[w + 2], workspace[w + 4], workspace[w + 6], even);
        const tmp10 = even[0];
        const tmp11 = even[1];
        const tmp12 = even[2];
        const tmp13 = even[3];
        oddPart(workspace[w + 7], workspace[w + 5], workspace[w + 3], workspace[w + 1], odd);
        const tmp0 = odd[0];
        const tmp1 = odd[1];
        const tmp2 = odd[2];
        const tmp3 = odd[3];
        out[target] = rangeLimit(descale(tmp10 + tmp3, PASS2_HALF, PASS2_INVERSE));
        out[target + 7] = rangeLimit(descale(tmp10 - tmp3, PASS2_HALF, PASS2_INVERSE));
        out[target + 1] = rangeLimit(descale(tmp11 + tmp2, PASS2_HALF, PASS2_INVERSE));
        out[target + 6] = rangeLimit(descale(tmp11 - tmp2, PASS2_HALF, PASS2_INVERSE));
        out[target + 2] = rangeLimit(descale(tmp12 + tmp1, PASS2_HALF, PASS2_INVERSE));
        out[target + 5] = rangeLimit(descale(tmp12 - tmp1, PASS2_HALF, PASS2_INVERSE));
        out[target + 3] = rangeLimit(descale(tmp13 + tmp0, PASS2_HALF, PASS2_INVERSE));
        out[target + 4] = rangeLimit(descale(tmp13 - tmp0, PASS2_HALF, PASS2_INVERSE));
      }
    }
  }
  return out;
}

/** The even part of both passes (inputs: the values at rows or columns 0, 2, 4, 6) into `out` as tmp10..tmp13. */
function evenPart(in0: number, in2: number, in4: number, in6: number, out: Float64Array): void {
  const z1 = (in2 + in6) * FIX_0_541196100;
  const even2 = z1 + in6 * -FIX_1_847759065;
  const even3 = z1 + in2 * FIX_0_765366865;
  const even0 = (in0 + in4) * CONST_SCALE;
  const even1 = (in0 - in4) * CONST_SCALE;
  out[0] = even0 + even3;
  out[1] = even1 + even2;
  out[2] = even1 - even2;
  out[3] = even0 - even3;
}

/** The odd part of both passes (inputs: the values at rows or columns 7, 5, 3, 1) into `out` as tmp0..tmp3. */
function oddPart(in7: number, in5: number, in3: number, in1: number, out: Float64Array): void {
  let z4 = in5 + in1;
  let z3 = in7 + in3;
  const z5 = (z3 + z4) * FIX_1_175875602;
  z4 = z4 * -FIX_0_390180644 + z5;
  z3 = z3 * -FIX_1_961570560 + z5;
  const z1 = (in7 + in1) * -FIX_0_899976223;
  const z2 = (in5 + in3) * -FIX_2_562915447;
  out[0] = in7 * FIX_0_298631336 + z1 + z3;
  out[1] = in5 * FIX_2_053119869 + z2 + z4;
  out[2] = in3 * FIX_3_072711026 + z2 + z3;
  out[3] = in1 * FIX_1_501321110 + z1 + z4;
}
