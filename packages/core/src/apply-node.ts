import type { GraphNode } from './graph.js';
import type { AvgPool2dAttributes, BatchNormAttributes, ChannelPadding, Conv2dAttributes, MaxPool2dAttributes, OpName, PrimitiveOps, SpatialAxis } from './ops.js';

type NodeCall = <T>(ops: PrimitiveOps<T>, inputs: ReadonlyArray<T | undefined>, attributes: GraphNode['attributes']) => T;

/**
 * Each IR op back to its `Ops` call: the inverse of what the tracer records, so a backend can
 * run a traced graph node by node (tfjs's compiled inference runs a module's graph this way,
 * fusing where it can). An absent optional input (a conv bias) is `undefined`.
 */
const nodeCalls = {
  conv2d: (ops, [x, weight, bias], a) => ops.conv2d(x!, weight!, bias, a as unknown as Conv2dAttributes),
  batchNorm: (ops, [x, weight, bias, runningMean, runningVar], a) =>
    ops.batchNorm(x!, { weight: weight!, bias: bias!, runningMean: runningMean!, runningVar: runningVar! }, a as unknown as BatchNormAttributes),
  relu: (ops, [x]) => ops.relu(x!),
  relu6: (ops, [x]) => ops.relu6(x!),
  sigmoid: (ops, [x]) => ops.sigmoid(x!),
  affine: (ops, [x], a) => ops.affine(x!, a.scale as number, a.offset as number),
  sqrt: (ops, [x]) => ops.sqrt(x!),
  exp: (ops, [x]) => ops.exp(x!),
  reciprocal: (ops, [x]) => ops.reciprocal(x!),
  add: (ops, [a, b]) => ops.add(a!, b!),
  mul: (ops, [x, gate]) => ops.mul(x!, gate!),
  avgPool2d: (ops, [x], a) => ops.avgPool2d(x!, a as unknown as AvgPool2dAttributes),
  resizeNearest: (ops, [x], a) => ops.resizeNearest(x!, a.size as [number, number]),
  axisMean: (ops, [x], a) => ops.axisMean(x!, a.axis as SpatialAxis),
  // The batch as it comes (a graph traced at batch 1 may run on more), the rest as recorded.
  reshape: (ops, [x], a) => ops.reshape(x!, [ops.shape(x!)[0], ...(a.shape as number[]).slice(1)]),
  conv1d: (ops, [x, weight, bias], a) => ops.conv1d(x!, weight!, bias, a.padding as number),
  globalAvgPool: (ops, [x]) => ops.globalAvgPool(x!),
  globalMaxPool: (ops, [x]) => ops.globalMaxPool(x!),
  channelMean: (ops, [x]) => ops.channelMean(x!),
  channelMax: (ops, [x]) => ops.channelMax(x!),
  maxPool2d: (ops, [x], a) => ops.maxPool2d(x!, a as unknown as MaxPool2dAttributes),
  channelConv1d: (ops, [v, weight], a) => ops.channelConv1d(v!, weight!, a.padding as ChannelPadding),
  linear: (ops, [x, weight, bias]) => ops.linear(x!, weight!, bias),
  concatChannels: (ops, xs) => ops.concatChannels(xs as NonNullable<(typeof xs)[number]>[]),
  flatten: (ops, [x]) => ops.flatten(x!),
} satisfies Record<OpName, NodeCall>;

/** Runs one traced node on a backend's ops; `inputs` are the values of `node.inputs`, in order. */
export function applyNode<T>(ops: PrimitiveOps<T>, node: GraphNode, inputs: ReadonlyArray<T | undefined>): T {
  const call: NodeCall = nodeCalls[node.op];
  return call(ops, inputs, node.attributes);
}
