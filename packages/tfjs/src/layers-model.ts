/**
 * Builds a functional `tf.LayersModel` from core's traced graph IR (any NetworkDefinition: the
 * zoo's backbones or a user's own), with standard tfjs layers named after PyTorch module paths
 * and one AttentionLayer per attention call. NHWC inside, as every tfjs model.
 *
 * Porting traps handled here (docs/paper.md section 6): PyTorch's symmetric conv padding is "same"
 * in TF only at stride 1 with pad (k-1)/2; everywhere else we pad explicitly and convolve
 * "valid". Max pooling pads with -inf. BatchNorm momentum 0.1 (PyTorch) is 0.9 in TF terms.
 */
import {
  type AttentionCall,
  type AttentionSpec,
  AttnkitError,
  type AvgPool2dAttributes,
  checkGraphOrder,
  ErrorCodes,
  formatShape,
  fullAvgPool2dAttributes,
  type Graph,
  type GraphNode,
  type GraphParameter,
  type OpName,
  shapesEqual,
  type Tensor,
} from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AttentionLayer, setCanonicalWeights } from './attention-layer.js';
import { toTfjsLayout } from './layout.js';
import { CeilAveragePooling2D, averagePoolPadding } from './average-pooling.js';
import { MaxPoolPadding2D } from './max-pool-padding.js';

export interface ToLayersModelOptions {
  /** Model name; the graph's name by default. */
  name?: string;
}

/** A value of the IR realized as a symbolic tensor. */
interface Realized {
  tensor: tfl.SymbolicTensor;
  /**
   * `nhwc`: canonical [N, C, H, W] held as [N, H, W, C]; `vector`: canonical [N, C, 1, 1] or
   * [N, C] held as [N, C] (GlobalAveragePooling2D's output, a Dense input).
   */
  form: 'nhwc' | 'vector';
}

/** A layer we created and the canonical parameter names it takes, in tfjs weight order. */
interface Pending {
  layer: tfl.layers.Layer;
  params: GraphParameter[];
  depthwise?: boolean;
}

const parentPath = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('.')));

/** The spec that rebuilds a traced call exactly: the k it chose is passed as a fixed value. */
export function attentionSpecOf(call: AttentionCall): AttentionSpec {
  const spec: Record<string, unknown> = { type: call.id, ...call.options };
  if (call.config.kernelSize !== undefined && 'kernelSize' in call.options) spec.kernelSize = call.config.kernelSize;
  return spec as AttentionSpec;
}

function checkWeights(graph: Graph, weights: ReadonlyMap<string, Tensor>): void {
  const missing = graph.params.filter((p) => !weights.has(p.name)).map((p) => p.name);
  if (missing.length > 0) {
    throw new AttnkitError(
      ErrorCodes.UNKNOWN_PARAMETER,
      `no value for ${missing.length} parameter(s) of ${graph.name}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}; initialize them (initializeWeights) or load a checkpoint that has them`,
      { missing },
    );
  }
  for (const p of graph.params) {
    const value = weights.get(p.name)!;
    if (!shapesEqual(value.shape, p.spec.shape)) {
      throw new AttnkitError(
        ErrorCodes.SHAPE_MISMATCH,
        `parameter '${p.name}' has shape ${formatShape(value.shape)} but ${graph.name} declares ${formatShape(p.spec.shape)}`,
        { name: p.name, expected: p.spec.shape, actual: value.shape },
      );
    }
  }
}

/**
 * `toLayersModel(traceNetwork(resnet18({ attention: 'eca' }), [1, 3, 224, 224]), weights)`:
 * a LayersModel that takes NHWC input of the traced H and W and computes what the reference
 * interpreter computes on the NCHW input. Weights are canonical (PyTorch layout, by full name)
 * and transposed on the way in; the model owns copies.
 *
 * @throws AttnkitError UNKNOWN_PARAMETER / SHAPE_MISMATCH when `weights` does not match the
 *   graph; UNSUPPORTED for an op outside an attention call that has no standard tfjs layer
 *   (grouped convolutions other than depthwise, channel/spatial broadcasts).
 */
export function toLayersModel(graph: Graph, weights: ReadonlyMap<string, Tensor>, options: ToLayersModelOptions = {}): tfl.LayersModel {
  checkGraphOrder(graph);
  checkWeights(graph, weights);
  const inputShape = graph.values[graph.input].shape;
  if (inputShape.length !== 4) {
    throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `toLayersModel needs an [N, C, H, W] input, the graph has ${formatShape(inputShape)}`, { shape: inputShape });
  }
  const [, channels, height, width] = inputShape;
  const paramsByValue = new Map(graph.params.map((p) => [p.value, p]));
  const producers = new Map<number, GraphNode>(graph.nodes.map((n) => [n.output, n]));
  const attentionByFirstNode = new Map(graph.attention.map((call) => [call.firstNode, call]));

  const used = new Set<string>();
  const uniqueName = (name: string): string => {
    let candidate = name;
    for (let i = 1; used.has(candidate); i++) candidate = `${name}_${i}`;
    used.add(candidate);
    return candidate;
  };

  // The module path a parameter-free node belongs to, e.g. `layer1.0` for the ReLU after
  // `layer1.0.bn1`: PyTorch's activations and adds have no parameters, so they take the path
  // of the block that produced their first input.
  const blockPath = (valueId: number): string => {
    const node = producers.get(valueId);
    if (node === undefined) return '';
    if (node.inputs.some((id) => paramsByValue.has(id))) return parentPath(node.scope);
    const first = node.inputs.find((id) => id >= 0);
    return first === undefined ? '' : blockPath(first);
  };
  // Parameter-free modules a network declares (`Scope.module`) carry their own path; for the
  // rest, activations and adds take the path of the block that produced their first input and
  // pooling layers their torchvision name at the top level.
  const paramName = (node: GraphNode, op: string): string => {
    if (node.scope) return uniqueName(node.scope);
    const path = blockPath(node.inputs[0]);
    return uniqueName(path ? `${path}.${op}` : op);
  };
  const topName = (node: GraphNode, op: string): string => uniqueName(node.scope || op);

  const input = tfl.input({ shape: [height, width, channels], name: uniqueName('input') });
  const realized = new Map<number, Realized>([[graph.input, { tensor: input, form: 'nhwc' }]]);
  const pending: Pending[] = [];
  const attentionLayers: Array<{ layer: AttentionLayer; call: AttentionCall }> = [];

  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]): tfl.SymbolicTensor =>
    layer.apply(x) as tfl.SymbolicTensor;
  const get = (id: number): Realized => {
    const value = realized.get(id);
    if (value === undefined) throw new AttnkitError(ErrorCodes.INTERNAL, `value ${id} is used before it is computed`, { id });
    return value;
  };
  /** The NHWC 4-D form of a value (a pooled vector [N, C] becomes [N, 1, 1, C]). */
  const as4d = (id: number, name: string): tfl.SymbolicTensor => {
    const value = get(id);
    if (value.form === 'nhwc') return value.tensor;
    const c = graph.values[id].shape[1];
    return apply(tfl.layers.reshape({ targetShape: [1, 1, c], name: uniqueName(`${name}.reshape`) }), value.tensor);
  };
  const unsupported = (node: GraphNode, why: string): never => {
    throw new AttnkitError(ErrorCodes.UNSUPPORTED, `${node.op} at '${node.scope || '(top level)'}' has no tfjs layer: ${why}`, { op: node.op, scope: node.scope });
  };

  const set = (node: GraphNode, tensor: tfl.SymbolicTensor, form: Realized['form'] = 'nhwc') => realized.set(node.output, { tensor, form });
  const paramsOf = (ids: number[]) => ids.filter((id) => id >= 0).map((id) => paramsByValue.get(id)!);
  /** Ops only attention modules use: they run inside the AttentionLayer of their call. */
  const attentionOnly = (node: GraphNode): never => unsupported(node, 'only attention modules (AttentionLayer) may use it');
  const reLU = (node: GraphNode, maxValue?: number) => {
    const x = get(node.inputs[0]);
    set(node, apply(tfl.layers.reLU({ maxValue, name: paramName(node, node.op) }), x.tensor), x.form);
  };
  /** How each op outside an attention call becomes layers. */
  const realizeOp = {
    conv2d: (node) => {
      const [x, weightId, biasId] = node.inputs;
      const a = node.attributes as { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number; kernel: [number, number] };
      const inChannels = graph.values[x].shape[1];
      const depthwise = a.groups > 1 && a.groups === inChannels && graph.values[node.output].shape[1] === inChannels;
      if (a.groups > 1 && !depthwise) unsupported(node, `groups ${a.groups} is neither 1 nor depthwise (groups = in = out channels)`);
      const [ph, pw] = a.padding;
      const [kh, kw] = a.kernel;
      // TF "same" equals PyTorch's symmetric padding only at stride 1, dilation 1, pad (k-1)/2.
      const sameAgrees = a.stride[0] === 1 && a.stride[1] === 1 && a.dilation[0] === 1 && a.dilation[1] === 1 && 2 * ph === kh - 1 && 2 * pw === kw - 1;
      let source = as4d(x, node.scope);
      if ((ph > 0 || pw > 0) && !sameAgrees) {
        source = apply(tfl.layers.zeroPadding2d({ padding: [[ph, ph], [pw, pw]], name: uniqueName(`${node.scope}.pad`) }), source);
      }
      const common = {
        kernelSize: [kh, kw] as [number, number],
        strides: [a.stride[0], a.stride[1]] as [number, number],
        padding: (ph > 0 || pw > 0) && sameAgrees ? ('same' as const) : ('valid' as const),
        dilationRate: [a.dilation[0], a.dilation[1]] as [number, number],
        useBias: biasId >= 0,
        name: uniqueName(node.scope),
      };
      const layer = depthwise ? tfl.layers.depthwiseConv2d({ ...common, depthMultiplier: 1 }) : tfl.layers.conv2d({ ...common, filters: graph.values[node.output].shape[1] });
      set(node, apply(layer, source));
      pending.push({ layer, params: paramsOf([weightId, biasId]), depthwise });
    },
    batchNorm: (node) => {
      const a = node.attributes as { eps: number; momentum: number };
      const layer = tfl.layers.batchNormalization({ axis: -1, epsilon: a.eps, momentum: 1 - a.momentum, name: uniqueName(node.scope) });
      set(node, apply(layer, as4d(node.inputs[0], node.scope)));
      // tfjs order: gamma, beta, moving mean, moving variance.
      pending.push({ layer, params: paramsOf(node.inputs.slice(1)) });
    },
    relu: (node) => reLU(node),
    relu6: (node) => reLU(node, 6),
    sigmoid: (node) => {
      const x = get(node.inputs[0]);
      set(node, apply(tfl.layers.activation({ activation: 'sigmoid', name: paramName(node, 'sigmoid') }), x.tensor), x.form);
    },
    add: (node) => {
      const [a, b] = node.inputs.map((id) => get(id));
      if (a.form !== b.form) unsupported(node, 'inputs of different ranks');
      set(node, apply(tfl.layers.add({ name: paramName(node, 'add') }), [a.tensor, b.tensor]), a.form);
    },
    maxPool2d: (node) => {
      const a = node.attributes as { kernel: [number, number]; stride: [number, number]; padding: [number, number] };
      const [ph, pw] = a.padding;
      const name = topName(node, 'maxpool');
      let x = as4d(node.inputs[0], name);
      if (ph > 0 || pw > 0) {
        const producer = producers.get(node.inputs[0]);
        const padding: [[number, number], [number, number]] = [[ph, ph], [pw, pw]];
        // PyTorch pads max pooling with -inf. After a ReLU every value is >= 0 and every window
        // keeps at least one real value (PyTorch requires pad <= kernel / 2), so zeros are exact
        // there and need no custom layer; any other producer gets the lowest float32.
        const nonNegative = producer?.op === 'relu' || producer?.op === 'relu6';
        x = apply(
          nonNegative
            ? tfl.layers.zeroPadding2d({ padding, name: uniqueName(`${name}.pad`) })
            : new MaxPoolPadding2D({ padding, name: uniqueName(`${name}.pad`) }),
          x,
        );
      }
      set(node, apply(tfl.layers.maxPooling2d({ poolSize: [...a.kernel], strides: [...a.stride], padding: 'valid', name }), x));
    },
    avgPool2d: (node) => {
      const a = fullAvgPool2dAttributes(node.attributes as unknown as AvgPool2dAttributes);
      const [, , h, w] = graph.values[node.inputs[0]].shape;
      const name = paramName(node, 'avgpool');
      const reachesOutside = averagePoolPadding(h, w, a).some((zeros) => zeros > 0);
      const layer = reachesOutside
        ? new CeilAveragePooling2D({ kernel: [...a.kernel], stride: [...a.stride], padding: [...a.padding], ceilMode: a.ceilMode, name })
        : tfl.layers.averagePooling2d({ poolSize: [...a.kernel], strides: [...a.stride], padding: 'valid', name });
      set(node, apply(layer, as4d(node.inputs[0], name)));
    },
    globalAvgPool: (node) => {
      set(node, apply(tfl.layers.globalAveragePooling2d({ name: topName(node, 'avgpool') }), as4d(node.inputs[0], 'avgpool')), 'vector');
    },
    globalMaxPool: (node) => {
      set(node, apply(tfl.layers.globalMaxPooling2d({ name: topName(node, 'maxpool') }), as4d(node.inputs[0], 'maxpool')), 'vector');
    },
    flatten: (node) => {
      const x = get(node.inputs[0]);
      const [, , h, w] = graph.values[node.inputs[0]].shape;
      if (x.form === 'vector' || (h === 1 && w === 1)) {
        set(node, x.form === 'vector' ? x.tensor : apply(tfl.layers.flatten({ name: topName(node, 'flatten') }), x.tensor), 'vector');
      } else {
        // PyTorch flattens in C, H, W order: go back to NCHW first.
        const name = topName(node, 'flatten');
        const nchw = apply(tfl.layers.permute({ dims: [3, 1, 2], name: uniqueName(`${name}.nchw`) }), x.tensor);
        set(node, apply(tfl.layers.flatten({ name }), nchw), 'vector');
      }
    },
    linear: (node) => {
      const [x, weightId, biasId] = node.inputs;
      const layer = tfl.layers.dense({ units: graph.values[weightId].shape[0], useBias: biasId >= 0, name: uniqueName(node.scope) });
      const source = get(x);
      set(node, apply(layer, source.tensor), source.form);
      pending.push({ layer, params: paramsOf([weightId, biasId]) });
    },
    concatChannels: (node) => {
      set(node, apply(tfl.layers.concatenate({ axis: -1, name: paramName(node, 'cat') }), node.inputs.map((id) => as4d(id, 'cat'))));
    },
    affine: attentionOnly,
    sqrt: attentionOnly,
    exp: attentionOnly,
    reciprocal: attentionOnly,
    axisMean: attentionOnly,
    resizeNearest: attentionOnly,
    reshape: attentionOnly,
    conv1d: attentionOnly,
    mul: attentionOnly,
    channelMean: attentionOnly,
    channelMax: attentionOnly,
    channelConv1d: attentionOnly,
  } satisfies Record<OpName, (node: GraphNode) => void>;

  for (let index = 0; index < graph.nodes.length; index++) {
    const call = attentionByFirstNode.get(index);
    if (call !== undefined) {
      const layer = new AttentionLayer({ attention: attentionSpecOf(call), stage: call.stage, name: uniqueName(call.scope), parameterPath: call.scope });
      realized.set(call.output, { tensor: apply(layer, as4d(call.input, call.scope)), form: 'nhwc' });
      attentionLayers.push({ layer, call });
      index = call.endNode - 1;
      continue;
    }
    const node = graph.nodes[index];
    realizeOp[node.op](node);
  }

  const outputs = graph.outputs.map((id) => (graph.values[id].shape.length === 4 ? as4d(id, 'output') : get(id).tensor));
  const model = tfl.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: options.name ?? graph.name });

  for (const { layer, params, depthwise } of pending) {
    const values = params.map((p) => {
      const value = toTfjsLayout(p.spec, weights.get(p.name)!, { groups: depthwise ? p.spec.shape[0] : 1 });
      return tf.tensor(value.data, [...value.shape]);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
  for (const { layer, call } of attentionLayers) {
    const own = new Map<string, Tensor>();
    for (const p of graph.params) if (p.name.startsWith(`${call.scope}.`)) own.set(p.name.slice(call.scope.length + 1), weights.get(p.name)!);
    setCanonicalWeights(layer, own);
  }
  return model;
}
