/**
 * One op of the core graph IR -> ONNX nodes (NCHW), written once for the top-level graph and for
 * the bodies of model-local functions. Every choice here is about where and how fast the graph
 * runs; no number (k, padding, reduced channels) is decided here: they come from the IR.
 *
 * The channel conv of the ECA family runs as a 2-D Conv over [N, 1, 1, C] (Reshape of
 * [N, C, 1, 1], which has the same memory layout, so no Transpose): onnxruntime-web's WebGL has
 * no 1-D Conv, and a 1 x k 2-D Conv runs on every execution provider.
 */
import { AttnkitError, ErrorCodes, type GraphNode, type OpName, type Shape } from '@attnkit/core';
import type { OnnxAttribute } from './onnx-model.js';
import { attr } from './model-builders.js';

/** Where translated nodes go: the main graph or a function body. */
export interface NodeSink {
  readonly opset: number;
  /** Adds a node; returns its (first) output name. `output` names the output when given. */
  node(opType: string, inputs: readonly string[], attributes?: OnnxAttribute[], output?: string): string;
  /** An int64 constant (a shape, axes, starts/ends). */
  int64(values: readonly number[], dims?: readonly number[]): string;
  /** A float32 constant. */
  float32(values: readonly number[], dims: readonly number[]): string;
}

/** Lowering choices that change the graph, never its values. */
export interface TranslateOptions {
  /**
   * How a channel gate x [N, C, H, W] * a [N, C, 1, 1] is written: `'expanded'` (default) keeps
   * onnxruntime's CPU provider in its NCHWc layout (see `channelGate`), `'broadcast'` is one
   * broadcasting `Mul` (fewest nodes).
   */
  gateMul?: 'expanded' | 'broadcast';
}

/** Max int64, as Slice takes for "to the end". */
const INT64_MAX = Number.MAX_SAFE_INTEGER;

/** Unsqueeze: axes are an input from opset 13, an attribute before (insertion into older models). */
function unsqueeze(sink: NodeSink, x: string, axes: number[]): string {
  return sink.opset >= 13 ? sink.node('Unsqueeze', [x, sink.int64(axes, [axes.length])]) : sink.node('Unsqueeze', [x], [attr.ints('axes', axes)]);
}

/** ReduceMean / ReduceMax / ReduceSum over `axes`: axes are an input from opset 18 (13 for ReduceSum). */
function reduce(sink: NodeSink, opType: 'ReduceMean' | 'ReduceMax' | 'ReduceSum', x: string, axes: number[], output?: string): string {
  const keep = attr.int('keepdims', 1);
  const axesAsInput = opType === 'ReduceSum' ? sink.opset >= 13 : sink.opset >= 18;
  if (axesAsInput) return sink.node(opType, [x, sink.int64(axes, [axes.length])], [keep], output);
  return sink.node(opType, [x], [attr.ints('axes', axes), keep], output);
}

/** What one op's translation receives. */
interface TranslateContext {
  sink: NodeSink;
  node: GraphNode;
  /** ONNX names of the node's IR inputs ('' for an absent optional input). */
  inputs: readonly string[];
  shapeOf: (id: number) => Shape;
  output: string | undefined;
  options: TranslateOptions;
}

const unary =
  (opType: string) =>
  ({ sink, inputs, output }: TranslateContext): string =>
    sink.node(opType, [inputs[0]], [], output);

/** Every op's ONNX nodes. An op added to `Ops` fails to compile here until it has a translation. */
const translations = {
  conv2d: ({ sink, node, inputs, output }) => {
    const a = node.attributes;
    const [kh, kw] = a.kernel as [number, number];
    const [ph, pw] = a.padding as [number, number];
    return sink.node(
      'Conv',
      inputs[2] ? [inputs[0], inputs[1], inputs[2]] : [inputs[0], inputs[1]],
      [
        attr.ints('dilations', a.dilation as number[]),
        attr.int('group', a.groups as number),
        attr.ints('kernel_shape', [kh, kw]),
        attr.ints('pads', [ph, pw, ph, pw]),
        attr.ints('strides', a.stride as number[]),
      ],
      output,
    );
  },
  batchNorm: ({ sink, node, inputs, output }) => sink.node('BatchNormalization', inputs.slice(0, 5), [attr.float('epsilon', node.attributes.eps as number)], output),
  relu: unary('Relu'),
  relu6: ({ sink, inputs, output }) => sink.node('Clip', [inputs[0], sink.float32([0], []), sink.float32([6], [])], [], output),
  sigmoid: unary('Sigmoid'),
  affine: ({ sink, node, inputs, output }) => {
    const { scale, offset } = node.attributes as { scale: number; offset: number };
    if (offset === 0) return sink.node('Mul', [inputs[0], sink.float32([scale], [])], [], output);
    const scaled = scale === 1 ? inputs[0] : sink.node('Mul', [inputs[0], sink.float32([scale], [])]);
    return sink.node('Add', [scaled, sink.float32([offset], [])], [], output);
  },
  sqrt: unary('Sqrt'),
  exp: unary('Exp'),
  reciprocal: unary('Reciprocal'),
  add: ({ sink, node, inputs, shapeOf, output }) => sink.node('Add', [inputs[0], channelVector(sink, node, inputs, shapeOf)], [], output),
  mul: ({ sink, node, inputs, shapeOf, options, output }) => channelGate(sink, node, [inputs[0], channelVector(sink, node, inputs, shapeOf)], shapeOf, options, output),
  // Shape 0 keeps the batch dimension as it comes (the rest is static in the IR).
  reshape: ({ sink, node, inputs, output }) => sink.node('Reshape', [inputs[0], sink.int64([0, ...(node.attributes.shape as number[]).slice(1)], [4])], [], output),
  conv1d: ({ sink, node, inputs, output }) => {
    const { padding, kernel } = node.attributes as { padding: number; kernel: number };
    // [Cout, Cin, k] -> [Cout, Cin, k, 1], constant-folded: a 2-D Conv along H runs on every execution provider.
    const weight = unsqueeze(sink, inputs[1], [3]);
    return sink.node('Conv', inputs[2] ? [inputs[0], weight, inputs[2]] : [inputs[0], weight], [attr.ints('kernel_shape', [kernel, 1]), attr.ints('pads', [padding, 0, padding, 0])], output);
  },
  resizeNearest: ({ sink, node, inputs, output }) => {
    // sizes = [N, C] of x (as it comes) followed by the static [H, W].
    const batchAndChannels = sink.node('Slice', [sink.node('Shape', [inputs[0]]), sink.int64([0], [1]), sink.int64([2], [1]), sink.int64([0], [1])]);
    const sizes = sink.node('Concat', [batchAndChannels, sink.int64(node.attributes.size as number[], [2])], [attr.int('axis', 0)]);
    return sink.node('Resize', [inputs[0], '', '', sizes], [attr.string('coordinate_transformation_mode', 'asymmetric'), attr.string('mode', 'nearest'), attr.string('nearest_mode', 'floor')], output);
  },
  axisMean: ({ sink, node, inputs, output }) => reduce(sink, 'ReduceMean', inputs[0], [node.attributes.axis === 'height' ? 2 : 3], output),
  globalAvgPool: unary('GlobalAveragePool'),
  globalMaxPool: unary('GlobalMaxPool'),
  channelMean: ({ sink, inputs, output }) => reduce(sink, 'ReduceMean', inputs[0], [1], output),
  channelMax: ({ sink, inputs, output }) => reduce(sink, 'ReduceMax', inputs[0], [1], output),
  maxPool2d: ({ sink, node, inputs, output }) => {
    const a = node.attributes;
    const [ph, pw] = a.padding as [number, number];
    return sink.node(
      'MaxPool',
      [inputs[0]],
      [attr.int('ceil_mode', 0), attr.ints('kernel_shape', a.kernel as number[]), attr.ints('pads', [ph, pw, ph, pw]), attr.ints('strides', a.stride as number[])],
      output,
    );
  },
  // ceil_mode and pads as PyTorch exports them; count_include_pad = 0 divides each window by the
  // values inside (padding and a ceil-mode overhang left out), PyTorch's result.
  avgPool2d: ({ sink, node, inputs, output }) => {
    const a = node.attributes;
    const [ph, pw] = (a.padding as [number, number] | undefined) ?? [0, 0];
    return sink.node(
      'AveragePool',
      [inputs[0]],
      [
        attr.int('ceil_mode', a.ceilMode ? 1 : 0),
        attr.int('count_include_pad', 0),
        attr.ints('kernel_shape', a.kernel as number[]),
        attr.ints('pads', [ph, pw, ph, pw]),
        attr.ints('strides', a.stride as number[]),
      ],
      output,
    );
  },
  channelConv1d: ({ sink, node, inputs, shapeOf, output }) => channelConv(sink, node, inputs, shapeOf, output),
  linear: ({ sink, node, inputs, shapeOf, output }) => {
    const [x, weight, bias] = inputs;
    if (shapeOf(node.inputs[0]).length === 2) {
      return sink.node('Gemm', bias ? [x, weight, bias] : [x, weight], [attr.float('alpha', 1), attr.float('beta', 1), attr.int('transB', 1)], output);
    }
    // On a channel vector [N, F, 1, 1]: a 1x1 Conv keeps NCHW (no Flatten / Unsqueeze around
    // it); the [out, F] -> [out, F, 1, 1] Unsqueeze of an initializer is constant-folded.
    const kernel = unsqueeze(sink, weight, [2, 3]);
    return sink.node('Conv', bias ? [x, kernel, bias] : [x, kernel], [attr.ints('kernel_shape', [1, 1])], output);
  },
  concatChannels: ({ sink, inputs, output }) => sink.node('Concat', inputs, [attr.int('axis', 1)], output),
  flatten: ({ sink, inputs, output }) => sink.node('Flatten', [inputs[0]], [attr.int('axis', 1)], output),
} satisfies Record<OpName, (context: TranslateContext) => string>;

/**
 * The second operand of `add` / `mul`, as ONNX broadcasts it: a 1-D per-channel vector [C]
 * (LayerNorm's weight) becomes [C, 1, 1], since ONNX aligns trailing axes (a constant-folded
 * Reshape of an initializer).
 */
function channelVector(sink: NodeSink, node: GraphNode, inputs: readonly string[], shapeOf: (id: number) => Shape): string {
  const [a, b] = [shapeOf(node.inputs[0]), shapeOf(node.inputs[1])];
  if (a.length !== 4 || b.length !== 1) return inputs[1];
  return sink.node('Reshape', [inputs[1], sink.int64([-1, 1, 1], [3])]);
}

/**
 * Translates one IR node. `inputs` are the ONNX names of the node's IR inputs ('' for an absent
 * optional input such as a conv bias); `shapeOf` gives IR shapes by value id.
 */
export function translateOp(sink: NodeSink, node: GraphNode, inputs: readonly string[], shapeOf: (id: number) => Shape, output?: string, options: TranslateOptions = {}): string {
  const translate: ((context: TranslateContext) => string) | undefined = Object.hasOwn(translations, node.op) ? translations[node.op] : undefined;
  // Graphs arrive from outside the type system too (a hand-built or deserialized IR).
  if (translate === undefined) throw new AttnkitError(ErrorCodes.UNSUPPORTED, `the ONNX emitter has no translation for op '${String(node.op)}'`, { op: node.op });
  return translate({ sink, node, inputs, shapeOf, output, options });
}

/**
 * z_i = sum_t w[t] y[i + t - h] (shared, [1, 1, k]) or sum_t w[i, t] y[i + t - h] (per channel,
 * [C, 1, k]) over the channel vector y [N, C, 1, 1], h = (k - 1) / 2, zero or circular ends.
 */
function channelConv(sink: NodeSink, node: GraphNode, inputs: readonly string[], shapeOf: (id: number) => Shape, output?: string): string {
  const [v, weight] = inputs;
  const [, channels] = shapeOf(node.inputs[0]);
  const [out, , k] = shapeOf(node.inputs[1]);
  const half = (k - 1) / 2;
  const circular = node.attributes.padding === 'circular';
  if (circular && half > channels) {
    throw new AttnkitError(ErrorCodes.UNSUPPORTED, `circular channel conv with k = ${k} wraps more than once around ${channels} channels; use k <= ${2 * channels + 1}`, { kernelSize: k, channels });
  }
  // [N, C, 1, 1] and [N, 1, 1, C] share one memory layout: Reshape, no Transpose.
  let row = sink.node('Reshape', [v, sink.int64([0, 1, 1, -1], [4])]);
  if (circular && half > 0) {
    // Before opset 10 (insertion into older models) Slice takes starts / ends / axes as attributes.
    const slice = (start: number, end: number) =>
      sink.opset >= 10
        ? sink.node('Slice', [row, sink.int64([start], [1]), sink.int64([end], [1]), sink.int64([3], [1])])
        : sink.node('Slice', [row], [attr.ints('starts', [start]), attr.ints('ends', [end]), attr.ints('axes', [3])]);
    const left = slice(-half, INT64_MAX);
    const right = slice(0, half);
    row = sink.node('Concat', [left, row, right], [attr.int('axis', 3)]);
  }
  const pads = attr.ints('pads', circular ? [0, 0, 0, 0] : [0, half, 0, half]);
  let z: string;
  if (out === 1) {
    const kernel = sink.node('Reshape', [weight, sink.int64([1, 1, 1, k], [4])]);
    z = sink.node('Conv', [row, kernel], [attr.ints('kernel_shape', [1, k]), pads]);
  } else if (k === 1) {
    z = sink.node('Mul', [row, sink.node('Reshape', [weight, sink.int64([1, 1, 1, -1], [4])])]);
  } else {
    // Per-channel kernels: a one-hot Conv gathers the k neighbours of every channel into
    // [N, k, 1, C], then a multiply by w^T [1, k, 1, C] and a sum over k.
    const eye = new Array<number>(k * k).fill(0);
    for (let t = 0; t < k; t++) eye[t * k + t] = 1;
    const neighbours = sink.node('Conv', [row, sink.float32(eye, [k, 1, 1, k])], [attr.ints('kernel_shape', [1, k]), pads]);
    const flat = sink.node('Reshape', [weight, sink.int64([-1, k], [2])]);
    const taps = sink.node('Reshape', [sink.node('Transpose', [flat], [attr.ints('perm', [1, 0])]), sink.int64([1, k, 1, -1], [4])]);
    z = reduce(sink, 'ReduceSum', sink.node('Mul', [neighbours, taps]), [1]);
  }
  return sink.node('Reshape', [z, sink.int64([0, -1, 1, 1], [4])], [], output);
}

/**
 * x [N, C, H, W] * a [N, C, 1, 1], the channel gate of ECA, SE and CBAM. `'expanded'` (default)
 * spells the broadcast out: `MaxPool` 1x1 (an identity) and `Resize` nearest to x's shape, then a
 * `Mul` of two equal shapes. onnxruntime's CPU provider keeps convolutions in its blocked NCHWc
 * layout and converts the 1x1 pool (it reorders the C-long gate in), the nearest `Resize`
 * (upsample) and an equal-shape `Mul`, so x, the gated output, the residual `Add` and its `Relu`
 * all stay blocked; a broadcasting `Mul` is never converted and costs a reorder out of the
 * convolution's output, of the shortcut and back in before the next convolution. Values are
 * identical (nearest replication with integer scales, and an identity pool). The body does not
 * depend on H, W (a 1 x 1 x is a copy), so one function still serves every stage. Channel counts
 * that are not a multiple of 8 (no NCHWc block) keep the plain broadcasting `Mul`.
 */
function channelGate(sink: NodeSink, node: GraphNode, inputs: readonly string[], shapeOf: (id: number) => Shape, options: TranslateOptions, output?: string): string {
  const [x, gate] = inputs;
  const xs = shapeOf(node.inputs[0]);
  const gs = shapeOf(node.inputs[1]);
  const isChannelGate = xs.length === 4 && gs.length === 4 && gs[0] === xs[0] && gs[1] === xs[1] && gs[2] === 1 && gs[3] === 1;
  if ((options.gateMul ?? 'expanded') === 'broadcast' || !isChannelGate || xs[1] % 8 !== 0) return sink.node('Mul', [x, gate], [], output);
  const blocked = sink.node('MaxPool', [gate], [attr.ints('kernel_shape', [1, 1])]);
  const wide = sink.node('Resize', [blocked, '', '', sink.node('Shape', [x])], [
    attr.string('coordinate_transformation_mode', 'asymmetric'),
    attr.string('mode', 'nearest'),
    attr.string('nearest_mode', 'floor'),
  ]);
  return sink.node('Mul', [x, wide], [], output);
}

/** The ONNX opsets the emitter and the inserter can meet. */
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
export const DEFAULT_OPSET = 17;

/** Throws UNSUPPORTED_OPSET unless MIN_OPSET <= opset <= MAX_OPSET. */
export function checkOpset(opset: unknown, what = 'opset'): number {
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new AttnkitError(
      ErrorCodes.UNSUPPORTED_OPSET,
      `${what} ${String(opset)} is not supported: attnkit emits ONNX opsets ${MIN_OPSET} to ${MAX_OPSET} (${DEFAULT_OPSET} by default; 13 for older runtimes)`,
      { opset, min: MIN_OPSET, max: MAX_OPSET },
    );
  }
  return opset;
}

/** The IR version that goes with an opset (functions need IR >= 8). */
export function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}
