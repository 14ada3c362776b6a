/**
 * libjpeg-turbo's default decompression after the IDCT: chroma upsampling (jdsample.c, "fancy"
 * triangle filters for 2:1 factors, replication otherwise) and colour conversion (jdcolor.c,
 * 16-bit fixed-point tables), with the same roundings, so the bytes equal Pillow's.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';

/**
 * One component's samples (`stride` wide, `sampleWidth` x `sampleHeight` of them hold the image)
 * brought to `width` x `height` pixels, for a component sampled `hFactor` / `vFactor` times
 * coarser than the finest one.
 *
 * libjpeg's filters take the nearer sample 3/4 and the next one 1/4 (per direction) and repeat
 * the edge samples past the image; their rounding offsets alternate so that halves do not all
 * round up (h2v1: +1 / +2 over 4; h2v2: +8 / +7 over 16; h1v2: +1 above / +2 below over 4).
 * Fancy filtering needs 3 or more samples a row for 2:1 horizontal factors, as in jinit_upsampler.
 */
export function upsampleComponent(samples: Uint8Array, stride: number, sampleWidth: number, sampleHeight: number, hFactor: number, vFactor: number, width: number, height: number): Uint8Array {
  if (!Number.isInteger(hFactor) || !Number.isInteger(vFactor)) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `not a readable JPEG: sampling factors that are no integer multiples of each other (${hFactor} x ${vFactor})`, {});
  }
  const out = new Uint8Array(width * height);
  const lastColumn = sampleWidth - 1;
  const lastRow = sampleHeight - 1;
  if (hFactor === 1 && vFactor === 1) {
    for (let y = 0; y < height; y++) out.set(samples.subarray(y * stride, y * stride + width), y * width);
  } else if (hFactor === 2 && vFactor === 1 && sampleWidth > 2) {
    for (let y = 0; y < height; y++) {
      const row = y * stride;
      for (let x = 0; x < width; x++) {
        const column = x >> 1;
        const near = samples[row + column] * 3;
        out[y * width + x] = x & 1 ? (near + samples[row + Math.min(column + 1, lastColumn)] + 2) >> 2 : (near + samples[row + Math.max(column - 1, 0)] + 1) >> 2;
      }
    }
  } else if (hFactor === 1 && vFactor === 2) {
    for (let y = 0; y < height; y++) {
      const below = y & 1;
      const near = (y >> 1) * stride;
      const far = (below ? Math.min((y >> 1) + 1, lastRow) : Math.max((y >> 1) - 1, 0)) * stride;
      for (let x = 0; x < width; x++) out[y * width + x] = (samples[near + x] * 3 + samples[far + x] + 1 + below) >> 2;
    }
  } else if (hFactor === 2 && vFactor === 2 && sampleWidth > 2) {
    const columnSums = new Int32Array(sampleWidth);
    for (let y = 0; y < height; y++) {
      const near = (y >> 1) * stride;
      const far = (y & 1 ? Math.min((y >> 1) + 1, lastRow) : Math.max((y >> 1) - 1, 0)) * stride;
      for (let column = 0; column < sampleWidth; column++) columnSums[column] = samples[near + column] * 3 + samples[far + column];
      for (let x = 0; x < width; x++) {
        const column = x >> 1;
        const sum = columnSums[column] * 3;
        out[y * width + x] = x & 1 ? (sum + columnSums[Math.min(column + 1, lastColumn)] + 7) >> 4 : (sum + columnSums[Math.max(column - 1, 0)] + 8) >> 4;
      }
    }
  } else {
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / vFactor) * stride;
      for (let x = 0; x < width; x++) out[y * width + x] = samples[row + Math.floor(x / hFactor)];
    }
  }
  return out;
}

const SCALE_BITS = 16;
const ONE_HALF = 1 << (SCALE_BITS - 1);
const fix = (x: number) => Math.floor(x * (1 << SCALE_BITS) + 0.5);

/** jdcolor.c's build_ycc_rgb_table, indexed by the 8-bit Cb or Cr sample. */
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> SCALE_BITS;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> SCALE_BITS;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}

const clamp = (value: number) => Math.max(0, Math.min(255, value));

export type JpegColorSpace = 'grayscale' | 'ycbcr' | 'rgb' | 'cmyk' | 'ycck';

/** Pillow's MULDIV255: a * b / 255 rounded, in integers. */
function multiplyDivide255(a: number, b: number): number {
  const product = a * b + 128;
  return ((product >> 8) + product) >> 8;
}

/**
 * Full-size component planes as 8-bit RGB: YCbCr through libjpeg's tables, RGB as is, grey
 * repeated. CMYK as Pillow reads it: libjpeg's CMYK samples (YCCK first converted by jdcolor.c's
 * ycck_cmyk_convert: 255 minus the YCbCr colour, K as stored), inverted (Pillow's `CMYK;I`,
 * Adobe's polarity), then Pillow's cmyk2rgb: each channel (255 - K) - C * (255 - K) / 255.
 */
export function jpegColorToRgb(planes: Uint8Array[], colorSpace: JpegColorSpace, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  if (colorSpace === 'grayscale') {
    const [grey] = planes;
    for (let i = 0; i < pixels; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = grey[i];
    return out;
  }
  const [first, second, third, fourth] = planes;
  if (colorSpace === 'cmyk' || colorSpace === 'ycck') {
    const ycck = colorSpace === 'ycck';
    for (let i = 0; i < pixels; i++) {
      const notK = fourth[i];
      let c = first[i];
      let m = second[i];
      let y = third[i];
      if (ycck) {
        const luma = first[i];
        c = 255 - clamp(luma + CR_R[third[i]]);
        m = 255 - clamp(luma + ((CB_G[second[i]] + CR_G[third[i]]) >> SCALE_BITS));
        y = 255 - clamp(luma + CB_B[second[i]]);
      }
      // The stored samples are inverted (Adobe): Pillow's C is 255 - c, and its 255 - K is the stored K.
      out[i * 3] = notK - multiplyDivide255(255 - c, notK);
      out[i * 3 + 1] = notK - multiplyDivide255(255 - m, notK);
      out[i * 3 + 2] = notK - multiplyDivide255(255 - y, notK);
    }
    return out;
  }
  if (colorSpace === 'rgb') {
    for (let i = 0; i < pixels; i++) {
      out[i * 3] = first[i];
      out[i * 3 + 1] = second[i];
      out[i * 3 + 2] = third[i];
    }
    return out;
  }
  for (let i = 0; i < pixels; i++) {
    const y = first[i];
    const cb = second[i];
    const cr = third[i];
    out[i * 3] = clamp(y + CR_R[cr]);
    out[i * 3 + 1] = clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALE_BITS));
    out[i * 3 + 2] = clamp(y + CB_B[cb]);
  }
  return out;
}
