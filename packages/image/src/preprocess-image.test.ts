import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { applyOrientation } from './exif-orientation.js';
import { decodeImage } from './decode-image.js';
import { normalizeImage, type Preprocessing, preprocessImage, resizeAndCrop, TORCHVISION_PREPROCESSING, timmPreprocessing } from './preprocess-image.js';
import type { RgbImage } from './rgb-image.js';

// Written by tools/golden/make_golden_photo.py from torchvision 0.14 / Pillow 9.4 (Debian).
const FIXTURES = fileURLToPath(new URL('../../../tools/golden/fixtures/photo/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));
interface GoldenCase {
  name: string;
  file: string;
  pipeline: { kind: 'torchvision' | 'timm'; resizeSize: number; cropSize: number; interpolation: 'bilinear' | 'bicubic'; mean: number[]; std: number[]; config?: Record<string, unknown> };
  crop: string;
  tensor: { shape: number[]; sum: number; sumSquares: number; samples: Array<[number, number]> };
}
const golden = JSON.parse(readFileSync(`${FIXTURES}photo.json`, 'utf8')) as { cases: GoldenCase[]; decoded: Record<string, { width: number; height: number }> };

function preprocessingOf(golden: GoldenCase): Preprocessing {
  const p = golden.pipeline;
  return p.kind === 'torchvision' ? TORCHVISION_PREPROCESSING : timmPreprocessing(p.config as Parameters<typeof timmPreprocessing>[0]);
}

/** PIL's decoded RGB of the case's file (for the JPEGs PIL decoded and the script saved as PNG). */
function pilDecoded(file: string): RgbImage {
  if (file === 'photo.png') return decodeImage(fixture(file));
  const upright = decodeImage(fixture('photo.pil-rgb.png'));
  // The orientation variant holds photo.jpg's very bytes plus EXIF orientation 6.
  return file === 'photo-orientation-6.jpg' ? applyOrientation(upright, 6) : upright;
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

// JPEG decoding and full-size resampling on a loaded 2-core machine: generous limits (nothing here asserts time).
describe('ImageNet evaluation preprocessing against torchvision (PIL pipeline)', { timeout: 60_000 }, () => {
  it('derives the timm sizes from crop_pct as transforms_imagenet_eval: floor(size / crop_pct)', () => {
    expect(timmPreprocessing({ crop_pct: 0.95, interpolation: 'bicubic' })).toMatchObject({ resizeSize: 235, cropSize: 224, interpolation: 'bicubic' });
    expect(timmPreprocessing()).toMatchObject({ resizeSize: 256, cropSize: 224, interpolation: 'bilinear', cropPct: 0.875 });
    expect(timmPreprocessing({ input_size: [3, 160, 160], mean: [0.5, 0.5, 0.5] })).toMatchObject({ resizeSize: 182, cropSize: 160, mean: [0.5, 0.5, 0.5] });
  });

  for (const c of golden.cases) {
    it(`${c.name}: on PIL's decoded pixels, the resized crop equals torchvision's byte for byte`, () => {
      const preprocessing = preprocessingOf(c);
      expect(preprocessing).toMatchObject({ pipeline: c.pipeline.kind, resizeSize: c.pipeline.resizeSize, cropSize: c.pipeline.cropSize, interpolation: c.pipeline.interpolation });
      const ours = resizeAndCrop(pilDecoded(c.file), preprocessing);
      const theirs = decodeImage(fixture(c.crop));
      expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
      expect(maxAbsDifference(ours.data, theirs.data)).toBe(0);
    });

    it(`${c.name}: on PIL's decoded pixels, the tensor equals torchvision's to 1e-6 (sums and samples)`, () => {
      const tensor = preprocessImage(pilDecoded(c.file), preprocessingOf(c));
      expect(tensor.shape).toEqual(c.tensor.shape.length === 3 ? [1, ...c.tensor.shape] : c.tensor.shape);
      for (const [index, value] of c.tensor.samples) expect(Math.abs(tensor.data[index] - value)).toBeLessThan(1e-6);
      let sum = 0;
      let sumSquares = 0;
      for (const v of tensor.data) {
        sum += v;
        sumSquares += v * v;
      }
      // 150,528 float32 values: the sums agree to float32 rounding of the terms.
      expect(Math.abs(sum - c.tensor.sum)).toBeLessThan(1e-2);
      expect(Math.abs(sumSquares - c.tensor.sumSquares) / c.tensor.sumSquares).toBeLessThan(1e-6);
    });

    it(`${c.name}: end to end from the file (our decoder), within 1e-3 of torchvision's tensor`, () => {
      const preprocessing = preprocessingOf(c);
      const ours = preprocessImage(decodeImage(fixture(c.file)), preprocessing).data;
      const theirs = normalizeImage(decodeImage(fixture(c.crop)), preprocessing.mean, preprocessing.std).data;
      // The JPEG decoder gives libjpeg-turbo's bytes and the resampler Pillow's, so nothing differs
      // but float32 rounding; 1e-3 is the bound for JPEG.
      expect(maxAbsDifference(ours, theirs)).toBeLessThanOrEqual(c.file === 'photo.png' ? 1e-6 : 1e-3);
    });
  }

  it('refuses a bad pretrained config and a crop larger than the resize, naming the field', () => {
    expect(thrownAttnkitError(() => timmPreprocessing({ interpolation: 'lanczos' }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: 'interpolation' } });
    expect(thrownAttnkitError(() => timmPreprocessing({ crop_pct: 1.2 }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: 'crop_pct' } });
    expect(thrownAttnkitError(() => timmPreprocessing({ input_size: [3, 224, 192] }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: 'input_size' } });
    expect(thrownAttnkitError(() => timmPreprocessing({ std: [0.2, 0, 0.2] }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: 'std' } });
    const image = { width: 4, height: 4, data: new Uint8Array(48) };
    expect(thrownAttnkitError(() => preprocessImage(image, { ...TORCHVISION_PREPROCESSING, resizeSize: 200 }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION });
  });

  it('crops the centre with Python rounding: a 1-pixel surplus goes to the bottom / right', () => {
    // 3 x 2 picture, resize 2 -> 3 x 2 unchanged, crop 2 x 2 from left = round(0.5) = 0.
    const image = { width: 3, height: 2, data: Uint8Array.from([0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40, 50, 50, 50]) };
    const crop = resizeAndCrop(image, { ...TORCHVISION_PREPROCESSING, resizeSize: 2, cropSize: 2 });
    expect(Array.from(crop.data.filter((_, i) => i % 3 === 0))).toEqual([0, 10, 30, 40]);
  });
});
