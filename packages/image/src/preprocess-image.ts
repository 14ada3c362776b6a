/**
 * ImageNet evaluation preprocessing, as the published accuracies were measured: resize the shorter
 * side (Pillow's antialiased resampling, `resize-image.ts`), crop the centre, scale to [0, 1],
 * normalize per channel. Two presets, with parameters spelled out so the output can show them:
 * - torchvision: `Resize(256)`, `CenterCrop(224)`, bilinear, ImageNet mean / std (the weights'
 *   `transforms()` of every torchvision classifier);
 * - timm: `transforms_imagenet_eval` with a model's pretrained config: resize to
 *   `floor(size / crop_pct)`, crop `size`, its `interpolation`, `mean`, `std`.
 */
import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { INTERPOLATIONS, type Interpolation, resizeImage } from './resize-image.js';
import type { RgbImage } from './rgb-image.js';

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

export type PreprocessingPipeline = 'torchvision' | 'timm';
export const PREPROCESSING_PIPELINES: readonly PreprocessingPipeline[] = ['torchvision', 'timm'];

/** Everything that decides the input tensor; `classify --json` prints it. */
export interface Preprocessing {
  pipeline: PreprocessingPipeline;
  /** The shorter side after resizing. */
  resizeSize: number;
  /** The square centre crop: the network input is [1, 3, cropSize, cropSize]. */
  cropSize: number;
  interpolation: Interpolation;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** timm's crop fraction (`cropSize / crop_pct` is the resize before flooring). */
  cropPct?: number;
}

/** The fields of timm's `pretrained_cfg` that evaluation reads (timm's names). */
export interface TimmPretrainedConfig {
  input_size?: readonly number[];
  crop_pct?: number;
  interpolation?: string;
  mean?: readonly number[];
  std?: readonly number[];
}

export const TORCHVISION_PREPROCESSING: Preprocessing = {
  pipeline: 'torchvision',
  resizeSize: 256,
  cropSize: 224,
  interpolation: 'bilinear',
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
};

// timm's `_cfg` defaults for ResNets (timm/models/resnet.py): 224, crop_pct 0.875, bilinear.
const TIMM_DEFAULTS = { input_size: [3, 224, 224], crop_pct: 0.875, interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD };

function invalid(path: string, value: unknown, expected: string): AttnkitError {
  return new AttnkitError(ErrorCodes.INVALID_OPTION, `pretrained config ${path} is ${JSON.stringify(value)}; expected ${expected}`, { path, value });
}

function triple(path: string, value: readonly number[]): [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw invalid(path, value, 'three finite numbers (R, G, B)');
  }
  if (path === 'std' && value.some((v) => v <= 0)) throw invalid(path, value, 'three numbers > 0');
  return [value[0], value[1], value[2]];
}

/** timm's evaluation preprocessing for a pretrained config (missing fields take timm's ResNet defaults). */
export function timmPreprocessing(config: TimmPretrainedConfig = {}): Preprocessing {
  const merged = { ...TIMM_DEFAULTS, ...config };
  const size = merged.input_size;
  if (!Array.isArray(size) || size.length !== 3 || size[1] !== size[2] || !Number.isInteger(size[1]) || size[1] < 1) {
    throw invalid('input_size', size, 'a square [3, size, size]');
  }
  const cropPct = merged.crop_pct;
  if (typeof cropPct !== 'number' || !(cropPct > 0 && cropPct <= 1)) throw invalid('crop_pct', cropPct, 'a number in (0, 1]');
  const interpolation = merged.interpolation as Interpolation;
  if (!INTERPOLATIONS.includes(interpolation)) throw invalid('interpolation', merged.interpolation, INTERPOLATIONS.join(' or '));
  return {
    pipeline: 'timm',
    resizeSize: Math.floor(size[1] / cropPct),
    cropSize: size[1],
    interpolation,
    mean: triple('mean', merged.mean),
    std: triple('std', merged.std),
    cropPct,
  };
}

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop rounds this way). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The resized, centre-cropped 8-bit picture (what torchvision's pipeline holds before ToTensor). */
export function resizeAndCrop(image: RgbImage, preprocessing: Preprocessing): RgbImage {
  const { resizeSize, cropSize, interpolation } = preprocessing;
  if (!Number.isInteger(cropSize) || cropSize < 1 || !Number.isInteger(resizeSize) || resizeSize < cropSize) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `resize ${resizeSize} and crop ${cropSize} must be whole pixels with resize >= crop >= 1`, {
      path: 'preprocessing',
      value: { resizeSize, cropSize },
    });
  }
  // torchvision's Resize(int): the shorter side becomes resizeSize, the longer one int(size * long / short).
  const { width, height } = image;
  const landscape = width >= height;
  const short = landscape ? height : width;
  const long = Math.trunc((resizeSize * (landscape ? width : height)) / short);
  const resized = resizeImage(image, landscape ? long : resizeSize, landscape ? resizeSize : long, interpolation);
  const top = roundHalfEven((resized.height - cropSize) / 2);
  const left = roundHalfEven((resized.width - cropSize) / 2);
  const data = new Uint8Array(cropSize * cropSize * 3);
  for (let y = 0; y < cropSize; y++) {
    const start = ((top + y) * resized.width + left) * 3;
    data.set(resized.data.subarray(start, start + cropSize * 3), y * cropSize * 3);
  }
  return { width: cropSize, height: cropSize, data };
}

/** An 8-bit picture as [1, 3, H, W] float32: ToTensor (/ 255) then Normalize, in float32 as torch does. */
export function normalizeImage(image: RgbImage, mean: readonly number[], std: readonly number[]): Tensor {
  const { width, height, data } = image;
  const out = new Float32Array(3 * width * height);
  const plane = width * height;
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(mean[c]);
    const s = Math.fround(std[c]);
    for (let i = 0; i < plane; i++) out[c * plane + i] = Math.fround(Math.fround(Math.fround(data[i * 3 + c] / 255) - m) / s);
  }
  return { shape: [1, 3, height, width], data: out };
}

/** A decoded picture as the network input of an ImageNet evaluation: [1, 3, cropSize, cropSize]. */
export function preprocessImage(image: RgbImage, preprocessing: Preprocessing = TORCHVISION_PREPROCESSING): Tensor {
  return normalizeImage(resizeAndCrop(image, preprocessing), preprocessing.mean, preprocessing.std);
}
