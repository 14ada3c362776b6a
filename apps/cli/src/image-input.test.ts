import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAttnkitError } from '@attnkit/core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, imageToInput } from './image-input.js';

/** A PNG of width x height whose pixel (x, y) has the RGB given by `rgb(x, y)`. */
function png(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): Uint8Array {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      image.data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return new Uint8Array(PNG.sync.write(image));
}

const f = Math.fround;
/** ToTensor then Normalize, each step in float32 as torch computes it. */
const normalized = (value: number, channel: number) => f(f(f(value / 255) - f(IMAGENET_MEAN[channel])) / f(IMAGENET_STD[channel]));

// One test decodes a JPEG (~1 s on a loaded 2-core machine): a generous limit (nothing here asserts time).
describe('imageToInput', { timeout: 60_000 }, () => {
  it('normalizes a uniform image with the ImageNet mean and std, in NCHW order', () => {
    const input = imageToInput(png(5, 3, () => [255, 0, 128]), 2, 2);
    expect(input.shape).toEqual([1, 3, 2, 2]);
    // (255/255 - 0.485) / 0.229 = 2.2489083; (0 - 0.456) / 0.224 = -2.0357143; (128/255 - 0.406) / 0.225 = 0.4264052
    expect(Array.from(input.data)).toEqual(
      [normalized(255, 0), normalized(255, 0), normalized(255, 0), normalized(255, 0), ...Array(4).fill(normalized(0, 1)), ...Array(4).fill(normalized(128, 2))].map(Math.fround),
    );
    expect(input.data[0]).toBeCloseTo(2.2489083, 6);
  });

  it('crops the centre when the shorter side already has the target size', () => {
    // 6 x 4 image, red = column index * 10: a 4 x 4 crop keeps columns 1..4 unscaled.
    const input = imageToInput(png(6, 4, (x) => [x * 10, 0, 0]), 4, 4);
    const firstRow = Array.from(input.data.subarray(0, 4));
    expect(firstRow).toEqual([10, 20, 30, 40].map((v) => Math.fround(normalized(v, 0))));
  });

  it('resizes the shorter side bilinearly with half-pixel centres (upscaling: no antialias widening)', () => {
    // 2 x 2 image upscaled to 4 x 4 (floor(4 / 0.875) = 4): column x samples source
    // x' = (x + 0.5) / 2 - 0.5, clamped: 0 -> 0, 1 -> 0.25, 2 -> 0.75, 3 -> 1, so red 0 | 100
    // becomes 0, 25, 75, 100.
    const input = imageToInput(png(2, 2, (x) => [x * 100, 0, 0]), 4, 4);
    expect(Array.from(input.data.subarray(0, 4))).toEqual([0, 25, 75, 100].map((v) => Math.fround(normalized(v, 0))));
  });

  it("resizes a larger picture to floor(size / 0.875) first, as torchvision's Resize(256) before CenterCrop(224)", () => {
    // 16 x 8 picture, red = column * 16, for an 8 x 8 input: shorter side 8 -> floor(8 / 0.875) = 9,
    // longer side int(9 * 16 / 8) = 18; the 8 x 8 centre of 18 x 9 starts at column 5, row 0.
    const input = imageToInput(png(16, 8, (x) => [x * 16, 0, 0]), 8, 8);
    expect(input.shape).toEqual([1, 3, 8, 8]);
    const firstRow = Array.from(input.data.subarray(0, 8), (v) => Math.round((v * IMAGENET_STD[0] + IMAGENET_MEAN[0]) * 255));
    // Pillow's antialiased bilinear 16 -> 18 along x: column c of the 18 samples source (c + 0.5) * 16 / 18 - 0.5.
    expect(firstRow).toEqual([5, 6, 7, 8, 9, 10, 11, 12].map((c) => Math.round(Math.min(Math.max(((c + 0.5) * 16) / 18 - 0.5, 0), 15) * 16)));
  });

  it('takes a JPEG too (EXIF orientation applied), and gives a non-square input the centre of the square crop', () => {
    const jpeg = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../tools/golden/fixtures/photo/photo-orientation-6.jpg', import.meta.url))));
    const square = imageToInput(jpeg, 32, 32);
    const wide = imageToInput(jpeg, 16, 32);
    expect(wide.shape).toEqual([1, 3, 16, 32]);
    // Row 0 of the wide input is row 8 of the square one.
    expect(Array.from(wide.data.subarray(0, 32))).toEqual(Array.from(square.data.subarray(8 * 32, 9 * 32)));
  });

  it('refuses bytes that are neither JPEG nor PNG with INVALID_FILE', () => {
    let error: unknown;
    try {
      imageToInput(new TextEncoder().encode('{"not": "a png"}'), 4, 4, 'photo.png');
    } catch (e) {
      error = e;
    }
    expect(isAttnkitError(error, 'INVALID_FILE')).toBe(true);
    expect((error as Error).message).toMatch(/photo\.png is neither a JPEG nor a PNG/);
  });
});
