import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The lowest float32: stands in for -inf, which JSON (model.json) cannot hold. */
export const LOWEST_FLOAT32 = -3.4028234663852886e38;

export interface MaxPoolPadding2DArgs {
  /** `[[top, bottom], [left, right]]`, NHWC. */
  padding: [[number, number], [number, number]];
  name?: string;
}

/**
 * Pads H and W of an NHWC tensor with the lowest float32, so a following "valid" max pooling
 * equals PyTorch's `MaxPool2d(padding=p)`, which pads with -inf. ZeroPadding2D is exact only
 * when the input is known to be >= 0 (after a ReLU); this layer is for every other input.
 */
export class MaxPoolPadding2D extends tfl.layers.Layer {
  static className = 'AttnkitMaxPoolPadding2D';
  readonly padding: [[number, number], [number, number]];

  constructor(args: MaxPoolPadding2DArgs) {
    super({ name: args.name });
    this.padding = args.padding;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [n, h, w, c] = inputShape as tfl.Shape;
    const [[top, bottom], [left, right]] = this.padding;
    return [n, h === null ? null : h + top + bottom, w === null ? null : w + left + right, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [[top, bottom], [left, right]] = this.padding;
    return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], LOWEST_FLOAT32);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}
tf.serialization.registerClass(MaxPoolPadding2D);
