export { type DecodedImage, type DecodeImageOptions, decodeImage, detectImageFormat, type ImageFormat } from './decode-image.js';
export { decodeJpeg, type JpegImage } from './decode-jpeg.js';
export { applyOrientation, readExifOrientation } from './exif-orientation.js';
export { IMAGENET_LABELS } from './imagenet-labels.js';
export {
  IMAGENET_MEAN,
  IMAGENET_STD,
  normalizeImage,
  PREPROCESSING_PIPELINES,
  type Preprocessing,
  type PreprocessingPipeline,
  preprocessImage,
  resizeAndCrop,
  type TimmPretrainedConfig,
  TORCHVISION_PREPROCESSING,
  timmPreprocessing,
} from './preprocess-image.js';
export { INTERPOLATIONS, type Interpolation, resizeImage } from './resize-image.js';
export type { RgbImage } from './rgb-image.js';
export { type ClassScore, topClasses } from './top-classes.js';
