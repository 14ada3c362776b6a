import type { Shape } from './tensor.js';

/** PyTorch-style 2-D convolution attributes (symmetric padding, as `nn.Conv2d`). */
export interface Conv2dAttributes {
  stride: readonly [number, number];
  /** Zero padding on each side: `[padH, padW]`, as PyTorch's `padding=(padH, padW)`. */
  padding: readonly [number, number];
  dilation: readonly [number, number];
  groups: number;
}

export interface MaxPool2dAttributes {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  /** Padding with -inf on each side, as PyTorch's `nn.MaxPool2d(padding=...)`. */
  padding: readonly [number, number];
}

/**
 * PyTorch's `nn.AvgPool2d(kernel, stride, padding, ceil_mode, count_include_pad=False)`: each
 * output is the mean of the input values its window covers. Zero padding is left out of each
 * window's count, and with `ceilMode` the output size rounds up, so a last window may hang over
 * the bottom / right edge and averages only the values inside. timm's ResNet-D shortcut is
 * `{ kernel: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: true }`; Gather-Excite's
 * extent-e gather is `{ kernel: [2e-1, 2e-1], stride: [e, e], padding: [e-1, e-1], ceilMode: false }`.
 */
export interface AvgPool2dAttributes {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  /** Zero padding on each side, left out of each window's count; [0, 0] by default. */
  padding?: readonly [number, number];
  /** Round the output size up (false by default). */
  ceilMode?: boolean;
}

/** The attributes with their defaults filled in, as every backend reads them. */
export function fullAvgPool2dAttributes(a: AvgPool2dAttributes): Required<AvgPool2dAttributes> {
  return { kernel: a.kernel, stride: a.stride, padding: a.padding ?? [0, 0], ceilMode: a.ceilMode ?? false };
}

/** Output length of a pooling window sweep, as PyTorch sizes it (padding on both ends). */
export function pooledSize(size: number, kernel: number, stride: number, ceilMode: boolean, padding = 0): number {
  const steps = (size + 2 * padding - kernel) / stride;
  const out = (ceilMode ? Math.ceil(steps) : Math.floor(steps)) + 1;
  // PyTorch drops a last window that would start past the input (and its right padding).
  return ceilMode && (out - 1) * stride >= size + padding ? out - 1 : out;
}

export interface BatchNormParams<T> {
  weight: T;
  bias: T;
  runningMean: T;
  runningVar: T;
}

export interface BatchNormAttributes {
  eps: number;
  /** PyTorch convention: new = (1 - momentum) * old + momentum * batch (0.1 by default). */
  momentum: number;
}

/**
 * How ECA's channel convolution treats the ends of the channel axis:
 * `zeros` pads (k-1)/2 zeros (the paper, official code), `circular` wraps around (timm's CECA).
 */
export type ChannelPadding = 'zeros' | 'circular';

/** A spatial axis of an NCHW tensor. */
export type SpatialAxis = 'height' | 'width';

/**
 * The primitive operations: what every backend implements and what the graph IR records.
 * `T` is whatever a backend uses for a tensor. Shapes and axes are always spoken of in
 * canonical NCHW terms, whatever layout a backend keeps inside (tfjs is NHWC): `shape(x)`
 * returns `[N, C, H, W]` everywhere.
 *
 * "Channel vectors" (pooled values) are kept 4-D as `[N, C, 1, 1]`, as PyTorch does.
 *
 * Adding a primitive means one entry in every per-op table (trace, reference, counting, tfjs,
 * ONNX); each is a `satisfies Record<OpName, ...>` map, so a missing entry fails to compile.
 * Prefer a derived op (`DerivedOps`) when existing primitives can compose it.
 */
export interface PrimitiveOps<T> {
  /** Canonical NCHW shape of x. */
  shape(x: T): Shape;

  /** x [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw] (OIHW), bias [Cout] -> [N, Cout, H', W']. */
  conv2d(x: T, weight: T, bias: T | undefined, attributes: Conv2dAttributes): T;
  /** Inference-mode BatchNorm over the channel axis (training mode where a backend trains). */
  batchNorm(x: T, params: BatchNormParams<T>, attributes: BatchNormAttributes): T;
  relu(x: T): T;
  relu6(x: T): T;
  sigmoid(x: T): T;
  /** x * scale + offset, element-wise, with constant numbers (the scalar arithmetic derived ops need). */
  affine(x: T, scale: number, offset: number): T;
  /** sqrt(x), element-wise. */
  sqrt(x: T): T;
  /** e^x, element-wise. */
  exp(x: T): T;
  /** 1 / x, element-wise. */
  reciprocal(x: T): T;
  /**
   * a + b, element-wise with broadcasting (see `mul`). The result has the larger of the two
   * sizes in every axis.
   */
  add(a: T, b: T): T;
  /**
   * x * gate, element-wise with NumPy broadcasting of 4-D NCHW shapes: in every axis the sizes
   * are equal or one of them is 1 (a channel gate [N, C, 1, 1], a spatial gate [N, 1, H, W], a
   * per-channel parameter [1, C, 1, 1], a row gate [N, C, H, 1], a channel vector times a
   * spatial map giving [N, C, H, W], ...). `gate` may also be a 1-D per-channel vector [C]
   * (LayerNorm's weight), which multiplies along the channel axis.
   */
  mul(x: T, gate: T): T;
  /**
   * Nearest-neighbour resize of x [N, C, h, w] to [N, C, H, W], as PyTorch's
   * `F.interpolate(x, size=(H, W))` (mode 'nearest'): output row i reads input row
   * floor(i * h / H), and likewise for columns.
   */
  resizeNearest(x: T, size: readonly [number, number]): T;
  /** Mean over one spatial axis: 'height' [N, C, H, W] -> [N, C, 1, W], 'width' -> [N, C, H, 1]. */
  axisMean(x: T, axis: SpatialAxis): T;
  /**
   * The same elements in NCHW (row-major) order under another 4-D shape of the same size, e.g. a
   * channel vector [N, C, 1, 1] as a sequence [N, 1, C, 1] along H for `conv1d`, and back.
   */
  reshape(x: T, shape: Shape): T;
  /**
   * 1-D convolution along H of x [N, Cin, L, 1] (a sequence of length L with Cin channels, as
   * PyTorch's Conv1d on [N, Cin, L]): weight [Cout, Cin, k] (PyTorch Conv1d), bias [Cout], zero
   * padding p at both ends, stride 1 -> [N, Cout, L + 2p - k + 1, 1].
   */
  conv1d(x: T, weight: T, bias: T | undefined, padding: number): T;
  /** [N, C, H, W] -> [N, C, 1, 1] */
  globalAvgPool(x: T): T;
  /** [N, C, H, W] -> [N, C, 1, 1] */
  globalMaxPool(x: T): T;
  /** Mean over channels: [N, C, H, W] -> [N, 1, H, W] */
  channelMean(x: T): T;
  /** Max over channels: [N, C, H, W] -> [N, 1, H, W] */
  channelMax(x: T): T;
  maxPool2d(x: T, attributes: MaxPool2dAttributes): T;
  /** Window averages over in-bounds values, padding and overhang left out (see `AvgPool2dAttributes`). */
  avgPool2d(x: T, attributes: AvgPool2dAttributes): T;
  /**
   * 1-D cross-correlation along the channel axis of a channel vector v [N, C, 1, 1] with odd k.
   * weight [1, 1, k]: one kernel shared by all channels (ECA).
   * weight [C, 1, k]: channel i has its own kernel over its neighbours (ECA-NS):
   *   z_i = sum_t w[i, 0, t] * v[i + t - (k - 1) / 2].
   */
  channelConv1d(v: T, weight: T, padding: ChannelPadding): T;
  /** x [N, F] or [N, F, 1, 1]; weight [out, F] (PyTorch Linear); result keeps x's rank. */
  linear(x: T, weight: T, bias: T | undefined): T;
  /** Concatenation along the channel axis. */
  concatChannels(xs: readonly T[]): T;
  /** [N, C, H, W] -> [N, C * H * W] */
  flatten(x: T): T;
}

/**
 * Ops composed once in core from primitives (derived-ops.ts), as tinygrad derives tanh from
 * sigmoid: every backend has them through `withDerivedOps`, and a backend may override one
 * where it has a faster kernel. The graph IR never records them (a trace records the
 * primitives they expand to), so no per-op table needs an entry for them.
 */
export interface DerivedOps<T> {
  /** a - b, element-wise, broadcasting as `add`. */
  sub(a: T, b: T): T;
  /** x * x, element-wise (x 4-D). */
  square(x: T): T;
  /** relu6(x + 3) / 6, as PyTorch's `F.hardsigmoid`. */
  hardSigmoid(x: T): T;
  /** x * hardSigmoid(x), as PyTorch's `F.hardswish` (x 4-D). */
  hardSwish(x: T): T;
  /** 2 * sigmoid(2x) - 1. */
  tanh(x: T): T;
  /** a / b = a * reciprocal(b), broadcasting as `mul`. */
  div(a: T, b: T): T;
  /** |x| = relu(x) + relu(-x). */
  abs(x: T): T;
  /**
   * Softmax over the H * W positions of each plane of x [N, C, H, W]:
   * e = exp(x - max over the plane); e / sum over the plane (the max keeps exp from overflowing).
   */
  planeSoftmax(x: T): T;
}

/** What a module or network is written against: the primitives plus the derived ops. */
export interface Ops<T> extends PrimitiveOps<T>, DerivedOps<T> {}

/** Names of the primitive ops, as recorded in the graph IR. */
export type OpName = Exclude<keyof PrimitiveOps<unknown>, 'shape'>;

/** Names of the derived ops. */
export type DerivedOpName = keyof DerivedOps<unknown>;
