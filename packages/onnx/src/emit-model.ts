/**
 * `emitModel`: a traced network (core graph IR + weights by PyTorch name) -> an ONNX ModelProto,
 * NCHW like every exported PyTorch model. `emitNetwork` traces first.
 *
 * For inference speed, BatchNorm is folded into the conv before it (as torch.onnx.export does in
 * eval mode), Relu6 is Clip(0, 6) (fused into the conv by onnxruntime), and the channel conv is a
 * 1 x k Conv over a free Reshape (see translate-op.ts).
 */
import {
  AttnkitError,
  checkGraphOrder,
  type AttentionCall,
  ErrorCodes,
  type Graph,
  type GraphNode,
  type NetworkDefinition,
  type Shape,
  type Tensor,
  type WeightMap,
  formatShape,
  shapesEqual,
  traceNetwork,
} from '@attnkit/core';
import { ATTNKIT_DOMAIN, ATTNKIT_DOMAIN_VERSION, AttentionFunctionSet, buildAttentionFunction, callParameters } from './attention-function.js';
import { attr, createGraph, createModel, valueInfo } from './model-builders.js';
import { GraphSink } from './node-sinks.js';
import type { OnnxModel, OnnxStringEntry } from './onnx-model.js';
import { tensorFromFloat32 } from './tensor-data.js';
import { DEFAULT_OPSET, type TranslateOptions, checkOpset, irVersionFor, translateOp } from './translate-op.js';

export interface EmitOptions {
  /** ONNX opset of the default domain, 13 to 21; 17 by default. */
  opset?: number;
  /** Keep BatchNormalization nodes instead of folding them into the preceding conv (default false). */
  keepBatchNorm?: boolean;
  /** Emit attention modules as plain nodes instead of `ai.attnkit` function calls (default false). */
  inlineFunctions?: boolean;
  /**
   * How a channel gate x * a ([N, C, 1, 1] over [N, C, H, W]) is written: `'expanded'` (default)
   * as MaxPool 1x1 + Resize nearest to x's shape + an equal-shape Mul, which keeps onnxruntime's
   * CPU provider in its blocked NCHWc layout through the gate and the residual Add (ECA on
   * ResNet-50: no full-tensor reorders); `'broadcast'` as one broadcasting Mul (fewest nodes).
   * Same values either way.
   */
  gateMul?: 'expanded' | 'broadcast';
  /**
   * How the channel conv of the ECA family (a 1-D conv across the pooled channel vector) is
   * written: `'conv'` (default) as a 1 x k Conv between two Reshapes, which keeps the module's
   * PyTorch weight (`eca.conv.weight`, [1, 1, k]) as the initializer; `'banded'` as one 1x1 Conv
   * on the pooled [N, C, 1, 1] vector whose C x C weight holds the k taps on its band (zero or
   * circular ends), computed here from the weights, wherever C <= BANDED_MAX_CHANNELS. Fewer ops
   * per module and no reorders of the pooled vector out of onnxruntime's NCHWc layout; the cost is
   * reading C^2 weights per module, which is why wider modules keep the 1 x k form. An inference
   * form: it inlines the attention modules (no `ai.attnkit` functions) and the banded weights are
   * not the PyTorch parameters. Same values to float rounding.
   */
  channelConv?: 'conv' | 'banded';
  /** Name of the graph input; 'input' by default. */
  inputName?: string;
  /** Name of the graph output ('output'; 'output_0', 'output_1', ... when there are several). */
  outputName?: string;
  /** Where the weights came from (a file name, 'seed 0'), recorded in the metadata. */
  weightSource?: string;
  /** More `metadata_props` entries. */
  metadata?: Readonly<Record<string, string>>;
}

/** What `metadata_props` records, under these keys. */
export const METADATA_KEYS = {
  backbone: 'attnkit.backbone',
  attention: 'attnkit.attention',
  kernelSizes: 'attnkit.kernel_sizes',
  insertions: 'attnkit.insertions',
  weights: 'attnkit.weights',
  opset: 'attnkit.opset',
} as const;

/**
 * The widest pooled vector `channelConv: 'banded'` writes as a C x C band (400 KiB of float32
 * weight). On onnxruntime-node, 1 thread: MobileNetV2 (every module C <= 320) -3.6% [-5.0, -1.8]
 * of latency with ECA banded; ResNet-50 +6.4% [+3.6, +8.1] with every module banded (its
 * 1024- and 2048-channel modules read 4-16 MiB of band each per image).
 */
export const BANDED_MAX_CHANNELS = 320;

const PRODUCER = { producerName: 'attnkit', producerVersion: '0.0.0' };

/** Traces `network` at `inputShape` (its default otherwise) and emits it. */
export function emitNetwork(network: NetworkDefinition, weights: WeightMap, options: EmitOptions & { inputShape?: Shape } = {}): OnnxModel {
  const graph = traceNetwork(network, options.inputShape ?? network.defaultInputShape);
  return emitModel(graph, weights, options, network.metadata);
}

interface BatchNormFold {
  conv: GraphNode;
  batchNorm: GraphNode;
}

/**
 * Emits a traced graph with the given weights (every parameter the emitted graph reads must be
 * in `weights`, shaped as declared). `networkMetadata` is the network's free-form description
 * (backbone, attention, placement), recorded in `metadata_props`.
 */
export function emitModel(graph: Graph, weights: WeightMap, options: EmitOptions = {}, networkMetadata: Readonly<Record<string, unknown>> = {}): OnnxModel {
  const opset = checkOpset(options.opset ?? DEFAULT_OPSET);
  checkGraphOrder(graph);
  const inputName = options.inputName ?? 'input';
  const outputBase = options.outputName ?? 'output';
  const outputNames = graph.outputs.map((_, i) => (graph.outputs.length === 1 ? outputBase : `${outputBase}_${i}`));
  const taken = new Set<string>([inputName, ...outputNames]);
  const sink = new GraphSink(opset, taken);
  const functions = new AttentionFunctionSet();
  const shapeOf = (id: number) => graph.values[id].shape;
  const gateMul = options.gateMul ?? 'expanded';
  if (gateMul !== 'expanded' && gateMul !== 'broadcast') {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `gateMul is '${String(gateMul)}'; expected 'expanded' (default) or 'broadcast'`, { path: 'gateMul' });
  }
  const lowering: TranslateOptions = { gateMul };
  const channelConv = options.channelConv ?? 'conv';
  if (channelConv !== 'conv' && channelConv !== 'banded') {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `channelConv is '${String(channelConv)}'; expected 'conv' (default) or 'banded'`, { path: 'channelConv' });
  }

  const paramById = new Map(graph.params.map((p) => [p.value, p]));
  const names = new Map<number, string>([[graph.input, inputName]]);
  const outputIndex = new Map(graph.outputs.map((id, i) => [id, i]));
  const weightOf = (id: number): Tensor => {
    const p = paramById.get(id)!;
    const value = weights.get(p.name);
    if (value === undefined) {
      throw new AttnkitError(ErrorCodes.UNKNOWN_PARAMETER, `no value for parameter '${p.name}' ${formatShape(p.spec.shape)}: initialize the network's parameters (initializeWeights) or load a checkpoint that has it`, { name: p.name });
    }
    if (!shapesEqual(value.shape, p.spec.shape)) {
      throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `parameter '${p.name}' has shape ${formatShape(value.shape)} but the network declares ${formatShape(p.spec.shape)}`, { name: p.name, expected: p.spec.shape, actual: value.shape });
    }
    return value;
  };
  // A parameter becomes an initializer under its PyTorch name the first time a node reads it.
  const nameOf = (id: number): string => {
    if (id < 0) return '';
    const existing = names.get(id);
    if (existing !== undefined) return existing;
    const p = paramById.get(id);
    // Stryker disable next-line StringLiteral,ObjectLiteral: unreachable, checkGraphOrder has refused a value read before it is computed
    if (p === undefined) throw new AttnkitError(ErrorCodes.INTERNAL, `value ${id} is read before it is computed`, { id });
    const name = sink.initializer(tensorFromFloat32(p.name, p.spec.shape, weightOf(id).data));
    names.set(id, name);
    return name;
  };

  const folds = options.keepBatchNorm ? new Map<GraphNode, BatchNormFold>() : findBatchNormFolds(graph);
  const inline = options.inlineFunctions === true || channelConv === 'banded';
  const calls = new Map<number, AttentionCall>(inline ? [] : graph.attention.map((call) => [call.firstNode, call]));
  const scopeOf = nodeScopes(graph);
  const finalName = (id: number) => (outputIndex.has(id) ? outputNames[outputIndex.get(id)!] : undefined);

  for (let i = 0; i < graph.nodes.length; i++) {
    const call = calls.get(i);
    if (call !== undefined) {
      const fn = buildAttentionFunction(graph, call, opset, lowering);
      const opType = functions.add(fn, call.config);
      sink.scope = call.scope;
      const inputs = [nameOf(call.input), ...callParameters(graph, call).map((p) => nameOf(p.value))];
      names.set(call.output, sink.node(opType, inputs, [], finalName(call.output), ATTNKIT_DOMAIN));
      i = call.endNode - 1;
      continue;
    }
    const node = graph.nodes[i];
    sink.scope = scopeOf[i];
    const fold = folds.get(node);
    if (fold !== undefined) {
      const [weight, bias] = foldBatchNorm(fold, weightOf);
      const convScope = fold.conv.scope;
      const inputs = [
        nameOf(node.inputs[0]),
        sink.initializer(tensorFromFloat32(`${convScope}.folded_weight`, weight.shape, weight.data)),
        sink.initializer(tensorFromFloat32(`${convScope}.folded_bias`, bias.shape, bias.data)),
      ];
      names.set(fold.batchNorm.output, translateOp(sink, node, inputs, shapeOf, finalName(fold.batchNorm.output), lowering));
      i = graph.nodes.indexOf(fold.batchNorm);
      continue;
    }
    const band = channelConv === 'banded' && node.op === 'channelConv1d' ? bandedChannelWeight(node, shapeOf, paramById, weightOf) : undefined;
    if (band !== undefined) {
      const weight = sink.initializer(tensorFromFloat32(`${paramById.get(node.inputs[1])!.name.replace(/weight$/, '')}banded_weight`, band.shape, band.data));
      names.set(node.output, sink.node('Conv', [nameOf(node.inputs[0]), weight], [attr.ints('kernel_shape', [1, 1])], finalName(node.output)));
      continue;
    }
    names.set(node.output, translateOp(sink, node, node.inputs.map(nameOf), shapeOf, finalName(node.output), lowering));
  }

  const attentionSpec = networkMetadata.attention;
  const metadata: OnnxStringEntry[] = [
    { key: METADATA_KEYS.backbone, value: String(networkMetadata.backbone ?? graph.name) },
    { key: METADATA_KEYS.attention, value: attentionSpec === undefined || attentionSpec === null ? 'none' : JSON.stringify(attentionSpec) },
    { key: METADATA_KEYS.kernelSizes, value: JSON.stringify(Object.fromEntries(graph.attention.filter((c) => c.kernelSize !== undefined).map((c) => [c.path || c.scope, c.kernelSize]))) },
    { key: METADATA_KEYS.insertions, value: JSON.stringify(graph.attention.map((c) => ({ path: c.path, module: c.scope, id: c.id, channels: c.channels, kernelSize: c.kernelSize, parameters: c.parameters }))) },
    { key: METADATA_KEYS.weights, value: options.weightSource ?? 'unspecified' },
    ...Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  ];

  const used = new Set(functions.functions.length ? [ATTNKIT_DOMAIN] : []);
  return createModel({
    irVersion: irVersionFor(opset),
    opsetImports: [{ domain: '', version: opset }, ...[...used].map((domain) => ({ domain, version: ATTNKIT_DOMAIN_VERSION }))],
    ...PRODUCER,
    docString: `${graph.name} emitted by attnkit (NCHW, opset ${opset}${options.keepBatchNorm ? ', BatchNorm kept' : ', BatchNorm folded'})`,
    metadataProps: metadata,
    ...(functions.functions.length ? { functions: functions.functions } : {}),
    graph: createGraph({
      name: graph.name,
      inputs: [valueInfo(inputName, [...shapeOf(graph.input)])],
      outputs: graph.outputs.map((id, i) => valueInfo(outputNames[i], [...shapeOf(id)])),
      initializers: sink.initializers,
      nodes: sink.nodes,
    }),
  });
}

/**
 * The C x C weight B of a channel conv over a pooled [N, C, 1, 1] vector, z = B v: row i holds
 * the taps w[t] (shared, or row i's own) at columns i + t - (k - 1) / 2, skipped past the ends
 * (zero padding) or wrapped (circular). Undefined where the banded form does not apply: a
 * computed weight, a vector that is not [N, C, 1, 1], or C > BANDED_MAX_CHANNELS.
 */
function bandedChannelWeight(node: GraphNode, shapeOf: (id: number) => Shape, paramById: ReadonlyMap<number, unknown>, weightOf: (id: number) => Tensor): Tensor | undefined {
  const [v, w] = node.inputs;
  const shape = shapeOf(v);
  const channels = shape[1];
  if (!paramById.has(w) || shape.length !== 4 || shape[2] !== 1 || shape[3] !== 1 || channels > BANDED_MAX_CHANNELS) return undefined;
  const weight = weightOf(w);
  const [rows, , k] = weight.shape;
  const half = (k - 1) / 2;
  const band = new Float32Array(channels * channels);
  for (let i = 0; i < channels; i++) {
    for (let t = 0; t < k; t++) {
      let j = i + t - half;
      if (j < 0 || j >= channels) {
        if (node.attributes.padding !== 'circular') continue;
        j = ((j % channels) + channels) % channels;
      }
      band[i * channels + j] += weight.data[(rows === 1 ? 0 : i * k) + t];
    }
  }
  return { shape: [channels, channels, 1, 1], data: band };
}

/**
 * Conv -> BatchNorm pairs outside attention modules where the conv's output feeds only the
 * BatchNorm, keyed by the conv node.
 */
function findBatchNormFolds(graph: Graph): Map<GraphNode, BatchNormFold> {
  const consumers = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) for (const id of node.inputs) if (id >= 0) consumers.set(id, [...(consumers.get(id) ?? []), node]);
  const inAttention = new Set<number>();
  for (const call of graph.attention) for (let i = call.firstNode; i < call.endNode; i++) inAttention.add(i);
  const folds = new Map<GraphNode, BatchNormFold>();
  graph.nodes.forEach((conv, i) => {
    if (conv.op !== 'conv2d' || inAttention.has(i) || graph.outputs.includes(conv.output)) return;
    const readers = consumers.get(conv.output) ?? [];
    if (readers.length === 1 && readers[0].op === 'batchNorm' && readers[0].inputs[0] === conv.output) folds.set(conv, { conv, batchNorm: readers[0] });
  });
  return folds;
}

/** W' = W * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps), in float64. */
function foldBatchNorm({ conv, batchNorm }: BatchNormFold, weightOf: (id: number) => Tensor): [Tensor, Tensor] {
  const weight = weightOf(conv.inputs[1]);
  const bias = conv.inputs[2] >= 0 ? weightOf(conv.inputs[2]) : undefined;
  const [gamma, beta, mean, variance] = batchNorm.inputs.slice(1).map(weightOf);
  const eps = batchNorm.attributes.eps as number;
  const out = weight.shape[0];
  const perChannel = weight.data.length / out;
  const folded = new Float32Array(weight.data.length);
  const foldedBias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const scale = gamma.data[o] / Math.sqrt(variance.data[o] + eps);
    for (let j = 0; j < perChannel; j++) folded[o * perChannel + j] = weight.data[o * perChannel + j] * scale;
    foldedBias[o] = ((bias?.data[o] ?? 0) - mean.data[o]) * scale + beta.data[o];
  }
  return [
    { shape: weight.shape, data: folded },
    { shape: [out], data: foldedBias },
  ];
}

/**
 * The module path each node is named after. The IR records it for layers with parameters
 * (`layer1.0.conv1`) and attention modules; a parameter-free op (Relu, Add) takes the module
 * its inputs come from (see `joinContainers`), so `/layer1/layer1.0/Add` reads as torch's.
 */
function nodeScopes(graph: Graph): string[] {
  const producer = new Map<number, number>(graph.nodes.map((node, i) => [node.output, i]));
  const params = new Set(graph.params.map((p) => p.value));
  const host = new Map<number, string>();
  for (const call of graph.attention) for (let i = call.firstNode; i < call.endNode; i++) host.set(i, call.path);
  const containers: string[] = [];
  const scopes: string[] = [];
  graph.nodes.forEach((node, i) => {
    const parent = node.scope.includes('.') ? node.scope.slice(0, node.scope.lastIndexOf('.')) : '';
    if (node.inputs.some((id) => params.has(id))) {
      scopes.push(node.scope);
      containers.push(host.get(i) ?? parent);
    } else if (host.has(i)) {
      scopes.push(node.scope);
      containers.push(host.get(i)!);
    } else {
      const froms = node.inputs.map((id) => producer.get(id)).filter((from): from is number => from !== undefined);
      const container = froms.length === 0 ? '' : joinContainers(froms.map((from) => containers[from]), containers[Math.max(...froms)]);
      scopes.push(container);
      containers.push(container);
    }
  });
  return scopes;
}

/**
 * The module of an op whose inputs come from `containers`: their common prefix, but at least
 * the block (`layer1.0`, `features.3`: the path up to the first numeric part) of the most
 * recent input, so a residual Add belongs to its block, not to the stage or the downsample.
 */
function joinContainers(containers: readonly string[], latest: string): string {
  const split = containers.map((c) => (c === '' ? [] : c.split('.')));
  const common: string[] = [];
  for (let i = 0; split.every((parts) => i < parts.length && parts[i] === split[0][i]); i++) common.push(split[0][i]);
  const parts = latest.split('.');
  const blockEnd = parts.findIndex((part) => /^\d+$/.test(part));
  return blockEnd >= 0 && common.length <= blockEnd ? parts.slice(0, blockEnd + 1).join('.') : common.join('.');
}
