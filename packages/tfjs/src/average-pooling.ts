import { type AvgPool2dAttributes, fullAvgPool2dAttributes, pooledSize } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Zeros around x so that every window of `a` lies inside: the padding on every side plus, in
 * ceil mode, what the last window hangs over the bottom / right edge. [top, bottom, left, right].
 */
export function averagePoolPadding(height: number, width: number, attributes: AvgPool2dAttributes): [number, number, number, number] {
  const { kernel, stride, padding, ceilMode } = fullAvgPool2dAttributes(attributes);
  const oh = pooledSize(height, kernel[0], stride[0], ceilMode, padding[0]);
  const ow = pooledSize(width, kernel[1], stride[1], ceilMode, padding[1]);
  const bottom = Math.max(0, (oh - 1) * stride[0] + kernel[0] - height - padding[0]);
  const right = Math.max(0, (ow - 1) * stride[1] + kernel[1] - width - padding[1]);
  return [padding[0], bottom, padding[1], right];
}

/**
 * core's `avgPool2d` on NHWC: one XNNPACK average pooling. Where padding or ceil mode puts part
 * of a window outside x, x is zero-padded there and each such window's mean is rescaled by
 * (window size / values inside), so it averages only real values as PyTorch does with
 * count_include_pad=False.
 */
export function averagePool(x: tf.Tensor4D, attributes: AvgPool2dAttributes): tf.Tensor4D {
  const [, height, width] = x.shape;
  const { kernel, stride } = fullAvgPool2dAttributes(attributes);
  const [top, bottom, left, right] = averagePoolPadding(height, width, attributes);
  const window: [number, number] = [kernel[0], kernel[1]];
  const strides: [number, number] = [stride[0], stride[1]];
  if (top + bottom + left + right === 0) return tf.avgPool(x, window, strides, 'valid');
  return tf.tidy(() => {
    const padded = tf.pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    const means = tf.avgPool(padded, window, strides, 'valid');
    const [, oh, ow] = means.shape;
    const inside = (o: number, s: number, before: number, k: number, size: number) => Math.min(size, o * s - before + k) - Math.max(0, o * s - before);
    const scale = new Float32Array(oh * ow);
    for (let y = 0; y < oh; y++) {
      const rows = inside(y, strides[0], top, window[0], height);
      for (let xo = 0; xo < ow; xo++) scale[y * ow + xo] = (window[0] * window[1]) / (rows * inside(xo, strides[1], left, window[1], width));
    }
    return tf.mul(means, tf.tensor4d(scale, [1, oh, ow, 1]));
  });
}

export interface AveragePooling2DArgs {
  kernel: [number, number];
  stride: [number, number];
  padding?: [number, number];
  ceilMode?: boolean;
  name?: string;
}

/**
 * PyTorch's `AvgPool2d(padding, ceil_mode, count_include_pad=False)` as a tfjs layer, for inputs
 * where a window reaches outside x (tfjs's AveragePooling2D has neither; where every window lies
 * inside, the model builder uses AveragePooling2D itself).
 */
export class CeilAveragePooling2D extends tfl.layers.Layer {
  static className = 'AttnkitCeilAveragePooling2D';
  readonly attributes: Required<AvgPool2dAttributes>;

  constructor(args: AveragePooling2DArgs) {
    super({ name: args.name });
    this.attributes = fullAvgPool2dAttributes({ kernel: args.kernel, stride: args.stride, padding: args.padding, ceilMode: args.ceilMode });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w, c] = inputShape as tfl.Shape;
    const { kernel, stride, padding, ceilMode } = this.attributes;
    return [n, h === null ? null : pooledSize(h, kernel[0], stride[0], ceilMode, padding[0]), w === null ? null : pooledSize(w, kernel[1], stride[1], ceilMode, padding[1]), c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return averagePool((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, this.attributes);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { kernel, stride, padding, ceilMode } = this.attributes;
    return { ...super.getConfig(), kernel: [...kernel], stride: [...stride], padding: [...padding], ceilMode };
  }
}
tf.serialization.registerClass(CeilAveragePooling2D);
