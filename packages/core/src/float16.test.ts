import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './float16.js';

describe('float16ToFloat32', () => {
  it('decodes known binary16 bit patterns exactly', () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x3555)).toBe(0.333251953125);
    expect(float16ToFloat32(0x7bff)).toBe(65504); // largest finite
    expect(float16ToFloat32(0x0400)).toBe(6.103515625e-5); // smallest normal, 2^-14
    expect(float16ToFloat32(0x03ff)).toBe(6.097555160522461e-5); // largest subnormal, 1023 * 2^-24
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24); // smallest subnormal, 2^-24
    expect(float16ToFloat32(0x8001)).toBe(-(2 ** -24));
    expect(float16ToFloat32(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(float16ToFloat32(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
    expect(float16ToFloat32(0xfc01)).toBeNaN();
    expect(Object.is(float16ToFloat32(0x8000), -0)).toBe(true);
  });
});

describe('float32ToFloat16', () => {
  it('matches numpy astype(float16) on hand-picked values', () => {
    // Expected bits printed by numpy 2.4 `np.float32(v).astype(np.float16).view(np.uint16)`.
    const cases: Array<[number, number]> = [
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65519.99, 0x7bff],
      [65520, 0x7c00], // halfway to 65536, ties to even: overflow to Infinity
      [1e-8, 0x0000],
      [2 ** -25, 0x0000], // halfway to the smallest subnormal, ties to even (0)
      [2.980530263224e-8, 0x0001],
      [-2, 0xc000],
      [1 / 3, 0x3555],
      [6.097555160522461e-5, 0x03ff],
      [1234.567, 0x64d3],
    ];
    for (const [value, bits] of cases) expect(float32ToFloat16(value), `${value}`).toBe(bits);
    expect(float32ToFloat16(-0)).toBe(0x8000);
    expect(float32ToFloat16(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(float32ToFloat16(-1e9)).toBe(0xfc00);
    expect(float32ToFloat16(Number.NaN)).toBe(0x7e00);
  });

  it('round-trips every non-NaN bit pattern', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16ToFloat32(bits);
      if (Number.isNaN(value)) continue;
      if (float32ToFloat16(value) !== bits) throw new Error(`0x${bits.toString(16)} -> ${value} -> 0x${float32ToFloat16(value).toString(16)}`);
    }
  });

  it('rounds every midpoint between neighbours to the even one, and just off it to the nearer one', () => {
    for (let bits = 0; bits < 0x7bff; bits++) {
      const low = float16ToFloat32(bits);
      const high = float16ToFloat32(bits + 1);
      const middle = (low + high) / 2; // exact in float32: 12 significant bits at most
      const even = bits % 2 === 0 ? bits : bits + 1;
      if (float32ToFloat16(middle) !== even) throw new Error(`midpoint of 0x${bits.toString(16)} rounds wrong`);
      const step = (high - low) / 64;
      if (float32ToFloat16(middle - step) !== bits || float32ToFloat16(middle + step) !== bits + 1) {
        throw new Error(`near the midpoint of 0x${bits.toString(16)} rounds wrong`);
      }
    }
  });
});

describe('bfloat16', () => {
  it('decodes known bit patterns', () => {
    expect(bfloat16ToFloat32(0x3f80)).toBe(1);
    expect(bfloat16ToFloat32(0xc000)).toBe(-2);
    expect(bfloat16ToFloat32(0x3dcd)).toBe(0.10009765625);
    expect(bfloat16ToFloat32(0x0001)).toBe(2 ** -133); // smallest subnormal
    expect(bfloat16ToFloat32(0x7f80)).toBe(Number.POSITIVE_INFINITY);
    expect(bfloat16ToFloat32(0xff80)).toBe(Number.NEGATIVE_INFINITY);
    expect(bfloat16ToFloat32(0x7fc0)).toBeNaN();
  });

  it('encodes with round to nearest, ties to even', () => {
    expect(float32ToBfloat16(1)).toBe(0x3f80);
    expect(float32ToBfloat16(0.1)).toBe(0x3dcd); // float32 0x3dcccccd, low half 0xcccd > 0x8000: up
    expect(float32ToBfloat16(1 / 3)).toBe(0x3eab); // 0x3eaaaaab: up
    expect(float32ToBfloat16(1.00390625)).toBe(0x3f80); // 0x3f808000, a tie, 0x3f80 is even
    expect(float32ToBfloat16(1.01171875)).toBe(0x3f82); // 0x3f818000, a tie, 0x3f81 is odd: up
    expect(float32ToBfloat16(3.4028234663852886e38)).toBe(0x7f80); // float32 max rounds to Infinity
    expect(float32ToBfloat16(-0)).toBe(0x8000);
    expect(float32ToBfloat16(Number.NaN)).toBe(0x7fc0);
  });

  it('round-trips every non-NaN bit pattern', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = bfloat16ToFloat32(bits);
      if (Number.isNaN(value)) continue;
      if (float32ToBfloat16(value) !== bits) throw new Error(`0x${bits.toString(16)} does not round-trip`);
    }
  });
});
