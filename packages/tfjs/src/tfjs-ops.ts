/**
 * core's `Ops` over tfjs ops. Tensors are NHWC inside, as every tfjs model; `shape(x)` speaks
 * canonical NCHW like every other interpreter. Weights arrive in tfjs layout (see layout.ts):
 * conv2d HWIO (or depthwise `[kh, kw, C, m]`), channel conv `[k, 1, 1]` or `[k, 1, C]`, linear
 * `[in, out]`, vectors unchanged.
 *
 * Padding is PyTorch's (symmetric): where TF's 'same' would differ (stride > 1, even kernels) we
 * tf.pad then convolve 'valid'; max pooling pads with -inf (docs/paper.md section 6).
 * Average pooling rescales the windows that padding or ceil mode clip (average-pooling.ts).
 */
import { AttnkitError, ErrorCodes, type BatchNormAttributes, type BatchNormParams, type ChannelPadding, type Conv2dAttributes, type MaxPool2dAttributes, type OpName, type Ops, type PrimitiveOps, type Shape, type SpatialAxis, withDerivedOps } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { averagePool } from './average-pooling.js';

export interface TfjsOpsOptions {
  /**
   * Training mode: batchNorm normalizes with batch statistics and, where the running statistics
   * are `tf.Variable`s (as an AttentionLayer passes them), updates them in place with PyTorch's
   * convention: new = (1 - momentum) * old + momentum * batch, unbiased batch variance.
   * Inference mode (default) uses the running statistics.
   */
  training?: boolean;
}

type Pair = readonly [number, number];

/**
 * The derived ops tfjs has one kernel for (one pass instead of the composition's two or three);
 * the rest run as core composes them.
 */
const derivedOverrides = {
  sub: (a: tf.Tensor, b: tf.Tensor) => tf.sub(a, b),
  square: (x: tf.Tensor) => tf.square(x),
  tanh: (x: tf.Tensor) => tf.tanh(x),
};

export function tfjsOps(options: TfjsOpsOptions = {}): Ops<tf.Tensor> {
  const training = options.training ?? false;
  const primitives = {
    shape: canonicalShape,
    conv2d: (x, weight, bias, a) => {
      const y = conv2d(x as tf.Tensor4D, weight as tf.Tensor4D, a);
      return bias === undefined ? y : tf.add(y, bias);
    },
    batchNorm: (x, p, a) => (training ? batchNormTraining(x, p, a) : tf.batchNorm(x, p.runningMean, p.runningVar, p.bias, p.weight, a.eps)),
    relu: (x) => tf.relu(x),
    relu6: (x) => tf.relu6(x),
    sigmoid: (x) => tf.sigmoid(x),
    affine: (x, scale, offset) => {
      const scaled = scale === 1 ? x : tf.mul(x, scale);
      return offset === 0 ? scaled : tf.add(scaled, offset);
    },
    sqrt: (x) => tf.sqrt(x),
    exp: (x) => tf.exp(x),
    reciprocal: (x) => tf.reciprocal(x),
    // NCHW broadcasting is NHWC broadcasting with the axes permuted alike, and a 1-D [C] vector
    // broadcasts along NHWC's last axis (channels) as it does along NCHW's channel axis.
    add: (a, b) => tf.add(a, b),
    // gate [N, 1, 1, C] (channel), [N, H, W, 1] (spatial), ... broadcasts against NHWC x.
    mul: (x, gate) => tf.mul(x, gate),
    // Through NCHW order: a canonical reshape keeps NCHW's element order, not NHWC's.
    reshape: (x, shape) => tf.transpose(tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [...shape]), [0, 2, 3, 1]),
    // x NHWC [N, L, 1, Cin]; weight in tfjs conv1d layout [k, Cin, Cout], the HWIO filter [k, 1, Cin, Cout].
    conv1d: (x, weight, bias, padding) => {
      const [k, cin, cout] = weight.shape as number[];
      const padded = padding === 0 ? x : tf.pad(x, [[0, 0], [padding, padding], [0, 0], [0, 0]]);
      const y = convValid(padded as tf.Tensor4D, tf.reshape(weight, [k, 1, cin, cout]) as tf.Tensor4D, [1, 1], [1, 1], 'valid');
      return bias === undefined ? y : tf.add(y, bias);
    },
    resizeNearest: (x, [height, width]) => resizeNearest(x as tf.Tensor4D, height, width),
    // A pooling window of the whole axis rather than tf.mean: see globalAvgPool below.
    axisMean: (x, axis: SpatialAxis) => tf.avgPool(x as tf.Tensor4D, axis === 'height' ? [x.shape[1]!, 1] : [1, x.shape[2]!], 1, 'valid'),
    // Pooling with a window of the whole plane, not tf.mean / tf.max over axes [1, 2]: the wasm
    // backend reduces innermost axes only and transposes NHWC to NCHW first (a full extra pass,
    // 5-8x slower than its XNNPACK average / max pooling).
    globalAvgPool: (x) => tf.avgPool(x as tf.Tensor4D, [x.shape[1]!, x.shape[2]!], 1, 'valid'),
    globalMaxPool: (x) => globalMaxPool(x as tf.Tensor4D),
    channelMean: (x) => tf.mean(x, 3, true),
    channelMax: (x) => tf.max(x, 3, true),
    maxPool2d: (x, a: MaxPool2dAttributes) => {
      const [ph, pw] = a.padding;
      const padded = ph === 0 && pw === 0 ? x : tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]], Number.NEGATIVE_INFINITY);
      return tf.maxPool(padded as tf.Tensor4D, [a.kernel[0], a.kernel[1]], [a.stride[0], a.stride[1]], 'valid');
    },
    avgPool2d: (x, a) => averagePool(x as tf.Tensor4D, a),
    channelConv1d,
    linear: (x, weight, bias) => {
      const [n, f] = canonicalShape(x);
      const [, , h, w] = x.rank === 4 ? canonicalShape(x) : [n, f, 1, 1];
      if (h * w !== 1) {
        throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `linear takes [N, F] or [N, F, 1, 1], got [${canonicalShape(x).join(', ')}]`, { shape: canonicalShape(x) });
      }
      const flat = x.rank === 4 ? tf.reshape(x, [n, f]) : x;
      // One kernel for product and bias.
      const y = tf.fused.matMul({ a: flat as tf.Tensor2D, b: weight as tf.Tensor2D, bias });
      return x.rank === 4 ? tf.reshape(y, [n, 1, 1, (weight.shape as number[])[1]]) : y;
    },
    concatChannels: (xs) => tf.concat([...xs], 3),
    flatten: (x) => {
      const [n, c, h, w] = canonicalShape(x);
      // PyTorch flattens in C, H, W order; NHWC needs a transpose unless H = W = 1.
      return tf.reshape(h * w === 1 ? x : tf.transpose(x, [0, 3, 1, 2]), [n, c * h * w]);
    },
  } satisfies PrimitiveOps<tf.Tensor> & Record<OpName, unknown>;
  return withDerivedOps(primitives, derivedOverrides);
}

function canonicalShape(x: tf.Tensor): Shape {
  const s = x.shape;
  if (s.length === 4) return [s[0], s[3], s[1], s[2]];
  if (s.length === 2) return [...s];
  throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `attnkit tfjs tensors are NHWC [N, H, W, C] or [N, F], got [${s.join(', ')}]`, { shape: s });
}

function conv2d(x: tf.Tensor4D, weight: tf.Tensor4D, a: Conv2dAttributes): tf.Tensor4D {
  const [kh, kw, inPerGroup, outFromShape] = weight.shape;
  const channels = x.shape[3];
  const groups = a.groups;
  if (groups === 1 && (a.dilation[0] > 1 || a.dilation[1] > 1) && a.stride[0] === 1 && a.stride[1] === 1) return atrousConv(x, weight, a);
  const padded = padForConv(x, [kh, kw], a);
  const strides: [number, number] = [a.stride[0], a.stride[1]];
  const dilations: [number, number] = [a.dilation[0], a.dilation[1]];
  if (groups === 1) return convValid(padded.x, weight, strides, dilations, padded.mode);
  if (channels / groups === 1) {
    // Depthwise: HWIO [kh, kw, 1, C*m] and depthwise [kh, kw, C, m] share one memory order.
    const out = inPerGroup === 1 ? outFromShape : inPerGroup * outFromShape;
    const depthwise = tf.reshape(weight, [kh, kw, channels, out / channels]) as tf.Tensor4D;
    return depthwiseConv(padded.x, depthwise, strides, dilations, padded.mode);
  }
  // General grouped conv: tfjs has none, so one conv per group (weight HWIO [kh, kw, C/g, O]).
  const xs = tf.split(padded.x, groups, 3) as tf.Tensor4D[];
  const ws = tf.split(weight, groups, 3) as tf.Tensor4D[];
  return tf.concat(xs.map((xg, g) => convValid(xg, ws[g], strides, dilations, padded.mode)), 3);
}

/**
 * Nearest resize with PyTorch's indices (output row i reads input row floor(i * h / H)) as two
 * products with 0/1 selection matrices: exact, and it trains on every backend (tf.image's resize
 * and tf.gather need gradient kernels wasm does not register).
 */
function resizeNearest(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const selection = (size: number, out: number) => {
    const m = new Float32Array(out * size);
    for (let i = 0; i < out; i++) m[i * size + Math.min(size - 1, Math.floor((i * size) / out))] = 1;
    return tf.tensor2d(m, [out, size]);
  };
  // Rows: [H, h] x [h, N*w*C]; then columns: [W, w] x [w, N*H*C].
  const rows = tf.reshape(tf.matMul(selection(h, height), tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c])), [height, n, w, c]);
  const columns = tf.matMul(selection(w, width), tf.reshape(tf.transpose(rows, [2, 1, 0, 3]), [w, n * height * c]));
  return tf.transpose(tf.reshape(columns, [width, n, height, c]), [1, 2, 0, 3]) as tf.Tensor4D;
}

/**
 * A dilated stride-1 conv as TF's atrous_conv2d computes it: zero-pad, split the plane into the
 * d x d sub-grids a dilated kernel reads (spaceToBatchND), convolve each with the plain kernel,
 * interleave back (batchToSpaceND). Same values and MACs, and it trains: tfjs has no gradient
 * for conv2d with dilation > 1 (BAM's spatial branch).
 */
function atrousConv(x: tf.Tensor4D, weight: tf.Tensor4D, a: Conv2dAttributes): tf.Tensor4D {
  const [dh, dw] = a.dilation;
  const [ph, pw] = a.padding;
  const padded = ph === 0 && pw === 0 ? x : tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
  const [, hp, wp] = padded.shape;
  // Extra rows / columns at the end so each padded size divides by its dilation; cropped after.
  const extraH = (dh - (hp % dh)) % dh;
  const extraW = (dw - (wp % dw)) % dw;
  const grids = tf.spaceToBatchND(padded, [dh, dw], [[0, extraH], [0, extraW]]) as tf.Tensor4D;
  const convolved = convValid(grids, weight, [1, 1], [1, 1], 'valid');
  return tf.batchToSpaceND(convolved, [dh, dw], [[0, extraH], [0, extraW]]) as tf.Tensor4D;
}

/**
 * PyTorch pads (ph, pw) on both sides. TF's 'same' at stride 1 pads total (k-1)*d, the smaller
 * half first: equal to PyTorch exactly when that total is 2 * p, so no copy is needed then.
 */
function padForConv(x: tf.Tensor4D, [kh, kw]: Pair, a: Conv2dAttributes): { x: tf.Tensor4D; mode: 'valid' | 'same' } {
  const [ph, pw] = a.padding;
  if (ph === 0 && pw === 0) return { x, mode: 'valid' };
  const strideOne = a.stride[0] === 1 && a.stride[1] === 1;
  if (strideOne && (kh - 1) * a.dilation[0] === 2 * ph && (kw - 1) * a.dilation[1] === 2 * pw) return { x, mode: 'same' };
  return { x: tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]), mode: 'valid' };
}

/**
 * tf.conv2d, except on backends that register no Conv2DBackpropFilter kernel (wasm 4.22): there
 * the filter gradient is computed with forward convolutions so modules with convs still train.
 */
function convValid(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], dilations: [number, number], mode: 'valid' | 'same'): tf.Tensor4D {
  const hasFilterGradient = tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
  if (hasFilterGradient || dilations[0] !== 1 || dilations[1] !== 1) return tf.conv2d(x, w, strides, mode, 'NHWC', dilations);
  const [kh, kw] = w.shape;
  const conv = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, wIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xIn, wIn]);
    return {
      // The forward pass is the plain conv ('same' needs no padded copy); only the filter
      // gradient below pads.
      value: tf.conv2d(xIn as tf.Tensor4D, wIn as tf.Tensor4D, strides, mode),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dx = tf.conv2dTranspose(dy as tf.Tensor4D, ws, xs.shape, strides, mode);
        const xp = mode === 'valid' ? xs : (tf.pad(xs, samePadding(kh, kw)) as tf.Tensor4D);
        // dW[ky, kx, i, o] = sum_{n, y, x} x[n, y*s + ky, x*s + kx, i] * dy[n, y, x, o]: a conv
        // with the batch as channels, [I, H, W, N] * [H', W', N, O], dilated by the stride.
        const full = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid', 'NHWC', strides);
        const dw = tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return conv(x, w) as tf.Tensor4D;
}

/**
 * tf.depthwiseConv2d, except on backends that register no depthwise gradient kernels (wasm 4.22
 * has neither DepthwiseConv2dNativeBackpropInput nor DepthwiseConv2dNativeBackpropFilter): there
 * both gradients are composed from kernels every backend has (strided slices, products, sums,
 * pads), so GE-theta's depthwise gather trains. Composed for multiplier 1 and dilation 1, what
 * the modules use; the rest keeps tfjs's own gradient.
 */
function depthwiseConv(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], dilations: [number, number], mode: 'valid' | 'same'): tf.Tensor4D {
  const backend = tf.getBackend();
  const hasGradients = tf.getKernel('DepthwiseConv2dNativeBackpropInput', backend) !== undefined && tf.getKernel('DepthwiseConv2dNativeBackpropFilter', backend) !== undefined;
  const [kh, kw, , multiplier] = filter.shape;
  if (hasGradients || multiplier !== 1 || dilations[0] !== 1 || dilations[1] !== 1) return tf.depthwiseConv2d(x, filter, strides, mode, 'NHWC', dilations);
  // padForConv takes 'same' only at stride 1 where it pads (k-1)/2 both sides: pad here, so the
  // gradients below see one layout (tf.pad's own gradient crops back).
  const input = mode === 'valid' ? x : (tf.pad(x, samePadding(kh, kw)) as tf.Tensor4D);
  const conv = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, wIn, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xIn, wIn]);
    return {
      value: tf.depthwiseConv2d(xIn, wIn, strides, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => depthwiseGradients(saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D, dy as tf.Tensor4D, strides),
    };
  });
  return conv(input, filter) as tf.Tensor4D;
}

/**
 * The gradients of y = depthwise(x, w) at stride (sh, sw), 'valid', multiplier 1, tap by tap:
 * y[n, o, p, c] = sum_{i, j} x[n, o*sh + i, p*sw + j, c] * w[i, j, c], so
 * dW[i, j, c] = sum_{n, o, p} x[n, o*sh + i, p*sw + j, c] * dy[n, o, p, c] (a strided slice of x
 * times dy), and dx is the sum over taps of dy * w[i, j] written back at offset (i, j) with stride
 * (sh, sw) (dy spread by the stride, then padded into place).
 */
function depthwiseGradients(x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, [sh, sw]: [number, number]): [tf.Tensor4D, tf.Tensor4D] {
  const [n, height, width, channels] = x.shape;
  const [kh, kw] = w.shape;
  const [, outHeight, outWidth] = dy.shape;
  const spanH = sh * (outHeight - 1) + 1;
  const spanW = sw * (outWidth - 1) + 1;
  // dy with sh - 1 zero rows after each row and sw - 1 zero columns after each column, cut to the span.
  const spreadRows = tf.reshape(tf.pad(tf.reshape(dy, [n, outHeight, 1, outWidth * channels]), [[0, 0], [0, 0], [0, sh - 1], [0, 0]]), [n * outHeight * sh, outWidth, 1, channels]);
  const spread = tf.slice(tf.reshape(tf.pad(spreadRows, [[0, 0], [0, 0], [0, sw - 1], [0, 0]]), [n, outHeight * sh, outWidth * sw, channels]), 0, [n, spanH, spanW, channels]);
  const taps: tf.Tensor[] = [];
  const dxTerms: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const window = tf.stridedSlice(x, [0, i, j, 0], [n, i + spanH, j + spanW, channels], [1, sh, sw, 1]);
      taps.push(tf.sum(tf.mul(window, dy), [0, 1, 2]));
      const weight = tf.reshape(tf.slice(w, [i, j, 0, 0], [1, 1, channels, 1]), [channels]);
      dxTerms.push(tf.pad(tf.mul(spread, weight), [[0, 0], [i, height - i - spanH], [j, width - j - spanW], [0, 0]]));
    }
  }
  return [tf.addN(dxTerms) as tf.Tensor4D, tf.reshape(tf.stack(taps), [kh, kw, channels, 1]) as tf.Tensor4D];
}

/**
 * The maximum over the whole plane as one pooling window (see globalAvgPool), with its gradient
 * written here: tfjs-backend-wasm 4.22's MaxPoolGrad gives no gradient to a window whose maximum
 * is negative (measured: a channel of ESE's or CBAM's pooled input below zero trained as if
 * constant). The gradient goes to the positions equal to the maximum, as tf.max's does.
 */
function globalMaxPool(x: tf.Tensor4D): tf.Tensor4D {
  const pool = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const y = tf.maxPool(xIn, [xIn.shape[1], xIn.shape[2]], 1, 'valid');
    save([xIn, y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.cast(tf.equal(saved[0], saved[1]), 'float32')) };
  });
  return pool(x) as tf.Tensor4D;
}

function samePadding(kh: number, kw: number): Array<[number, number]> {
  return [[0, 0], [Math.floor((kh - 1) / 2), Math.ceil((kh - 1) / 2)], [Math.floor((kw - 1) / 2), Math.ceil((kw - 1) / 2)], [0, 0]];
}

function batchNormTraining(x: tf.Tensor, p: BatchNormParams<tf.Tensor>, a: BatchNormAttributes): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const { runningMean, runningVar } = p;
  if (runningMean instanceof tf.Variable && runningVar instanceof tf.Variable) {
    const count = x.size / x.shape[x.rank - 1];
    tf.tidy(() => {
      const m = a.momentum;
      const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - m), tf.mul(mean, m)));
      runningVar.assign(tf.add(tf.mul(runningVar, 1 - m), tf.mul(unbiased, m)));
    });
  }
  return tf.batchNorm(x, mean, variance, p.bias, p.weight, a.eps);
}

/**
 * z_i = sum_t w[t] * v[i + t - (k-1)/2] along C of v [N, 1, 1, C], with w [k, 1, 1] shared or
 * [k, 1, C] per channel. A shared kernel is one 2-D convolution of v seen as [N, 1, C, 1] (W = C,
 * one channel) with a [1, k, 1, 1] filter: 'same' pads exactly (k-1)/2 zeros on both ends at
 * stride 1 and odd k; circular padding wraps v first. One conv kernel instead of k slices.
 * Per-channel kernels (ECA-NS) stay k shifted slices, multiplied and summed.
 */
function channelConv1d(v: tf.Tensor, weight: tf.Tensor, padding: ChannelPadding): tf.Tensor {
  const [n, c, h, w] = canonicalShape(v);
  const [k, , out] = weight.shape as number[];
  if (v.rank !== 4 || h * w !== 1 || k % 2 !== 1 || (out !== 1 && out !== c)) {
    throw new AttnkitError(
      ErrorCodes.SHAPE_MISMATCH,
      `channelConv1d takes v [N, C, 1, 1] and an odd-k weight [k, 1, 1] or [k, 1, C] (tfjs layout); got v [${canonicalShape(v).join(', ')}], weight [${weight.shape.join(', ')}]`,
      { v: canonicalShape(v), weight: weight.shape },
    );
  }
  const half = (k - 1) / 2;
  const flat = tf.reshape(v, [n, c]);
  const wrap = (): tf.Tensor => {
    // Wrap around, as many times as k needs when k > C.
    const copies = Math.ceil(half / c);
    return tf.slice(tf.tile(flat, [1, 2 * copies + 1]), [0, copies * c - half], [n, c + 2 * half]);
  };
  if (out === 1) {
    const filter = tf.reshape(weight, [1, k, 1, 1]) as tf.Tensor4D;
    const z =
      padding === 'zeros' || half === 0
        ? convValid(tf.reshape(flat, [n, 1, c, 1]) as tf.Tensor4D, filter, [1, 1], [1, 1], half === 0 ? 'valid' : 'same')
        : convValid(tf.reshape(wrap(), [n, 1, c + 2 * half, 1]) as tf.Tensor4D, filter, [1, 1], [1, 1], 'valid');
    return tf.reshape(z, [n, 1, 1, c]);
  }
  const padded = padding === 'zeros' ? tf.pad(flat, [[0, 0], [half, half]]) : wrap();
  const windows = tf.stack(Array.from({ length: k }, (_, t) => tf.slice(padded, [0, t], [n, c])), 2);
  const taps = tf.transpose(tf.reshape(weight, [k, c]));
  return tf.reshape(tf.sum(tf.mul(windows, taps), 2), [n, 1, 1, c]);
}
