/**
 * Runs in Chromium (bundled by tools/browser/run-in-browser.mjs): the "drop a photo, see the top
 * 5" path of a web page, without Node. Decodes the committed JPEG / PNG fixtures (served under
 * /fixtures/), preprocesses them with torchvision's and timm's pipelines, and fetches a weights
 * file twice through fetchWeights with the browser's Cache API. The Node side checks the values.
 */
import { cacheStorageWeightsCache, fetchWeights } from '@attnkit/zoo';
import { decodeImage, IMAGENET_LABELS, preprocessImage, resizeAndCrop, TORCHVISION_PREPROCESSING, timmPreprocessing, topClasses } from '../../src/index.js';

async function bytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(path)).arrayBuffer());
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export default async function run() {
  const jpeg = decodeImage(await bytes('/fixtures/photo/photo-orientation-6.jpg'));
  const pil = decodeImage(await bytes('/fixtures/photo/photo.pil-rgb.png'));
  const torchvisionCrop = decodeImage(await bytes('/fixtures/photo/photo-torchvision.crop.png'));
  const bicubicCrop = decodeImage(await bytes('/fixtures/photo/photo-timm-bicubic.crop.png'));
  const input = preprocessImage(jpeg, TORCHVISION_PREPROCESSING);

  const url = `${location.origin}/fixtures/photo/classify-resnet18-w4.safetensors`;
  const cache = cacheStorageWeightsCache('attnkit-weights-test');
  const first = await fetchWeights(url, { cache });
  const second = await fetchWeights(url, { cache, offline: true });
  const missing = await fetchWeights(`${location.origin}/fixtures/photo/none.safetensors`, { cache }).catch((error: { code: string }) => error.code);
  return {
    jpeg: { width: jpeg.width, height: jpeg.height, orientation: jpeg.orientation, checksum: jpeg.data.reduce((sum, v) => sum + v, 0) },
    torchvisionCropDifference: maxAbsDifference(resizeAndCrop(pil, TORCHVISION_PREPROCESSING).data, torchvisionCrop.data),
    bicubicCropDifference: maxAbsDifference(resizeAndCrop(pil, timmPreprocessing({ crop_pct: 0.95, interpolation: 'bicubic' })).data, bicubicCrop.data),
    inputShape: input.shape,
    inputSample: Array.from(input.data.subarray(0, 16)),
    top: topClasses([0, 1, 3, 2], 2, IMAGENET_LABELS).map((c) => c.label),
    weights: { firstFromCache: first.fromCache, secondFromCache: second.fromCache, length: second.bytes.length, same: maxAbsDifference(first.bytes, second.bytes) === 0 },
    missing,
  };
}
