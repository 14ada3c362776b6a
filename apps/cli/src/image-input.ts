import type { Tensor } from '@attnkit/core';
import { decodeImage, IMAGENET_MEAN, IMAGENET_STD, resizeAndCrop, normalizeImage, TORCHVISION_PREPROCESSING } from '@attnkit/image';

export { IMAGENET_MEAN, IMAGENET_STD };

/**
 * A JPEG or PNG as a network input [1, 3, height, width] (NCHW): decoded upright (EXIF
 * orientation), then torchvision's evaluation pipeline scaled to the input: the shorter side
 * resized to floor(size / 0.875) (256 for 224; Pillow's antialiased bilinear), the centre cropped,
 * ImageNet-normalized. The same tensor as `transforms.Resize(256), CenterCrop(224), ToTensor(),
 * Normalize(...)` at 224.
 */
export function imageToInput(bytes: Uint8Array, height: number, width: number, source = 'image'): Tensor {
  const size = Math.max(height, width);
  const square = resizeAndCrop(decodeImage(bytes, { source }), { ...TORCHVISION_PREPROCESSING, resizeSize: Math.floor(size / 0.875), cropSize: size });
  if (height === width) return normalizeImage(square, IMAGENET_MEAN, IMAGENET_STD);
  // A non-square input: the centre of the square crop.
  const top = Math.floor((size - height) / 2);
  const left = Math.floor((size - width) / 2);
  const data = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) data.set(square.data.subarray(((top + y) * size + left) * 3, ((top + y) * size + left + width) * 3), y * width * 3);
  return normalizeImage({ width, height, data }, IMAGENET_MEAN, IMAGENET_STD);
}
