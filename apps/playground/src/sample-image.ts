/**
 * The sample image, drawn here (nothing is downloaded): a warm disk on a sky gradient with a
 * striped band, so channel and spatial attention have colours and edges to respond to.
 */
import type { Tensor } from '@attnkit/core';

/** ImageNet normalization (torchvision's), as the zoo's networks expect. */
const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];

export function drawSampleImage(size: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  const sky = context.createLinearGradient(0, 0, 0, size);
  sky.addColorStop(0, '#7dd3fc');
  sky.addColorStop(1, '#1e3a8a');
  context.fillStyle = sky;
  context.fillRect(0, 0, size, size);
  context.fillStyle = '#f97316';
  context.beginPath();
  context.arc(size * 0.62, size * 0.38, size * 0.2, 0, 2 * Math.PI);
  context.fill();
  for (let i = 0; i < 6; i++) {
    context.fillStyle = i % 2 ? '#166534' : '#facc15';
    context.fillRect(0, size * (0.72 + i * 0.045), size, size * 0.045);
  }
  return canvas;
}

/** The canvas as a normalized `[1, 3, H, W]` tensor. */
export function imageTensor(canvas: HTMLCanvasElement, height = canvas.height, width = canvas.width): Tensor {
  const scaled = document.createElement('canvas');
  scaled.width = width;
  scaled.height = height;
  const context = scaled.getContext('2d') as CanvasRenderingContext2D;
  context.drawImage(canvas, 0, 0, width, height);
  const pixels = context.getImageData(0, 0, width, height).data;
  const data = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < height * width; i++) data[c * height * width + i] = (pixels[i * 4 + c] / 255 - mean[c]) / std[c];
  }
  return { shape: [1, 3, height, width], data };
}
