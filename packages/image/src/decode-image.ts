import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { decodeJpeg } from './decode-jpeg.js';
import { applyOrientation, readExifOrientation } from './exif-orientation.js';
import type { RgbImage } from './rgb-image.js';

export type ImageFormat = 'jpeg' | 'png';

export interface DecodeImageOptions {
  /** Turn the picture upright per its EXIF orientation (JPEG). Default true. */
  applyOrientation?: boolean;
  /** Refuse pictures above this many megapixels before allocating them. Default 100. */
  maxMegapixels?: number;
  /** A name for error messages (a path or URL). */
  source?: string;
}

export interface DecodedImage extends RgbImage {
  format: ImageFormat;
  /** The EXIF orientation the file declared (1 = upright, also when it has none). */
  orientation: number;
}

/** The format from the file's signature bytes, or undefined. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((value, i) => bytes[i] === value)) return 'png';
  return undefined;
}

/**
 * A JPEG or PNG file as 8-bit RGB, upright. JPEG is decoded by `decodeJpeg` (pure TypeScript;
 * baseline and progressive; the same bytes as libjpeg-turbo, so as Pillow's
 * `Image.open(...).convert('RGB')`), PNG by fast-png (pure JS; grey, palette, alpha and 16-bit
 * become 8-bit RGB, alpha dropped as PIL's `convert('RGB')` does). Runs in browsers and Node alike.
 *
 * @throws AttnkitError INVALID_FILE for bytes that are neither format or do not decode;
 *   INVALID_OPTION for a picture above `maxMegapixels`.
 */
export function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): DecodedImage {
  const { source = 'image', maxMegapixels = 100 } = options;
  const format = detectImageFormat(bytes);
  if (format === undefined) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${source} is neither a JPEG nor a PNG (its first bytes are no JPEG or PNG signature); give a .jpg or .png picture`, {
      path: source,
    });
  }
  try {
    const decoded = format === 'jpeg' ? decodeJpegFile(bytes, maxMegapixels) : decodePngFile(bytes, maxMegapixels);
    const upright = options.applyOrientation === false ? decoded.image : applyOrientation(decoded.image, decoded.orientation);
    return { ...upright, format, orientation: decoded.orientation };
  } catch (error) {
    if (error instanceof AttnkitError) throw new AttnkitError(error.code, `${source}: ${error.message}`, { ...error.details, path: source });
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${source} is not a readable ${format.toUpperCase()} (${(error as Error).message})`, { path: source, format });
  }
}

function checkSize(width: number, height: number, maxMegapixels: number): void {
  if (width * height > maxMegapixels * 1e6) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `the picture is ${width} x ${height}, above the limit of ${maxMegapixels} megapixels; shrink it or raise maxMegapixels`, {
      value: [width, height],
      limit: maxMegapixels,
    });
  }
}

function decodeJpegFile(bytes: Uint8Array, maxMegapixels: number): { image: RgbImage; orientation: number } {
  const { exif, ...image } = decodeJpeg(bytes, (width, height) => checkSize(width, height, maxMegapixels));
  return { image, orientation: exif === undefined ? 1 : readExifOrientation(exif) };
}

function decodePngFile(bytes: Uint8Array, maxMegapixels: number): { image: RgbImage; orientation: number } {
  const png = decodePng(bytes);
  const { width, height } = png;
  checkSize(width, height, maxMegapixels);
  let channels = png.channels;
  let samples: ArrayLike<number> = png.data;
  let depth: number = png.depth;
  if (png.palette !== undefined) {
    samples = convertIndexedToRgb(png);
    channels = png.palette[0].length;
    depth = 8;
  } else if (depth < 8) {
    samples = unpackGrey(png.data as Uint8Array, width, height, depth);
    depth = 8;
  }
  const data = new Uint8Array(width * height * 3);
  // 16-bit samples keep their high byte, as PIL's conversion to 8-bit RGB does.
  const shift = depth === 16 ? 8 : 0;
  const grey = channels < 3;
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = samples[i * channels + (grey ? 0 : c)] >> shift;
  }
  return { image: { width, height, data }, orientation: 1 };
}

/** Grey samples of 1, 2 or 4 bits (rows padded to whole bytes) spread over 0..255. */
function unpackGrey(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const maximum = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const value = (packed[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & maximum;
      out[y * width + x] = Math.round((value * 255) / maximum);
    }
  }
  return out;
}
