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

const normalized = (value: number, channel: number) => (value / 255 - IMAGENET_MEAN[channel]) / IMAGENET_STD[channel];

describe('imageToInput', () => {
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

  it('resizes the shorter side bilinearly with half-pixel centres', () => {
    // 2 x 2 image upscaled to 4 x 4: column x samples source x' = (x + 0.5) / 2 - 0.5, clamped:
    // 0 -> 0, 1 -> 0.25, 2 -> 0.75, 3 -> 1, so red 0 | 100 becomes 0, 25, 75, 100.
    const input = imageToInput(png(2, 2, (x) => [x * 100, 0, 0]), 4, 4);
    expect(Array.from(input.data.subarray(0, 4))).toEqual([0, 25, 75, 100].map((v) => Math.fround(normalized(v, 0))));
  });

  it('refuses bytes that are not a PNG with INVALID_FILE', () => {
    let error: unknown;
    try {
      imageToInput(new TextEncoder().encode('{"not": "a png"}'), 4, 4, 'photo.png');
    } catch (e) {
      error = e;
    }
    expect(isAttnkitError(error, 'INVALID_FILE')).toBe(true);
    expect((error as Error).message).toMatch(/photo\.png is not a readable PNG/);
  });
});
