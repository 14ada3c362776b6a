import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodeImage, detectImageFormat } from './decode-image.js';
import { applyOrientation, readExifOrientation } from './exif-orientation.js';

const FIXTURES = fileURLToPath(new URL('../../../tools/golden/fixtures/photo/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));
const golden = JSON.parse(readFileSync(`${FIXTURES}photo.json`, 'utf8')) as {
  orientation: { width: number; height: number; orientations: Record<string, { width: number; height: number; indices: number[] }> };
};

/** A TIFF block with IFD0 = [tag 0x0100 (ImageWidth), tag 0x0112 (Orientation) = value]. */
function tiffWithOrientation(value: number, little: boolean): Uint8Array {
  const bytes = new Uint8Array(8 + 2 + 2 * 12 + 4);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, little ? 0x4949 : 0x4d4d);
  view.setUint16(2, 42, little);
  view.setUint32(4, 8, little);
  view.setUint16(8, 2, little);
  view.setUint16(10, 0x0100, little);
  view.setUint16(12, 3, little);
  view.setUint32(14, 1, little);
  view.setUint16(18, 320, little);
  view.setUint16(22, 0x0112, little);
  view.setUint16(24, 3, little);
  view.setUint32(26, 1, little);
  view.setUint16(30, value, little);
  return bytes;
}

// Decoding takes up to a second per fixture on a loaded 2-core machine: generous limits (nothing here asserts time).
describe('decodeImage', { timeout: 60_000 }, () => {
  it('reads the orientation tag in either byte order, past other entries; 1 when absent or out of range', () => {
    expect(readExifOrientation(tiffWithOrientation(6, true))).toBe(6);
    expect(readExifOrientation(tiffWithOrientation(8, false))).toBe(8);
    expect(readExifOrientation(tiffWithOrientation(9, true))).toBe(1);
    expect(readExifOrientation(new Uint8Array([1, 2, 3]))).toBe(1);
    expect(readExifOrientation(tiffWithOrientation(3, true).subarray(0, 20))).toBe(1); // truncated IFD
  });

  it("turns every orientation 1..8 as Pillow's ImageOps.exif_transpose (golden)", () => {
    const { width, height, orientations } = golden.orientation;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data[i * 3] = i;
    for (const [tag, expected] of Object.entries(orientations)) {
      const turned = applyOrientation({ width, height, data }, Number(tag));
      expect([turned.width, turned.height], `orientation ${tag}`).toEqual([expected.width, expected.height]);
      expect(Array.from(turned.data.filter((_, i) => i % 3 === 0)), `orientation ${tag}`).toEqual(expected.indices);
    }
  });

  it('applies EXIF orientation 6 to a JPEG: the stored pixels turned clockwise, or as stored when asked', () => {
    const upright = decodeImage(fixture('photo.jpg'));
    const turned = decodeImage(fixture('photo-orientation-6.jpg'));
    expect([upright.width, upright.height, upright.orientation, upright.format]).toEqual([320, 240, 1, 'jpeg']);
    expect([turned.width, turned.height, turned.orientation]).toEqual([240, 320, 6]);
    expect(turned.data).toEqual(applyOrientation(upright, 6).data);
    expect(decodeImage(fixture('photo-orientation-6.jpg'), { applyOrientation: false }).data).toEqual(upright.data);
  });

  it('decodes PNG grey, grey + alpha, RGBA and 16-bit to 8-bit RGB as PIL convert("RGB")', () => {
    const grey = decodeImage(encodePng({ width: 2, height: 1, data: Uint8Array.from([7, 200]), channels: 1, depth: 8 }));
    expect(Array.from(grey.data)).toEqual([7, 7, 7, 200, 200, 200]);
    const greyAlpha = decodeImage(encodePng({ width: 1, height: 1, data: Uint8Array.from([9, 0]), channels: 2, depth: 8 }));
    expect(Array.from(greyAlpha.data)).toEqual([9, 9, 9]);
    const rgba = decodeImage(encodePng({ width: 1, height: 1, data: Uint8Array.from([1, 2, 3, 4]), channels: 4, depth: 8 }));
    expect(Array.from(rgba.data)).toEqual([1, 2, 3]);
    const deep = decodeImage(encodePng({ width: 1, height: 1, data: Uint16Array.from([0x1234, 0xff00, 0x00ff]), channels: 3, depth: 16 }));
    expect(Array.from(deep.data)).toEqual([0x12, 0xff, 0x00]);
    expect(decodeImage(fixture('photo.png'))).toMatchObject({ width: 80, height: 60, format: 'png', orientation: 1 });
  });

  it('refuses what is not a picture, a truncated JPEG and a picture above the megapixel limit', () => {
    expect(detectImageFormat(new TextEncoder().encode('GIF89a'))).toBeUndefined();
    expect(thrownAttnkitError(() => decodeImage(new TextEncoder().encode('GIF89a....'), { source: 'cat.gif' }))).toMatchObject({
      code: ErrorCodes.INVALID_FILE,
      details: { path: 'cat.gif' },
    });
    const jpeg = fixture('photo.jpg');
    expect(thrownAttnkitError(() => decodeImage(jpeg.subarray(0, 600), { source: 'cut.jpg' }))).toMatchObject({ code: ErrorCodes.INVALID_FILE, details: { path: 'cut.jpg' } });
    const png = fixture('photo.png');
    expect(thrownAttnkitError(() => decodeImage(png.subarray(0, png.length - 40)))).toMatchObject({ code: ErrorCodes.INVALID_FILE });
    expect(thrownAttnkitError(() => decodeImage(png, { maxMegapixels: 0.004 }))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { limit: 0.004 } });
  });
});
