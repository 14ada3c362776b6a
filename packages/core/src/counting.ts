import type { Graph, GraphNode } from './graph.js';
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
  'H*W+1 per adaptive-average-pooled output; k per max-pooled output of a k x k kernel (thop multiplied the entries of kernel_size as written: torchvision\'s MaxPool2d(3) counts 3, not 9); ' +
  'ECA\'s Conv1d, sigmoid, mul, max pools over channels or planes and channel means are not counted';

/** Thop-style operations of one node (one call of its module). */
function thopOperations(node: GraphNode, shapeOf: (id: number) => Shape): number {
  const outSize = sizeOf(shapeOf(node.output));
  switch (node.op) {
    case 'conv2d': {
      const [, ig, kh, kw] = shapeOf(node.inputs[1]);
      return outSize * (ig * kh * kw + (node.inputs[2] >= 0 ? 1 : 0));
    }
    case 'linear':
      return outSize * (2 * shapeOf(node.inputs[1])[1] - 1);
    case 'batchNorm':
      return 4 * outSize;
    case 'relu':
    case 'relu6':
      return outSize;
    case 'globalAvgPool': {
      const [, , h, w] = shapeOf(node.inputs[0]);
      return outSize * (h * w + 1);
    }
    case 'maxPool2d': {
      const [kh, kw] = node.attributes.kernel as [number, number];
      return outSize * (kh === kw ? kh : kh * kw);
    }
    default:
      return 0;
  }
}

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
    const outSize = sizeOf(shapeOf(node.output));
    if (node.op === 'conv2d') {
      const [, ig, kh, kw] = shapeOf(node.inputs[1]);
      macs += outSize * ig * kh * kw;
    } else if (node.op === 'linear') {
      macs += outSize * shapeOf(node.inputs[1])[1];
    } else if (node.op === 'channelConv1d') {
      macs += outSize * shapeOf(node.inputs[1])[2];
    }
    if (node.scope !== '') thopByModule.set(`${node.scope}\u0000${node.op}`, thopOperations(node, shapeOf));
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
