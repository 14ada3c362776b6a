/**
 * Parameter layouts: PyTorch's canonical layout (what core's `ParamSpec` declares and checkpoints
 * hold) to the layout tfjs ops take, and back. Pure index arithmetic, no tfjs import.
 *
 * | ParamLayout | canonical (PyTorch)          | tfjs                                      |
 * |-------------|------------------------------|-------------------------------------------|
 * | `conv2d`    | OIHW `[O, I/g, kh, kw]`      | HWIO `[kh, kw, I/g, O]`                   |
 * | `conv2d`, depthwise (`groups` given, I/g = 1) | `[C*m, 1, kh, kw]` | `[kh, kw, C, m]` (tf.depthwiseConv2d) |
 * | `conv1d`    | `[O, I/g, k]`                | `[k, I/g, O]` (tf.conv1d's filter layout) |
 * | `linear`    | `[out, in]`                  | `[in, out]`                               |
 * | `vector`    | `[C]`                        | `[C]`                                     |
 *
 * NOTE: a depthwise kernel `[kh, kw, C, m]` and the HWIO kernel `[kh, kw, 1, C*m]` of the same
 * canonical weight hold the same values in the same order; only the shape differs. `tfjsOps`
 * accepts either, so `groups` only matters to callers that hand the kernel to a tfjs
 * DepthwiseConv2D layer.
 */
import { AttnkitError, ErrorCodes, type ParamSpec, type Shape, type Tensor, formatShape, shapesEqual, sizeOf } from '@attnkit/core';

/** A tensor in tfjs layout, as plain data (ready for `tf.tensor(data, shape)`). */
export interface TfjsTensorData {
  readonly shape: Shape;
  readonly data: Float32Array;
}

export interface LayoutOptions {
  /**
   * Groups of a `conv2d` parameter. With groups > 1 and one input channel per group (a
   * depthwise convolution), the tfjs shape is `[kh, kw, groups, out / groups]`.
   */
  groups?: number;
}

/** The tfjs shape of a parameter declared with `spec`. */
export function tfjsShape(spec: ParamSpec, options: LayoutOptions = {}): Shape {
  const s = spec.shape;
  switch (spec.layout) {
    case 'conv2d': {
      const [o, ig, kh, kw] = s;
      const groups = options.groups ?? 1;
      if (groups > 1 && ig === 1) return [kh, kw, groups, o / groups];
      return [kh, kw, ig, o];
    }
    case 'conv1d':
      return [s[2], s[1], s[0]];
    case 'linear':
      return [s[1], s[0]];
    case 'vector':
      return [...s];
    case 'channels':
      return [1, 1, 1, s[1]];
  }
}

/** Canonical (PyTorch) tensor -> tfjs layout. */
export function toTfjsLayout(spec: ParamSpec, canonical: Tensor, options: LayoutOptions = {}): TfjsTensorData {
  checkShape(spec, canonical.shape, spec.shape, 'canonical');
  return { shape: tfjsShape(spec, options), data: permute(spec, canonical.data, 'to-tfjs') };
}

/** tfjs-layout tensor -> canonical (PyTorch) layout. */
export function fromTfjsLayout(spec: ParamSpec, value: TfjsTensorData, options: LayoutOptions = {}): Tensor {
  checkShape(spec, value.shape, tfjsShape(spec, options), 'tfjs');
  return { shape: [...spec.shape], data: permute(spec, value.data, 'from-tfjs') };
}

function checkShape(spec: ParamSpec, actual: Shape, expected: Shape, which: string): void {
  if (!shapesEqual(actual, expected)) {
    throw new AttnkitError(
      ErrorCodes.SHAPE_MISMATCH,
      `parameter '${spec.name}' (${spec.layout}) must have ${which} shape ${formatShape(expected)}, got ${formatShape(actual)}`,
      { name: spec.name, expected, actual },
    );
  }
}

/**
 * Every layout is a transpose of the canonical axes: conv2d (2, 3, 1, 0), conv1d (2, 1, 0),
 * linear (1, 0). `canonicalIndex(tfjsIndex)` walks the tfjs tensor in order.
 */
function permute(spec: ParamSpec, source: Float32Array, direction: 'to-tfjs' | 'from-tfjs'): Float32Array {
  const out = new Float32Array(sizeOf(spec.shape));
  const s = spec.shape;
  let t = 0;
  const copy = (canonical: number): void => {
    if (direction === 'to-tfjs') out[t] = source[canonical];
    else out[canonical] = source[t];
    t++;
  };
  switch (spec.layout) {
    case 'conv2d': {
      const [o, ig, kh, kw] = s;
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ig; i++) for (let c = 0; c < o; c++) copy(((c * ig + i) * kh + y) * kw + x);
      break;
    }
    case 'conv1d': {
      const [o, ig, k] = s;
      for (let j = 0; j < k; j++) for (let i = 0; i < ig; i++) for (let c = 0; c < o; c++) copy((c * ig + i) * k + j);
      break;
    }
    case 'linear': {
      const [o, inF] = s;
      for (let i = 0; i < inF; i++) for (let c = 0; c < o; c++) copy(c * inF + i);
      break;
    }
    case 'vector':
    case 'channels':
      out.set(source);
      break;
  }
  return out;
}
