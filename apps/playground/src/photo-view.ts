/**
 * "Drop a photo, see the top 5", as `attnkit classify` does: the photo (JPEG with its EXIF
 * orientation, or PNG) decoded and preprocessed by @attnkit/image (the bytes of libjpeg-turbo,
 * torchvision's or timm's evaluation pipeline), a zoo classifier with weights from a dropped
 * checkpoint (.safetensors or .pth) or a URL (kept in the Cache API), one forward pass on the
 * chosen browser backend, softmax, the 5 best ImageNet-1k classes (or the checkpoint's own
 * `label_names`), and the preprocessing that made the input.
 */
import { type AttentionSpec, listAttention, traceNetwork } from '@attnkit/core';
import { decodeImage, IMAGENET_LABELS, preprocessImage, type RgbImage, topClasses } from '@attnkit/image';
import { type AnyBackboneOptions, cacheStorageWeightsCache, createBackbone, fetchWeights, listBackbones, loadWeights } from '@attnkit/zoo';
import type { BenchBackend } from '../../cli/src/bench/bench-backend.js';
import { choosePreprocessing, weightsFileMetadata } from '../../cli/src/classify-metadata.js';
import type { BrowserBackendName } from './browser-backends.js';
import { acceptDrops, element, labelled, runMarked, table } from './dom.js';

/** The attention choice that keeps the network's own (none, or timm's ECA / SE). */
const OWN_ATTENTION = 'default';

/** The decoded photo on a canvas, as the network saw it before resizing (upright). */
function photoCanvas(image: RgbImage): HTMLCanvasElement {
  const canvas = element('canvas', { width: image.width, height: image.height });
  const pixels = new ImageData(image.width, image.height);
  for (let i = 0; i < image.width * image.height; i++) {
    pixels.data.set(image.data.subarray(i * 3, i * 3 + 3), i * 4);
    pixels.data[i * 4 + 3] = 255;
  }
  (canvas.getContext('2d') as CanvasRenderingContext2D).putImageData(pixels, 0, 0);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `the photo, ${image.width} x ${image.height}, upright`);
  return canvas;
}

export function createPhotoView(root: HTMLElement, backends: Record<BrowserBackendName, BenchBackend>): void {
  const backbone = element('select');
  for (const name of listBackbones()) backbone.add(new Option(name, name, false, name === 'resnet50'));
  const attention = element('select');
  attention.add(new Option("the network's own", OWN_ATTENTION));
  attention.add(new Option('none', 'none'));
  for (const definition of listAttention()) attention.add(new Option(definition.id, definition.id));
  const width = element('input', { type: 'number', min: '1', placeholder: '64 (ResNet)' });
  const classes = element('input', { type: 'number', min: '1', value: '1000' });
  const weightsFile = element('input', { type: 'file', accept: '.safetensors,.pth,.tar,.pt,.bin' });
  const weightsUrl = element('input', { type: 'url', placeholder: 'https://…/model.safetensors or hf://owner/repo' });
  const preprocess = element('select');
  for (const [value, text] of [
    ['auto', "auto (timm's if the weights carry its config)"],
    ['torchvision', 'torchvision (256, crop 224)'],
    ['timm', "timm (the weights' pretrained_cfg)"],
  ]) {
    preprocess.add(new Option(text, value));
  }
  const backend = element('select');
  for (const name of Object.keys(backends)) backend.add(new Option(name, name, false, name === 'onnx-wasm'));
  const photoFile = element('input', { type: 'file', accept: '.jpg,.jpeg,.png,image/jpeg,image/png' });
  const zone = element('div', { className: 'drop-zone', textContent: 'Drop a photo (.jpg or .png) here' });
  const classify = element('button', { type: 'button', textContent: 'Classify again' });
  const status = element('p', { className: 'note' });
  status.setAttribute('role', 'status');
  const output = element('div', { className: 'photo-output' });
  root.append(
    element('p', {}, 'The same as `attnkit classify`: choose the network and its pretrained weights, then drop a photo. Nothing leaves the page; a URL is downloaded once and kept in the browser cache.'),
    element('div', { className: 'row' }, labelled('photo-backbone', 'Backbone', backbone), labelled('photo-attention', 'Attention', attention), labelled('photo-width', 'Width (optional)', width), labelled('photo-classes', 'Classes', classes)),
    element('div', { className: 'row' }, labelled('photo-weights', 'Weights file', weightsFile), labelled('photo-weights-url', 'Or weights URL', weightsUrl)),
    element('div', { className: 'row' }, labelled('photo-preprocess', 'Preprocessing', preprocess), labelled('photo-backend', 'Backend', backend)),
    zone,
    element('div', { className: 'row' }, labelled('photo-file', 'Choose a photo', photoFile), classify),
    status,
    output,
  );

  let photo: File | undefined;
  const run = () => {
    if (photo === undefined) {
      status.textContent = 'Choose or drop a photo first.';
      return;
    }
    const file = photo;
    output.replaceChildren();
    status.textContent = `Classifying ${file.name}…`;
    runMarked('photo', status, output, () => classifyPhoto(file));
  };
  const choose = (file: File | undefined) => {
    if (file === undefined) return;
    photo = file;
    run();
  };
  photoFile.addEventListener('change', () => choose(photoFile.files?.[0]));
  classify.addEventListener('click', run);
  acceptDrops(zone, (files) => choose(files[0]));

  async function weightsBytes(): Promise<{ bytes: Uint8Array; label: string }> {
    const file = weightsFile.files?.[0];
    if (file !== undefined) return { bytes: new Uint8Array(await file.arrayBuffer()), label: file.name };
    const url = weightsUrl.value.trim();
    if (url === '') throw new Error('choose a weights file or give a weights URL: a classifier with seeded weights names nothing');
    status.textContent = `Downloading ${url}…`;
    const fetched = await fetchWeights(url, {
      cache: cacheStorageWeightsCache(),
      onProgress: (received, total) => {
        status.textContent = `Downloading ${url}: ${(received / 1024 ** 2).toFixed(1)}${total ? ` of ${(total / 1024 ** 2).toFixed(1)}` : ''} MiB`;
      },
    });
    return { bytes: fetched.bytes, label: `${fetched.url}${fetched.fromCache ? ' (from the browser cache)' : ''}` };
  }

  async function classifyPhoto(file: File) {
    const image = decodeImage(new Uint8Array(await file.arrayBuffer()), { source: file.name });
    const weights = await weightsBytes();
    const metadata = weightsFileMetadata(weights.bytes, weights.label);
    const preprocessing = choosePreprocessing(preprocess.value === 'auto' ? undefined : preprocess.value, metadata);
    const input = preprocessImage(image, preprocessing);
    const options: Record<string, unknown> = { numClasses: Number(classes.value) || 1000 };
    if (width.value !== '') options.width = Number(width.value);
    if (attention.value !== OWN_ATTENTION) options.attention = attention.value === 'none' ? null : (attention.value as AttentionSpec);
    const network = createBackbone(backbone.value, options as AnyBackboneOptions);
    const graph = traceNetwork(network, input.shape);
    const loaded = loadWeights(network, weights.bytes);
    status.textContent = `Running ${backbone.value} on ${backend.value}…`;
    const chosen = backends[backend.value as BrowserBackendName];
    const prepared = await chosen.prepare({ model: { kind: 'graph', graph, weights: loaded.weights }, attention: undefined, variant: chosen.variants[0], inputShape: input.shape, seed: 0, threads: 1 });
    let logits: Float32Array;
    let latency: number;
    try {
      await prepared.activate?.();
      const started = performance.now();
      logits = await prepared.run(input);
      latency = performance.now() - started;
    } finally {
      await prepared.dispose();
    }
    const modelLabels = metadata.labelNames?.length === logits.length ? metadata.labelNames : undefined;
    const labels = modelLabels ?? (logits.length === IMAGENET_LABELS.length ? IMAGENET_LABELS : []);
    const top = topClasses(logits, 5, labels);
    const p = preprocessing;
    // The exact scores for scripts and tests; the table rounds them.
    output.dataset.top = JSON.stringify(top);
    output.append(
      element('figure', { className: 'photo' }, photoCanvas(image), element('figcaption', { textContent: `${file.name}: ${image.width} x ${image.height}, ${image.format.toUpperCase()}${image.orientation === 1 ? '' : `, EXIF orientation ${image.orientation} applied`}` })),
      table(
        `Top 5 of ${backbone.value} (${modelLabels ? "the weights' own labels" : labels.length ? 'ImageNet-1k labels' : 'no labels'})`,
        ['rank', 'class', 'label', 'probability'],
        top.map((c, i) => [String(i + 1), String(c.index), c.label, `${(c.probability * 100).toFixed(2)}%`]),
        'photo-top',
      ),
      element('p', { className: 'photo-preprocessing' }, `Preprocessing ${p.pipeline}: resize ${p.resizeSize} ${p.interpolation}, crop ${p.cropSize}${p.cropPct === undefined ? '' : ` (crop_pct ${p.cropPct})`}, mean [${p.mean.join(', ')}], std [${p.std.join(', ')}]`),
    );
    status.textContent = `${weights.label}: ${loaded.weights.size} tensors (convention ${loaded.convention}); ${backend.value}, ${latency.toFixed(0)} ms for the forward pass.`;
  }
}
