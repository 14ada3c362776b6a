/**
 * EXIF orientation (TIFF tag 0x0112) and the transposition that displays a picture upright, as
 * Pillow's `ImageOps.exif_transpose` does. Cameras store pixels as the sensor read them and put
 * the rotation in this tag; torchvision does not apply it, so a pipeline that wants the upright
 * photo applies it before resizing.
 *
 * NOTE: read by hand rather than with an EXIF library (exifr): the tag is one 2-byte entry in the
 * first IFD, the JPEG decoder already hands over the APP1 payload, and a library would add an asynchronous
 * API and ~40 KB to a browser bundle for it.
 */
import type { RgbImage } from './rgb-image.js';

/** The orientation in a TIFF block (the EXIF APP1 payload after `Exif\0\0`); 1 (upright) when absent or unreadable. */
export function readExifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return 1;
  const little = order === 0x4949;
  if (view.getUint16(2, little) !== 42) return 1;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return 1;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    // Type 3 (SHORT), count 1: the value sits in the first two bytes of the value field.
    if (view.getUint16(entry, little) === 0x0112 && view.getUint16(entry + 2, little) === 3) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** The upright picture for an EXIF orientation 1..8 (1 returns `image` itself). */
export function applyOrientation(image: RgbImage, orientation: number): RgbImage {
  if (orientation < 2 || orientation > 8) return image;
  const { width, height, data } = image;
  // Orientations 5..8 swap the axes.
  const swap = orientation >= 5;
  const outWidth = swap ? height : width;
  const outHeight = swap ? width : height;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: // mirrored
          [sx, sy] = [width - 1 - x, y];
          break;
        case 3: // rotated 180
          [sx, sy] = [width - 1 - x, height - 1 - y];
          break;
        case 4: // mirrored vertically
          [sx, sy] = [x, height - 1 - y];
          break;
        case 5: // transposed
          [sx, sy] = [y, x];
          break;
        case 6: // stored rotated 90 counter-clockwise: turn clockwise
          [sx, sy] = [y, height - 1 - x];
          break;
        case 7: // transversed
          [sx, sy] = [width - 1 - y, height - 1 - x];
          break;
        default: // 8: stored rotated 90 clockwise: turn counter-clockwise
          [sx, sy] = [width - 1 - y, x];
      }
      const source = (sy * width + sx) * 3;
      const target = (y * outWidth + x) * 3;
      out[target] = data[source];
      out[target + 1] = data[source + 1];
      out[target + 2] = data[source + 2];
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}
