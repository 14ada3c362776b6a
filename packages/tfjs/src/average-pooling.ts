import { type AvgPool2dAttributes, pooledSize } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Zeros needed below and to the right so every window of `a` lies inside: [bottom, right]. */
export function overhang(height: number, width: number, a: AvgPool2dAttributes): [number, number] {
  const oh = pooledSize(height, a.kernel[0], a.stride[0], a.ceilMode);
  const ow = pooledSize(width, a.kernel[1], a.stride[1], a.ceilMode);
  return [Math.max(0, (oh - 1) * a.stride[0] + a.kernel[0] - height), Math.max(0, (ow - 1) * a.stride[1] + a.kernel[1] - width)];
}

/**
 * core's `avgPool2d` on NHWC: one XNNPACK average pooling. Where ceil mode makes a window hang
 * over the edge, the input is zero-padded there and each clipped window's mean is rescaled by
 * (window size / values inside), so it averages only real values as PyTorch does.
 */
export function averagePool(x: tf.Tensor4D, a: AvgPool2dAttributes): tf.Tensor4D {
  const [, height, width] = x.shape;
  const [bottom, right] = overhang(height, width, a);
  const kernel: [number, number] = [a.kernel[0], a.kernel[1]];
  const stride: [number, number] = [a.stride[0], a.stride[1]];
  if (bottom === 0 && right === 0) return tf.avgPool(x, kernel, stride, 'valid');
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], [0, bottom], [0, right], [0, 0]]);
    const means = tf.avgPool(padded, kernel, stride, 'valid');
    const [, oh, ow] = means.shape;
    const scale = new Float32Array(oh * ow);
    for (let y = 0; y < oh; y++) {
      const rows = Math.min(y * stride[0] + kernel[0], height) - y * stride[0];
      for (let xo = 0; xo < ow; xo++) {
        const columns = Math.min(xo * stride[1] + kernel[1], width) - xo * stride[1];
        scale[y * ow + xo] = (kernel[0] * kernel[1]) / (rows * columns);
      }
    }
    return tf.mul(means, tf.tensor4d(scale, [1, oh, ow, 1]));
  });
}

export interface AveragePooling2DArgs {
  kernel: [number, number];
  stride: [number, number];
  ceilMode: boolean;
  name?: string;
}

/**
 * PyTorch's `AvgPool2d(ceil_mode=True)` as a tfjs layer, for inputs where a window hangs over
 * the edge (tfjs's AveragePooling2D has no ceil mode; where no window overhangs, the model
 * builder uses AveragePooling2D itself).
 */
export class CeilAveragePooling2D extends tfl.layers.Layer {
  static className = 'AttnkitCeilAveragePooling2D';
  readonly attributes: AvgPool2dAttributes;

  constructor(args: AveragePooling2DArgs) {
    super({ name: args.name });
    this.attributes = { kernel: args.kernel, stride: args.stride, ceilMode: args.ceilMode };
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w, c] = inputShape as tfl.Shape;
    const { kernel, stride, ceilMode } = this.attributes;
    return [n, h === null ? null : pooledSize(h, kernel[0], stride[0], ceilMode), w === null ? null : pooledSize(w, kernel[1], stride[1], ceilMode), c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return averagePool((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, this.attributes);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { kernel, stride, ceilMode } = this.attributes;
    return { ...super.getConfig(), kernel: [...kernel], stride: [...stride], ceilMode };
  }
}
tf.serialization.registerClass(CeilAveragePooling2D);
