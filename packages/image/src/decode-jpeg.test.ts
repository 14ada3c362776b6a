import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image.js';
import { decodeJpeg } from './decode-jpeg.js';
import { normalizeImage, type Preprocessing, preprocessImage, TORCHVISION_PREPROCESSING, timmPreprocessing } from './preprocess-image.js';

// Written by tools/golden/make_golden_photo.py: Pillow 9.4 on Debian's libjpeg-turbo 2.1.5
// (`Image.open` + `ImageOps.exif_transpose` + `convert('RGB')`, what torchvision's ImageFolder reads).
const FIXTURES = fileURLToPath(new URL('../../../tools/golden/fixtures/photo/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));
interface JpegCase {
  file: string;
  pilRgb: string;
  width: number;
  height: number;
  crops: Record<string, { pipeline: { kind: 'torchvision' | 'timm'; config?: Parameters<typeof timmPreprocessing>[0] }; crop: string }>;
}
const golden = JSON.parse(readFileSync(`${FIXTURES}photo.json`, 'utf8')) as { jpegCases: JpegCase[] };

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** A copy of `bytes` with the byte after the first occurrence of marker 0xFF `marker` replaced. */
function patchAfterMarker(bytes: Uint8Array, marker: number, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  for (let i = 0; i + 1 < copy.length; i++) {
    if (copy[i] === 0xff && copy[i + 1] === marker) {
      copy[i + offset] = value;
      return copy;
    }
  }
  throw new Error(`no marker 0xFF${marker.toString(16)}`);
}

describe('decodeJpeg against libjpeg-turbo (through Pillow)', { timeout: 60_000 }, () => {
  it('covers the subsamplings, progressive, grey, restart, RGB, CMYK, YCCK and all eight orientations', () => {
    expect(golden.jpegCases.map((c) => c.file.replace(/^jpeg-|\.jpg$/g, ''))).toEqual([
      '444',
      '422',
      '420',
      'progressive-420',
      'grey',
      'grey-progressive',
      '440',
      '411',
      'rgb',
      'restart-420',
      'restart-progressive-422',
      'cmyk',
      'ycck',
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((tag) => `orientation-${tag}`),
    ]);
  });

  for (const c of golden.jpegCases) {
    it(`${c.file}: decoded bytes equal Pillow's, every one`, () => {
      const ours = decodeImage(fixture(c.file));
      const pil = decodeImage(fixture(c.pilRgb));
      expect([ours.width, ours.height]).toEqual([c.width, c.height]);
      expect(maxAbsDifference(ours.data, pil.data)).toBe(0);
    });

    for (const [kind, { pipeline, crop }] of Object.entries(c.crops)) {
      it(`${c.file}: end to end, ${kind}'s normalized tensor within 1e-3 of torchvision's transforms`, () => {
        const preprocessing: Preprocessing = pipeline.kind === 'torchvision' ? TORCHVISION_PREPROCESSING : timmPreprocessing(pipeline.config);
        const ours = preprocessImage(decodeImage(fixture(c.file)), preprocessing).data;
        // The script asserted ToTensor + Normalize of this crop equals transforms(image) to 1e-6.
        const theirs = normalizeImage(decodeImage(fixture(crop)), preprocessing.mean, preprocessing.std).data;
        expect(ours.length).toBe(3 * preprocessing.cropSize * preprocessing.cropSize);
        expect(maxAbsDifference(ours, theirs)).toBeLessThanOrEqual(1e-3);
      });
    }
  }

  it("without turning, every orientation variant gives the stored pixels: what torchvision's ImageFolder (Image.open + convert('RGB'), no exif_transpose) reads", () => {
    // jpeg-orientation-1 is stored upright, so its PIL pixels are the stored ones of all eight.
    const stored = decodeImage(fixture('jpeg-orientation-1.pil-rgb.png')).data;
    for (let tag = 1; tag <= 8; tag++) {
      const raw = decodeImage(fixture(`jpeg-orientation-${tag}.jpg`), { applyOrientation: false });
      expect([raw.orientation, maxAbsDifference(raw.data, stored)], `orientation ${tag}`).toEqual([tag, 0]);
    }
  });

  it('gives the EXIF block of the file, and none when it has none', () => {
    expect(decodeJpeg(fixture('jpeg-orientation-6.jpg')).exif?.subarray(0, 4)).toEqual(Uint8Array.from([0x4d, 0x4d, 0, 42]));
    expect(decodeJpeg(fixture('jpeg-420.jpg')).exif).toBeUndefined();
  });

  it('refuses arithmetic coding, 12-bit samples, two components, a missing table or restart marker, and a cut file', () => {
    const baseline = fixture('jpeg-420.jpg');
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['arithmetic', patchAfterMarker(baseline, 0xc0, 1, 0xc9), /SOF9/],
      ['12-bit', patchAfterMarker(baseline, 0xc0, 4, 12), /12-bit samples/],
      ['two components', patchAfterMarker(baseline, 0xc0, 9, 2), /2 colour components/],
      ['missing table', patchAfterMarker(baseline, 0xc4, 4, 0x13), /Huffman table that is not defined/],
      ['cut', baseline.subarray(0, 900), /ends before its EOI|runs past the end/],
    ];
    for (const [name, bytes, message] of cases) {
      const error = thrownAttnkitError(() => decodeJpeg(bytes));
      expect(error, name).toMatchObject({ code: ErrorCodes.INVALID_FILE });
      expect(error.message, name).toMatch(message);
    }
    const restart = fixture('jpeg-restart-420.jpg');
    const withoutRestart = restart.slice();
    let first = -1;
    for (let i = 0; i + 1 < withoutRestart.length; i++) {
      if (withoutRestart[i] === 0xff && withoutRestart[i + 1] === 0xd0) {
        first = i;
        break;
      }
    }
    withoutRestart[first + 1] = 0xd3;
    expect(thrownAttnkitError(() => decodeJpeg(withoutRestart))).toMatchObject({ code: ErrorCodes.INVALID_FILE, message: expect.stringMatching(/RST0/) });
  });

  it('checks the size before it allocates pixels', () => {
    const seen: number[][] = [];
    expect(() =>
      decodeJpeg(fixture('jpeg-progressive-420.jpg'), (width, height) => {
        seen.push([width, height]);
        throw new Error('too large');
      }),
    ).toThrow('too large');
    expect(seen).toEqual([[301, 227]]);
  });
});
