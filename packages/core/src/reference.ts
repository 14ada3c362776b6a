import { AttnkitError, ErrorCodes } from './errors.js';
import type { NetworkDefinition } from './network.js';
import { withDerivedOps } from './derived-ops.js';
import { asNchw, broadcastShape, broadcastStrides } from './broadcast.js';
import { type AvgPool2dAttributes, type BatchNormAttributes, type BatchNormParams, type ChannelPadding, type Conv2dAttributes, type MaxPool2dAttributes, type OpName, type Ops, type PrimitiveOps, type SpatialAxis, fullAvgPool2dAttributes, pooledSize } from './ops.js';
import type { ParamSpec } from './parameter.js';
import { Scope } from './scope.js';
import { type Tensor, formatShape, shapesEqual, sizeOf } from './tensor.js';

const make = (shape: readonly number[]): Tensor => ({ shape: [...shape], data: new Float32Array(sizeOf(shape)) });

function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = make(x.shape);
  for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i]);
  return out;
}

/**
 * The reference interpreter: plain Float32Array math in NCHW, written for obviousness rather
 * than speed. Every other backend is checked against it. Sums accumulate in float64. The
 * derived ops are their compositions (no overrides): what the reference computes is what core
 * defines them as.
 */
const referencePrimitives = {
  shape: (x) => x.shape,

  conv2d(x, weight, bias, a: Conv2dAttributes) {
    const [n, c, h, w] = x.shape;
    const [o, ig, kh, kw] = weight.shape;
    const [sh, sw] = a.stride;
    const [ph, pw] = a.padding;
    const [dh, dw] = a.dilation;
    const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
    const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
    const og = o / a.groups;
    const out = make([n, o, oh, ow]);
    const acc = new Float64Array(oh * ow);
    for (let b = 0; b < n; b++) {
      for (let oc = 0; oc < o; oc++) {
        acc.fill(bias === undefined ? 0 : bias.data[oc]);
        const g = Math.floor(oc / og);
        for (let icg = 0; icg < ig; icg++) {
          const ic = g * ig + icg;
          const plane = (b * c + ic) * h * w;
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const wv = weight.data[((oc * ig + icg) * kh + ky) * kw + kx];
              if (wv === 0) continue;
              for (let y = 0; y < oh; y++) {
                const iy = y * sh - ph + ky * dh;
                if (iy < 0 || iy >= h) continue;
                const row = plane + iy * w;
                const accRow = y * ow;
                for (let xo = 0; xo < ow; xo++) {
                  const ix = xo * sw - pw + kx * dw;
                  if (ix >= 0 && ix < w) acc[accRow + xo] += wv * x.data[row + ix];
                }
              }
            }
          }
        }
        out.data.set(acc, (b * o + oc) * oh * ow);
      }
    }
    return out;
  },

  batchNorm(x, p: BatchNormParams<Tensor>, a: BatchNormAttributes) {
    const [n, c, h, w] = x.shape;
    const out = make(x.shape);
    for (let ch = 0; ch < c; ch++) {
      const scale = p.weight.data[ch] / Math.sqrt(p.runningVar.data[ch] + a.eps);
      const shift = p.bias.data[ch] - p.runningMean.data[ch] * scale;
      for (let b = 0; b < n; b++) {
        const base = (b * c + ch) * h * w;
        for (let i = 0; i < h * w; i++) out.data[base + i] = x.data[base + i] * scale + shift;
      }
    }
    return out;
  },

  relu: (x) => map(x, (v) => Math.max(v, 0)),
  relu6: (x) => map(x, (v) => Math.min(Math.max(v, 0), 6)),
  sigmoid: (x) => map(x, (v) => 1 / (1 + Math.exp(-v))),
  affine: (x, scale, offset) => map(x, (v) => v * scale + offset),

  sqrt: (x) => map(x, Math.sqrt),
  exp: (x) => map(x, Math.exp),
  reciprocal: (x) => map(x, (v) => 1 / v),
  add: (a, b) => broadcastBinary('add', a, b, (u, v) => u + v),
  mul: (x, gate) => {
    if (x.shape.length !== 4) mismatch('mul', `x must be 4-D [N, C, H, W], got ${formatShape(x.shape)}`);
    return broadcastBinary('mul', x, gate, (u, v) => u * v);
  },

  reshape: (x, shape) => ({ shape: [...shape], data: x.data.slice() }),

  conv1d(x, weight, bias, padding) {
    const [n, c, l] = x.shape;
    const [o, , k] = weight.shape;
    const length = l + 2 * padding - k + 1;
    const out = make([n, o, length, 1]);
    for (let b = 0; b < n; b++) {
      for (let oc = 0; oc < o; oc++) {
        for (let i = 0; i < length; i++) {
          let sum = bias === undefined ? 0 : bias.data[oc];
          for (let ic = 0; ic < c; ic++) {
            for (let t = 0; t < k; t++) {
              const j = i + t - padding;
              if (j >= 0 && j < l) sum += weight.data[(oc * c + ic) * k + t] * x.data[(b * c + ic) * l + j];
            }
          }
          out.data[(b * o + oc) * length + i] = sum;
        }
      }
    }
    return out;
  },

  resizeNearest(x, [oh, ow]) {
    const [n, c, h, w] = x.shape;
    const out = make([n, c, oh, ow]);
    for (let p = 0; p < n * c; p++) {
      for (let y = 0; y < oh; y++) {
        const iy = Math.min(h - 1, Math.floor((y * h) / oh));
        for (let xo = 0; xo < ow; xo++) out.data[(p * oh + y) * ow + xo] = x.data[(p * h + iy) * w + Math.min(w - 1, Math.floor((xo * w) / ow))];
      }
    }
    return out;
  },

  axisMean(x, axis: SpatialAxis) {
    const [n, c, h, w] = x.shape;
    const out = make(axis === 'height' ? [n, c, 1, w] : [n, c, h, 1]);
    for (let p = 0; p < n * c; p++) {
      for (let y = 0; y < h; y++) {
        for (let xo = 0; xo < w; xo++) {
          const v = x.data[(p * h + y) * w + xo];
          if (axis === 'height') out.data[p * w + xo] += v / h;
          else out.data[p * h + y] += v / w;
        }
      }
    }
    return out;
  },

  globalAvgPool: (x) => reducePlanes(x, 'mean'),
  globalMaxPool: (x) => reducePlanes(x, 'max'),
  channelMean: (x) => reduceChannels(x, 'mean'),
  channelMax: (x) => reduceChannels(x, 'max'),

  maxPool2d(x, a: MaxPool2dAttributes) {
    const [n, c, h, w] = x.shape;
    const [kh, kw] = a.kernel;
    const [sh, sw] = a.stride;
    const [ph, pw] = a.padding;
    const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
    const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
    const out = make([n, c, oh, ow]);
    for (let p = 0; p < n * c; p++) {
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let max = Number.NEGATIVE_INFINITY;
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * sh - ph + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = xo * sw - pw + kx;
              if (ix >= 0 && ix < w) max = Math.max(max, x.data[(p * h + iy) * w + ix]);
            }
          }
          out.data[(p * oh + y) * ow + xo] = max;
        }
      }
    }
    return out;
  },

  avgPool2d(x, attributes: AvgPool2dAttributes) {
    const [n, c, h, w] = x.shape;
    const { kernel, stride, padding, ceilMode } = fullAvgPool2dAttributes(attributes);
    const [kh, kw] = kernel;
    const [sh, sw] = stride;
    const [ph, pw] = padding;
    const oh = pooledSize(h, kh, sh, ceilMode, ph);
    const ow = pooledSize(w, kw, sw, ceilMode, pw);
    const out = make([n, c, oh, ow]);
    for (let p = 0; p < n * c; p++) {
      for (let y = 0; y < oh; y++) {
        // Rows of the window inside the input: padding and a ceil-mode overhang are not counted.
        const y0 = Math.max(0, y * sh - ph);
        const y1 = Math.min(h, y * sh - ph + kh);
        for (let xo = 0; xo < ow; xo++) {
          const x0 = Math.max(0, xo * sw - pw);
          const x1 = Math.min(w, xo * sw - pw + kw);
          let sum = 0;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += x.data[(p * h + iy) * w + ix];
          out.data[(p * oh + y) * ow + xo] = sum / ((y1 - y0) * (x1 - x0));
        }
      }
    }
    return out;
  },

  channelConv1d(v, weight, padding: ChannelPadding) {
    const [n, c] = v.shape;
    const k = weight.shape[2];
    const shared = weight.shape[0] === 1;
    const half = (k - 1) / 2;
    const out = make(v.shape);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < c; i++) {
        let sum = 0;
        for (let t = 0; t < k; t++) {
          let j = i + t - half;
          if (j < 0 || j >= c) {
            if (padding === 'zeros') continue;
            j = ((j % c) + c) % c;
          }
          sum += weight.data[(shared ? 0 : i * k) + t] * v.data[b * c + j];
        }
        out.data[b * c + i] = sum;
      }
    }
    return out;
  },

  linear(x, weight, bias) {
    const n = x.shape[0];
    const [outF, inF] = weight.shape;
    const out = make(x.shape.length === 2 ? [n, outF] : [n, outF, 1, 1]);
    for (let b = 0; b < n; b++) {
      for (let o = 0; o < outF; o++) {
        let sum = bias === undefined ? 0 : bias.data[o];
        for (let i = 0; i < inF; i++) sum += weight.data[o * inF + i] * x.data[b * inF + i];
        out.data[b * outF + o] = sum;
      }
    }
    return out;
  },

  concatChannels(xs) {
    const [n, , h, w] = xs[0].shape;
    const c = xs.reduce((sum, x) => sum + x.shape[1], 0);
    const out = make([n, c, h, w]);
    for (let b = 0; b < n; b++) {
      let offset = b * c * h * w;
      for (const x of xs) {
        const size = x.shape[1] * h * w;
        out.data.set(x.data.subarray(b * size, (b + 1) * size), offset);
        offset += size;
      }
    }
    return out;
  },

  flatten: (x) => ({ shape: [x.shape[0], x.shape[1] * x.shape[2] * x.shape[3]], data: x.data.slice() }),
} satisfies PrimitiveOps<Tensor> & Record<OpName, unknown>;

export const referenceOps: Ops<Tensor> = withDerivedOps(referencePrimitives);

/** f over NumPy-broadcast operands (broadcast.ts); a shape pair that does not broadcast throws. */
function broadcastBinary(op: string, a: Tensor, b: Tensor, f: (u: number, v: number) => number): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  if (shape === undefined) mismatch(op, `shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast (in every axis the sizes must be equal or one of them 1)`);
  const out = make(shape);
  if (shapesEqual(a.shape, b.shape)) {
    for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[i], b.data[i]);
    return out;
  }
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(asNchw(a.shape, b.shape), shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.data.length; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < shape.length; d++) {
      ia += index[d] * sa[d];
      ib += index[d] * sb[d];
    }
    out.data[i] = f(a.data[ia], b.data[ib]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

function mismatch(op: string, message: string): never {
  throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `${op}: ${message}`);
}

function reducePlanes(x: Tensor, mode: 'mean' | 'max'): Tensor {
  const [n, c, h, w] = x.shape;
  const out = make([n, c, 1, 1]);
  const size = h * w;
  for (let p = 0; p < n * c; p++) {
    let acc = mode === 'max' ? Number.NEGATIVE_INFINITY : 0;
    for (let i = 0; i < size; i++) {
      const v = x.data[p * size + i];
      acc = mode === 'max' ? Math.max(acc, v) : acc + v;
    }
    out.data[p] = mode === 'max' ? acc : acc / size;
  }
  return out;
}

function reduceChannels(x: Tensor, mode: 'mean' | 'max'): Tensor {
  const [n, c, h, w] = x.shape;
  const out = make([n, 1, h, w]);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h * w; i++) {
      let acc = mode === 'max' ? Number.NEGATIVE_INFINITY : 0;
      for (let ch = 0; ch < c; ch++) {
        const v = x.data[(b * c + ch) * h * w + i];
        acc = mode === 'max' ? Math.max(acc, v) : acc + v;
      }
      out.data[b * h * w + i] = mode === 'max' ? acc : acc / c;
    }
  }
  return out;
}

/** Parameters by full PyTorch name, in canonical layout. */
export type WeightMap = ReadonlyMap<string, Tensor>;

/** Runs a network on the reference interpreter with the given weights (all must be present). */
export function runReference(network: NetworkDefinition, weights: WeightMap, input: Tensor): Tensor[] {
  const provider = {
    get(fullName: string, spec: ParamSpec): Tensor {
      const value = weights.get(fullName);
      if (value === undefined) {
        throw new AttnkitError(ErrorCodes.UNKNOWN_PARAMETER, `no value for parameter '${fullName}' ${formatShape(spec.shape)}: initialize the network's parameters (initializeWeights) or load a checkpoint that has it`, { name: fullName });
      }
      if (!shapesEqual(value.shape, spec.shape)) {
        throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `parameter '${fullName}' has shape ${formatShape(value.shape)} but the network declares ${formatShape(spec.shape)}`, { name: fullName, expected: spec.shape, actual: value.shape });
      }
      return value;
    },
  };
  const result = network.forward(new Scope<Tensor>(referenceOps, provider), input);
  return Array.isArray(result) ? [...(result as Tensor[])] : [result as Tensor];
}
