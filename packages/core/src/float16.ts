/**
 * Scalar conversions between float32 and the two 16-bit float formats of PyTorch checkpoints:
 * IEEE 754 binary16 (`torch.float16`, safetensors `F16`) and bfloat16 (`torch.bfloat16`,
 * safetensors `BF16`, the upper half of a float32). Values travel as their bit patterns
 * (numbers 0..0xffff) so callers can read and write them with a DataView.
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** The float32 value of a binary16 bit pattern; exact (every binary16 value is a float32 value). */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  // Subnormals: no implicit leading 1, scale 2^-14 / 2^10 = 2^-24.
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The binary16 bit pattern nearest to `value` (first rounded to float32), ties to even, as
 * PyTorch's `tensor.half()` rounds: overflow gives +-Infinity, tiny values go through the
 * subnormals to +-0, NaN stays NaN (quiet).
 */
export function float32ToFloat16(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Below 2^-25 even rounding up cannot reach the smallest subnormal 2^-24.
    if (halfExponent < -10) return sign;
    const significand = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const halfway = 1 << (shift - 1);
    const remainder = significand & ((1 << shift) - 1);
    let half = significand >>> shift;
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half += 1;
    // A carry out of the subnormal range lands on the smallest normal, which is the right answer.
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa bumps the exponent, and out of the largest finite value gives
  // the Infinity pattern 0x7c00: both are the correctly rounded results.
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

/** The float32 value of a bfloat16 bit pattern (exact: bfloat16 is a truncated float32). */
export function bfloat16ToFloat32(bits: number): number {
  scratchBits[0] = (bits & 0xffff) << 16;
  return scratchFloat[0];
}

/**
 * The bfloat16 bit pattern nearest to `value` (first rounded to float32), ties to even, as
 * PyTorch's `tensor.bfloat16()` rounds; NaN stays a quiet NaN with its sign.
 */
export function float32ToBfloat16(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0];
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return (bits >>> 16) | 0x40;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}
