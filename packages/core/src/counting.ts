import type { Graph } from './graph.js';
import { initializeParameter } from './initializer.js';
import { type Tensor, sizeOf } from './tensor.js';

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
  'thop-style (the old thop the ECA-Net paper used): conv MACs (+1 per output for a bias), linear MACs (its bias not counted), 4 per BatchNorm element, 1 per ReLU/ReLU6 element, H*W+1 per adaptive-average-pooled output, kernel size per max-pooled output; sigmoid, add and mul are not counted';

/** Parameters, MACs and thop-style FLOPs read from the IR. */
export function countCosts(graph: Graph): CostReport {
  let parameters = 0;
  let buffers = 0;
  for (const p of graph.params) {
    if (p.spec.trainable) parameters += sizeOf(p.spec.shape);
    else buffers += sizeOf(p.spec.shape);
  }
  let macs = 0;
  let flops = 0;
  const shapeOf = (id: number) => graph.values[id].shape;
  for (const node of graph.nodes) {
    const out = shapeOf(node.output);
    const outSize = sizeOf(out);
    switch (node.op) {
      case 'conv2d': {
        const [, ig, kh, kw] = shapeOf(node.inputs[1]);
        const m = outSize * ig * kh * kw;
        macs += m;
        flops += m + (node.inputs[2] >= 0 ? outSize : 0);
        break;
      }
      case 'linear': {
        const [, inF] = shapeOf(node.inputs[1]);
        const m = outSize * inF;
        macs += m;
        flops += m;
        break;
      }
      case 'channelConv1d': {
        const k = shapeOf(node.inputs[1])[2];
        macs += outSize * k;
        flops += outSize * k;
        break;
      }
      case 'batchNorm':
        flops += 4 * outSize;
        break;
      case 'relu':
      case 'relu6':
        flops += outSize;
        break;
      case 'globalAvgPool': {
        const [, , h, w] = shapeOf(node.inputs[0]);
        flops += outSize * (h * w + 1);
        break;
      }
      case 'maxPool2d': {
        const [kh, kw] = node.attributes.kernel as [number, number];
        flops += outSize * kh * kw;
        break;
      }
      default:
        break;
    }
  }
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
