import type { Graph, GraphNode } from './graph.js';
import type { OpName } from './ops.js';
import { initializeParameter } from './initializer.js';
import { type Shape, type Tensor, sizeOf } from './tensor.js';

/** Costs of a traced graph, each with its unit and convention stated. */
export interface CostReport {
  /** Trainable parameters, PyTorch convention (BatchNorm running statistics are buffers). */
  parameters: number;
  /** Non-trainable buffers (BatchNorm running mean and variance). */
  buffers: number;
  /** Multiply-accumulates of conv2d, linear and the channel conv, for the traced batch. */
  macs: number;
  flops: {
    value: number;
    unit: 'operations';
    convention: string;
  };
  /** Input shape the costs were counted at. */
  inputShape: readonly number[];
}

export const THOP_CONVENTION =
  'thop-style, as the old thop the ECA-Net paper used (calibrated: ResNet-50 3.8582 G, ECA-ResNet-50 k3557 3.8634 G, MobileNetV2 319.36 M, ECA-MobileNetV2 319.91 M in 1024^k units). ' +
  'It counts what modules do, once per module: old thop overwrote a module\'s count at each call, so a module called several times (torchvision ResNet\'s shared block ReLU, CBAM\'s shared MLP) counts its last call; ' +
  'ops outside any module (functional calls such as torch.flatten, F.adaptive_avg_pool2d, x + y) are not counted. ' +
  'Per output element: conv kernel MACs (+1 with a bias); linear 2*in-1 (multiplies and adds; bias not counted); 4 per BatchNorm element; 1 per ReLU/ReLU6 element; ' +
  'H*W+1 per adaptive-average-pooled output; k per max-pooled output of a k x k kernel (thop multiplied the entries of kernel_size as written: torchvision\'s MaxPool2d(3) counts 3, not 9) and k+1 per average-pooled output (timm\'s AvgPool2d(2) counts 3); ' +
  'ECA\'s Conv1d, sigmoid, affine (scalar) arithmetic, mul, max pools over channels or planes and channel means are not counted';

type ShapeOf = (id: number) => Shape;

/** What one node of an op costs: its MACs, and its thop-style operations (one call of its module). */
interface OpCost {
  macs(node: GraphNode, shapeOf: ShapeOf): number;
  thop(node: GraphNode, shapeOf: ShapeOf): number;
}

const outSize = (node: GraphNode, shapeOf: ShapeOf): number => sizeOf(shapeOf(node.output));
const free = (): number => 0;
/** An op the thop convention does not count and that multiplies nothing (see THOP_CONVENTION). */
const uncounted: OpCost = { macs: free, thop: free };
const perElement = (operations: number): OpCost => ({ macs: free, thop: (node, shapeOf) => operations * outSize(node, shapeOf) });

/** Every op's cost. An op added to `Ops` fails to compile here until it states its cost. */
const opCosts = {
  conv2d: {
    macs: (node, shapeOf) => {
      const [, ig, kh, kw] = shapeOf(node.inputs[1]);
      return outSize(node, shapeOf) * ig * kh * kw;
    },
    thop: (node, shapeOf) => {
      const [, ig, kh, kw] = shapeOf(node.inputs[1]);
      return outSize(node, shapeOf) * (ig * kh * kw + (node.inputs[2] >= 0 ? 1 : 0));
    },
  },
  linear: {
    macs: (node, shapeOf) => outSize(node, shapeOf) * shapeOf(node.inputs[1])[1],
    thop: (node, shapeOf) => outSize(node, shapeOf) * (2 * shapeOf(node.inputs[1])[1] - 1),
  },
  channelConv1d: { macs: (node, shapeOf) => outSize(node, shapeOf) * shapeOf(node.inputs[1])[2], thop: free },
  conv1d: {
    macs: (node, shapeOf) => {
      const [, ig, k] = shapeOf(node.inputs[1]);
      return outSize(node, shapeOf) * ig * k;
    },
    thop: (node, shapeOf) => {
      const [, ig, k] = shapeOf(node.inputs[1]);
      return outSize(node, shapeOf) * (ig * k + (node.inputs[2] >= 0 ? 1 : 0));
    },
  },
  batchNorm: perElement(4),
  relu: perElement(1),
  relu6: perElement(1),
  globalAvgPool: {
    macs: free,
    thop: (node, shapeOf) => {
      const [, , h, w] = shapeOf(node.inputs[0]);
      return outSize(node, shapeOf) * (h * w + 1);
    },
  },
  maxPool2d: {
    macs: free,
    thop: (node, shapeOf) => {
      const [kh, kw] = node.attributes.kernel as [number, number];
      return outSize(node, shapeOf) * (kh === kw ? kh : kh * kw);
    },
  },
  // thop's count_avgpool: the kernel entries as written plus one division per output.
  avgPool2d: {
    macs: free,
    thop: (node, shapeOf) => {
      const [kh, kw] = node.attributes.kernel as [number, number];
      return outSize(node, shapeOf) * ((kh === kw ? kh : kh * kw) + 1);
    },
  },
  sigmoid: uncounted,
  affine: uncounted,
  sqrt: uncounted,
  exp: uncounted,
  reciprocal: uncounted,
  axisMean: uncounted,
  resizeNearest: uncounted,
  reshape: uncounted,
  add: uncounted,
  mul: uncounted,
  globalMaxPool: uncounted,
  channelMean: uncounted,
  channelMax: uncounted,
  concatChannels: uncounted,
  flatten: uncounted,
} satisfies Record<OpName, OpCost>;

/** Parameters, MACs and thop-style FLOPs read from the IR. */
export function countCosts(graph: Graph): CostReport {
  let parameters = 0;
  let buffers = 0;
  for (const p of graph.params) {
    if (p.spec.trainable) parameters += sizeOf(p.spec.shape);
    else buffers += sizeOf(p.spec.shape);
  }
  let macs = 0;
  // Last call of each (module, op): old thop's per-module count, overwritten at every call.
  const thopByModule = new Map<string, number>();
  const shapeOf = (id: number) => graph.values[id].shape;
  for (const node of graph.nodes) {
    const cost: OpCost = opCosts[node.op];
    macs += cost.macs(node, shapeOf);
    if (node.scope !== '') thopByModule.set(`${node.scope}\u0000${node.op}`, cost.thop(node, shapeOf));
  }
  let flops = 0;
  for (const value of thopByModule.values()) flops += value;
  return { parameters, buffers, macs, flops: { value: flops, unit: 'operations', convention: THOP_CONVENTION }, inputShape: shapeOf(graph.input) };
}

/** Seeded weights for every parameter and buffer a graph declares, by full name. */
export function initializeWeights(graph: Graph, seed = 0): Map<string, Tensor> {
  const weights = new Map<string, Tensor>();
  for (const p of graph.params) weights.set(p.name, initializeParameter(p.spec, seed, p.name));
  return weights;
}

/** The paper's binary units: 25,557,032 parameters -> "24.37M" (divided by 1024^2). */
export function toBinaryUnits(value: number, power: 2 | 3): number {
  return value / 1024 ** power;
}
