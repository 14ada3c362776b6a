import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { PNG } from 'pngjs';

/** torchvision's ImageNet normalization, which torchvision and timm classifiers expect. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * A PNG as a network input [1, 3, height, width] (NCHW, canonical): RGB, the shorter side resized
 * to the target (bilinear, half-pixel centres, as torchvision's Resize without antialiasing),
 * centre-cropped, scaled to [0, 1] and normalized with the ImageNet mean and std. Alpha is
 * ignored; grey and palette images become RGB.
 */
export function imageToInput(png: Uint8Array, height: number, width: number, source = 'image'): Tensor {
  let image: PNG;
  try {
    image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch (error) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `${source} is not a readable PNG (${(error as Error).message}); give a .png image or --input random`,
      { path: source },
    );
  }
  const { width: w0, height: h0, data } = image;
  // Resize so that the shorter side matches the crop's larger side, then crop the centre.
  const scale = Math.max(height / h0, width / w0);
  const resizedH = Math.max(height, Math.round(h0 * scale));
  const resizedW = Math.max(width, Math.round(w0 * scale));
  const top = Math.floor((resizedH - height) / 2);
  const left = Math.floor((resizedW - width) / 2);
  const out = new Float32Array(3 * height * width);
  const sample = (y: number, x: number, c: number) => data[(y * w0 + x) * 4 + c];
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max(((y + top + 0.5) * h0) / resizedH - 0.5, 0), h0 - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, h0 - 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max(((x + left + 0.5) * w0) / resizedW - 0.5, 0), w0 - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, w0 - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top2 = sample(y0, x0, c) * (1 - fx) + sample(y0, x1, c) * fx;
        const bottom = sample(y1, x0, c) * (1 - fx) + sample(y1, x1, c) * fx;
        const value = (top2 * (1 - fy) + bottom * fy) / 255;
        out[(c * height + y) * width + x] = (value - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
      }
    }
  }
  return { shape: [1, 3, height, width], data: out };
}
