/**
 * Any attention module compiled from its traced graph (core's IR), for `compileInference`: no
 * module id is known here. On weights snapshotted at compile time, in tfjs layout:
 * - an activation (sigmoid, relu, relu6) that is the sole reader of a conv2d (groups 1), linear
 *   or shared channel conv runs inside that op's fused kernel (tf.fused.conv2d / matMul), after
 *   a BatchNorm between them is folded into the conv's kernel and bias;
 * - the shared channel conv runs as one 2-D conv of the pooled [N, 1, C, 1] vector;
 * - every other node runs its tfjs op (`applyNode` over `tfjsOps`), the gate multiply as one
 *   broadcasting multiply.
 * What it fuses and what it cannot is reported per module, so a slow module is never silent.
 */
import { type AttentionInstance, type GraphNode, type NetworkDefinition, type OpName, applyNode, traceNetwork } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionLayer } from './attention-layer.js';
import { tfjsOps } from './tfjs-ops.js';

/** What compiling one attention call did. */
export interface AttentionFusionReport {
  /** The tfjs layer name. */
  layer: string;
  /** The module id. */
  module: string;
  /** IR nodes of the module's forward. */
  nodes: number;
  /** Fused groups, e.g. `channelConv1d+sigmoid`, `conv2d+batchNorm+sigmoid`. */
  fused: string[];
  /** Activations left as separate kernels, each with the reason. */
  notFused: string[];
}

type Activation = 'sigmoid' | 'relu' | 'relu6';
const fusableActivations = new Set<OpName>(['sigmoid', 'relu', 'relu6']);
type Values = Map<number, tf.Tensor>;
type Step = (values: Values) => void;

/** A module's forward as a network on one input, so its graph can be traced. */
function moduleNetwork(instance: AttentionInstance, shape: readonly number[]): NetworkDefinition {
  return { name: instance.id, defaultInputShape: shape, forward: (scope, x) => scope.attention(instance, x) };
}

/**
 * Compiles an AttentionLayer for NHWC inputs of `inputShape` ([N, H, W, C], N may differ at run
 * time). `keep` owns the snapshotted weights (freed by the inference function's dispose).
 */
export function compileAttention(layer: AttentionLayer, inputShape: readonly number[], keep: <T extends tf.Tensor>(t: T) => T): { run: (x: tf.Tensor) => tf.Tensor; report: AttentionFusionReport } {
  const instance = layer.instance;
  const [, h, w, c] = inputShape;
  const graph = traceNetwork(moduleNetwork(instance, [1, c, h, w]));
  const [call] = graph.attention;
  const values: Values = new Map();
  for (const p of graph.params) values.set(p.value, keep(layer.variable(p.name.slice(call.scope.length + 1)).read().clone()));
  const readers = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) for (const id of node.inputs) if (id >= 0) readers.set(id, [...(readers.get(id) ?? []), node]);
  const isOutput = (id: number) => graph.outputs.includes(id);
  /** The node that alone reads `node`'s output, if nothing else (nor the module's output) does. */
  const soleReader = (node: GraphNode): GraphNode | undefined => {
    const list = readers.get(node.output) ?? [];
    return list.length === 1 && !isOutput(node.output) ? list[0] : undefined;
  };

  const report: AttentionFusionReport = { layer: layer.name, module: instance.id, nodes: graph.nodes.length, fused: [], notFused: [] };
  const absorbed = new Set<GraphNode>();
  const steps: Step[] = [];
  const ops = tfjsOps();
  for (const node of graph.nodes) {
    if (absorbed.has(node)) continue;
    let batchNorm = node.op === 'conv2d' ? soleReader(node) : undefined;
    if (batchNorm?.op !== 'batchNorm') batchNorm = undefined;
    const next = soleReader(batchNorm ?? node);
    const activation = next !== undefined && fusableActivations.has(next.op) ? (next.op as Activation) : undefined;
    const fused = fusedStep(node, batchNorm, activation, values, keep);
    if (fused !== undefined) {
      for (const n of [batchNorm, activation === undefined ? undefined : next]) if (n !== undefined) absorbed.add(n);
      const last = activation !== undefined ? next! : (batchNorm ?? node);
      steps.push((v) => v.set(last.output, fused(v)));
      if (activation !== undefined || batchNorm !== undefined) report.fused.push([node.op, batchNorm?.op, activation].filter(Boolean).join('+'));
      continue;
    }
    if (fusableActivations.has(node.op)) {
      const producer = graph.nodes.find((n) => n.output === node.inputs[0]);
      report.notFused.push(`${node.op} after ${producer?.op ?? 'the input'}: no fused kernel for it${producer !== undefined && soleReader(producer) !== node ? ' (its producer has other readers)' : ''}`);
    }
    steps.push((v) => v.set(node.output, applyNode(ops, node, node.inputs.map((id) => (id < 0 ? undefined : v.get(id))))));
  }
  const [output] = graph.outputs;
  const run = (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const v: Values = new Map(values);
      v.set(graph.input, x);
      for (const step of steps) step(v);
      return v.get(output)!;
    });
  return { run, report };
}

/**
 * The fused kernel for a producer (and the BatchNorm and activation after it), or undefined
 * when the producer has none. Weights are tfjs layout: conv2d HWIO, linear [in, out],
 * channel conv [k, 1, 1] shared.
 */
function fusedStep(node: GraphNode, batchNorm: GraphNode | undefined, activation: Activation | undefined, values: Values, keep: <T extends tf.Tensor>(t: T) => T): ((v: Values) => tf.Tensor) | undefined {
  const [input, weightId, biasId] = node.inputs;
  const a = node.attributes;
  if (node.op === 'conv2d' && a.groups === 1) {
    let filter = values.get(weightId) as tf.Tensor4D;
    let bias = biasId >= 0 ? values.get(biasId) : undefined;
    if (batchNorm !== undefined) {
      const [gamma, beta, mean, variance] = batchNorm.inputs.slice(1).map((id) => values.get(id)!);
      // BN(conv(x) + b) = conv(x) * s + (b - mean) * s + beta, with s = gamma / sqrt(var + eps).
      const folded = tf.tidy(() => {
        const scale = tf.div(gamma, tf.sqrt(tf.add(variance, batchNorm.attributes.eps as number)));
        return { filter: tf.mul(filter, scale) as tf.Tensor4D, bias: tf.add(tf.mul(tf.sub(bias ?? tf.zerosLike(mean), mean), scale), beta) };
      });
      filter = keep(folded.filter);
      bias = keep(folded.bias);
    }
    const [ph, pw] = a.padding as [number, number];
    const pad: number | [[number, number], [number, number], [number, number], [number, number]] = ph === pw ? ph : [[0, 0], [ph, ph], [pw, pw], [0, 0]];
    const strides = a.stride as [number, number];
    const dilations = a.dilation as [number, number];
    return (v) => tf.fused.conv2d({ x: v.get(input) as tf.Tensor4D, filter, bias, strides, pad, dilations, activation: activation ?? 'linear' });
  }
  if (node.op === 'linear' && activation !== undefined) {
    const weight = values.get(weightId) as tf.Tensor2D;
    const bias = biasId >= 0 ? values.get(biasId) : undefined;
    return (v) => {
      const x = v.get(input)!;
      const n = x.shape[0];
      const y = tf.fused.matMul({ a: tf.reshape(x, [n, -1]) as tf.Tensor2D, b: weight, bias, activation });
      return x.rank === 4 ? tf.reshape(y, [n, 1, 1, weight.shape[1]]) : y;
    };
  }
  const weight = node.op === 'channelConv1d' ? values.get(weightId) : undefined;
  if (weight !== undefined && a.shared === true && activation !== undefined) {
    const k = weight.shape[0];
    const half = (k - 1) / 2;
    const filter = keep(tf.reshape(weight, [1, k, 1, 1])) as tf.Tensor4D;
    const circular = a.padding === 'circular';
    return (v) => {
      const x = v.get(input)!;
      const [n, , , c] = x.shape as number[];
      // z_i = sum_t w[t] y[i + t - half]: a 1 x k conv over the pooled vector seen as [N, 1, C, 1].
      let row = tf.reshape(x, [n, c]);
      if (circular && half > 0) {
        // Stryker disable next-line ArithmeticOperator: more copies than needed give the same window (the tiled row has period c)
        const copies = Math.ceil(half / c);
        row = tf.slice(tf.tile(row, [1, 2 * copies + 1]), [0, copies * c - half], [n, c + 2 * half]);
      }
      const conv = tf.fused.conv2d({ x: tf.reshape(row, [n, 1, -1, 1]) as tf.Tensor4D, filter, strides: 1, pad: circular || half === 0 ? 'valid' : 'same', activation });
      return tf.reshape(conv, [n, 1, 1, c]);
    };
  }
  return undefined;
}
