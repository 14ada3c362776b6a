/**
 * `insertAttention`: drop an attention module into an existing ONNX model (first target: what
 * torch.onnx.export writes for torchvision ResNets and MobileNetV2), after named tensors or
 * nodes or on every residual branch, as a call of an `ai.attnkit` function with its weights
 * as initializers under PyTorch names. Returns a new model and a report; the input is never
 * modified, and on any error nothing is returned.
 */
import {
  type AttentionCall,
  type AttentionSpec,
  AttnkitError,
  type Graph,
  ErrorCodes,
  type NetworkDefinition,
  type Tensor,
  createAttention,
  formatShape,
  initializeParameter,
  nearestNames,
  shapesEqual,
  traceNetwork,
} from '@attnkit/core';
import { ATTNKIT_DOMAIN, ATTNKIT_DOMAIN_VERSION, AttentionFunctionSet, buildAttentionFunction, callParameters } from './attention-function.js';
import { consumersOf, namesInGraph, producersOf, topologicalSort, uniqueName } from './graph-tools.js';
import { decodeModel, encodeModel } from './model-codec.js';
import { GraphSink } from './node-sinks.js';
import type { OnnxGraph, OnnxModel, OnnxNode } from './onnx-model.js';
import { type Shape, inferShapes } from './shape-inference.js';
import { tensorFromFloat32 } from './tensor-data.js';
import { attentionModulePath, blockContext, blockOf, scopeSegments } from './torch-module-paths.js';
import { checkOpset, irVersionFor, MIN_OPSET, translateOp } from './translate-op.js';

/** The oldest opset `insertAttention` meets (as plain nodes; from MIN_OPSET on, as functions). */
export const MIN_INLINE_OPSET = 7;

export interface InsertAttentionOptions {
  /** A registered id (`'eca'`) or a spec (`{ type: 'eca', kernelSize: 3 }`). */
  attention: AttentionSpec;
  /**
   * `'residual'`: on the residual branch of every block, before its Add (the paper's placement;
   * MobileNetV2 blocks without a shortcut get it at their output, as the official code), or a
   * list of tensor or node names to insert after.
   */
  at: 'residual' | readonly string[];
  /**
   * Module weights by PyTorch name (`layer1.0.eca.conv.weight`, `features.3.conv.4.conv.weight`)
   * or by insertion-point name (`<tensor or node name>.conv.weight`). When given, every
   * inserted parameter must be found in it.
   */
  weights?: ReadonlyMap<string, Tensor>;
  /**
   * false (default): a key of `weights` that no inserted parameter reads is an error
   * (WEIGHTS_MISMATCH listing them: a whole backbone's state dict, or a misspelt name). true
   * skips them.
   */
  ignoreUnusedWeights?: boolean;
  /** Seed of the initial weights when `weights` is not given (core's seeded init); 0 by default. */
  seed?: number;
}

/** One inserted module. */
export interface InsertionEntry {
  /** Name of the inserted node, e.g. `/layer1/layer1.0/eca/ECA_k3`. */
  node: string;
  /** The tensor the module reads (its output replaces it downstream). */
  tensor: string;
  channels: number;
  kernelSize?: number;
  /** Trainable parameters of the module. */
  parameters: number;
  /** PyTorch path of the module, e.g. `layer1.0.eca`; its initializers are `<name>.<param>`. */
  name: string;
}

export interface InsertAttentionResult {
  model: OnnxModel;
  report: InsertionEntry[];
}

interface InsertionPoint {
  tensor: string;
  /** The name the caller gave (for weights by insertion-point name). */
  given?: string;
  /** Only this node's input is rewired (residual preset); otherwise every reader of the tensor. */
  reader?: { node: OnnxNode; index: number };
  block?: string;
  blockNodes: OnnxNode[];
  producer?: OnnxNode;
}

export function insertAttention(input: OnnxModel | Uint8Array, options: InsertAttentionOptions): InsertAttentionResult {
  const model: OnnxModel = input instanceof Uint8Array ? decodeModel(input) : structuredClone(input);
  if (!model?.graph) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, 'insertAttention needs an OnnxModel or the bytes of a .onnx file');
  }
  if (options === null || typeof options !== 'object') throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'insertAttention needs options { attention, at }');
  const defaultOpset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  // Models older than opset 13 (most of the ONNX Model Zoo) get the modules as plain nodes at
  // their own opset: model-local functions would need IR 8, which their runtimes may not read.
  const inline = typeof defaultOpset === 'number' && defaultOpset >= MIN_INLINE_OPSET && defaultOpset < MIN_OPSET;
  if (!inline) checkOpset(defaultOpset, 'the model imports ONNX opset');
  const opset = defaultOpset!;
  const graph = model.graph;
  graph.nodes = topologicalSort(graph);

  const functionOps = Object.fromEntries((model.functions ?? []).map((f) => [f.name, (inputs: (Shape | null)[]) => [inputs[0]!]]));
  const shapes = inferShapes(graph, { customOps: functionOps });
  const points = options.at === 'residual' ? residualPoints(graph, shapes) : namedPoints(graph, options.at);
  if (points.length === 0) {
    throw new AttnkitError(ErrorCodes.UNKNOWN_INSERTION_POINT, options.at === 'residual' ? 'the model has no residual Add of two 4-D tensors; give tensor or node names in `at`' : '`at` lists no names', { at: options.at });
  }

  const taken = namesInGraph(graph);
  const sink = new GraphSink(opset, taken);
  const functions = new AttentionFunctionSet(model.functions ?? []);
  const producers = producersOf(graph);
  const consumers = consumersOf(graph);
  const report: InsertionEntry[] = [];
  const inserted = new Map<OnnxNode | undefined, OnnxNode[]>();
  const usedWeights = new Set<string>();
  const kernelPositions: KernelPosition[] = [];

  for (const point of points) {
    const shape = shapes.get(point.tensor);
    if (shape?.length !== 4 || typeof shape[1] !== 'number' || shape.slice(2).some((d) => typeof d !== 'number')) {
      throw new AttnkitError(
        ErrorCodes.INVALID_INSERTION_POINT,
        `'${point.given ?? point.tensor}' is ${shape ? `a ${shape.length}-D tensor ${formatDims(shape)}` : 'a tensor of unknown shape'}; channel attention needs a 4-D [N, C, H, W] tensor with known C, H and W (e.g. a Conv or Add output)`,
        { name: point.given ?? point.tensor, shape },
      );
    }
    const channels = shape[1] as number;
    const context = blockContext(point.block);
    const instance = createAttention(options.attention, channels, context);
    const modulePath = uniqueModulePath(
      point.block ? attentionModulePath(point.block, instance.definition.attributeName, point.blockNodes, point.producer) : `${point.given ?? point.tensor}.${instance.definition.attributeName}`,
      taken,
    );
    // Trace the module alone to get its IR (and so its function body), as the emitter does.
    const single: NetworkDefinition = { name: instance.id, defaultInputShape: shape.map((d) => (typeof d === 'number' ? d : 1)), forward: (scope, x) => scope.attention(instance, x) };
    const traced = traceNetwork(single);
    const call = traced.attention[0];
    const opType = inline ? '' : functions.add(buildAttentionFunction(traced, call, opset), call.config);

    const parameterNames: string[] = [];
    for (const p of traced.params) {
      const local = p.name.slice(call.scope.length + 1);
      const fullName = `${modulePath}.${local}`;
      const found = findWeight(options.weights, [fullName, `${point.given ?? point.tensor}.${local}`], p.spec.shape, fullName, instance.config.kernelSize);
      if (found?.key !== undefined) usedWeights.add(found.key);
      if (found?.kernelPosition) kernelPositions.push(found.kernelPosition);
      const tensor = found?.value ?? initializeParameter(p.spec, options.seed ?? 0, fullName);
      parameterNames.push(sink.initializer(tensorFromFloat32(fullName, p.spec.shape, tensor.data)));
    }

    sink.scope = modulePath;
    const before = sink.nodes.length;
    const emit = (source: string, output?: string): string =>
      inline ? emitInline(sink, traced, call, source, parameterNames, output) : sink.node(opType, [source, ...parameterNames], [], output, ATTNKIT_DOMAIN);
    const isGraphOutput = graph.outputs.some((o) => o.name === point.tensor);
    if (isGraphOutput && !point.reader && point.producer) {
      // Keep the graph output's name: the producer writes a fresh name, the module the old one.
      const source = uniqueName(`${point.tensor}_before_${opType || instance.id}`, taken);
      // Its other readers keep reading `point.tensor`, now the module output, as at any other point.
      point.producer.outputs = point.producer.outputs.map((o) => (o === point.tensor ? source : o));
      emit(source, point.tensor);
    } else {
      const output = emit(point.tensor);
      if (point.reader) point.reader.node.inputs[point.reader.index] = output;
      else {
        for (const reader of consumers.get(point.tensor) ?? []) reader.inputs = reader.inputs.map((name) => (name === point.tensor ? output : name));
        graph.outputs = graph.outputs.map((o) => (o.name === point.tensor ? { ...o, name: output } : o));
      }
    }
    const node = sink.nodes[sink.nodes.length - 1];
    const anchor = producers.get(point.tensor);
    inserted.set(anchor, [...(inserted.get(anchor) ?? []), ...sink.nodes.slice(before)]);
    report.push({
      node: node.name!,
      tensor: point.tensor,
      channels,
      ...(instance.config.kernelSize === undefined ? {} : { kernelSize: instance.config.kernelSize }),
      parameters: instance.parameterCount,
      name: modulePath,
    });
  }

  if (kernelPositions.some((p) => p.modelKernelSize !== p.fileKernelSize)) throw kernelSizeMismatch(kernelPositions);
  const unused = options.weights && options.ignoreUnusedWeights !== true ? [...options.weights.keys()].filter((key) => !usedWeights.has(key)) : [];
  if (unused.length > 0) {
    throw new AttnkitError(
      ErrorCodes.WEIGHTS_MISMATCH,
      `${unused.length} key(s) of the weights are read by no inserted module: ${unused.slice(0, 10).join(', ')}${unused.length > 10 ? `, ... (${unused.length - 10} more)` : ''}; ` +
        `the inserted modules read ${[...usedWeights].join(', ') || 'nothing'}. Give only the modules' weights, or pass ignoreUnusedWeights: true (CLI: --ignore-unused-weights)`,
      { unused, used: [...usedWeights] },
    );
  }

  // Each module right after the producer of its tensor (graph inputs: first), then a check.
  const nodes: OnnxNode[] = [...(inserted.get(undefined) ?? [])];
  for (const node of graph.nodes) nodes.push(node, ...(inserted.get(node) ?? []));
  graph.nodes = nodes;
  graph.nodes = topologicalSort(graph);
  graph.initializers = [...graph.initializers, ...sink.initializers];

  if (!inline) {
    model.functions = functions.functions;
    if (!model.opsetImports.some((o) => o.domain === ATTNKIT_DOMAIN)) model.opsetImports = [...model.opsetImports, { domain: ATTNKIT_DOMAIN, version: ATTNKIT_DOMAIN_VERSION }];
    model.irVersion = Math.max(model.irVersion, irVersionFor(opset));
  }
  model.metadataProps = [
    ...(model.metadataProps ?? []).filter((entry) => entry.key !== 'attnkit.insertions'),
    { key: 'attnkit.insertions', value: JSON.stringify(report) },
    { key: 'attnkit.weights', value: options.weights ? 'weights map' : `seed ${options.seed ?? 0}` },
  ];
  // An encode/decode round trip proves the result serializes before anyone writes it.
  decodeModel(encodeModel(model));
  return { model, report };
}

function formatDims(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** `path`, or `path_1`, ... when a parameter of the model already lives under it. */
function uniqueModulePath(path: string, taken: ReadonlySet<string>): string {
  const used = (name: string) => [...taken].some((t) => t.startsWith(`${name}.`));
  let name = path;
  for (let n = 1; used(name); n++) name = `${path}_${n}`;
  return name;
}

/** An ECA kernel position (matching or not), as @attnkit/zoo's KernelSizePosition. */
interface KernelPosition {
  /** PyTorch name of the parameter, e.g. `layer2.0.eca.conv.weight`. */
  name: string;
  modelKernelSize: number;
  fileKernelSize: number;
}

interface FoundWeight {
  key: string;
  value?: Tensor;
  kernelPosition?: KernelPosition;
}

function findWeight(
  weights: ReadonlyMap<string, Tensor> | undefined,
  keys: string[],
  shape: readonly number[],
  fullName: string,
  kernelSize: number | undefined,
): FoundWeight | undefined {
  if (weights === undefined) return undefined;
  const key = keys.find((k) => weights.has(k));
  if (key === undefined) {
    throw new AttnkitError(
      ErrorCodes.WEIGHTS_MISMATCH,
      `the weights have no '${keys.join("' or '")}' ${formatShape(shape)}; nearest keys: ${nearestNames(fullName, weights.keys(), 3).join(', ') || '(the map is empty)'}`,
      { name: fullName, nearest: nearestNames(fullName, weights.keys(), 3) },
    );
  }
  const value = weights.get(key)!;
  // The channel conv whose k the spec sets ([1, 1, k], [C, 1, k]); not ECA-MLP's k = 1 first conv.
  const isKernel = shape.length === 3 && shape[2] === kernelSize;
  if (!shapesEqual(value.shape, shape)) {
    if (isKernel && value.shape.length === 3 && value.shape[0] === shape[0] && value.shape[2] !== shape[2]) {
      // Collected over every point, so the error can give the rule or per-stage list for all of them.
      return { key, kernelPosition: { name: fullName, modelKernelSize: shape[2], fileKernelSize: value.shape[2] } };
    }
    throw new AttnkitError(ErrorCodes.WEIGHTS_MISMATCH, `'${key}' has shape ${formatShape(value.shape)} but the module needs ${formatShape(shape)}`, { name: key, expected: shape, actual: value.shape });
  }
  // Matching kernels are kept too: a per-stage suggestion needs the k of every stage.
  const kernelPosition = isKernel ? { name: fullName, modelKernelSize: shape[2], fileKernelSize: shape[2] } : undefined;
  return { key, value, ...(kernelPosition ? { kernelPosition } : {}) };
}

/** Every point whose k differs from the weights', with the k the weights were trained with. */
function kernelSizeMismatch(positions: readonly KernelPosition[]): AttnkitError {
  const mismatched = positions.filter((p) => p.modelKernelSize !== p.fileKernelSize);
  const trained = [...new Set(positions.map((p) => p.fileKernelSize))];
  const suggestion = trained.length === 1 ? `kernelSize: ${trained[0]}` : 'a per-stage list or rule that gives these k';
  return new AttnkitError(
    ErrorCodes.KERNEL_SIZE_MISMATCH,
    `the weights were trained with other kernel sizes than the attention spec gives: ${mismatched
      .map((p) => `${p.name} k = ${p.fileKernelSize} (spec: ${p.modelKernelSize})`)
      .join(', ')}; pass ${suggestion}`,
    { positions: positions.map((p) => ({ ...p })), name: mismatched[0].name, trained: mismatched[0].fileKernelSize, requested: mismatched[0].modelKernelSize },
  );
}

/**
 * The module's IR nodes translated straight into the graph (older opsets, no function): `source`
 * in, the parameters as named initializers, `output` (or a fresh name) out.
 */
function emitInline(sink: GraphSink, traced: Graph, call: AttentionCall, source: string, parameterNames: readonly string[], output?: string): string {
  const names = new Map<number, string>([[call.input, source]]);
  for (const [index, p] of callParameters(traced, call).entries()) names.set(p.value, parameterNames[index]);
  const shapeOf = (id: number) => traced.values[id].shape;
  let last = source;
  for (let i = call.firstNode; i < call.endNode; i++) {
    const node = traced.nodes[i];
    const inputs = node.inputs.map((id) => (id < 0 ? '' : names.get(id)!));
    // A plain broadcasting Mul: the expanded gate's Resize form differs before opset 11.
    last = translateOp(sink, node, inputs, shapeOf, node.output === call.output ? output : undefined, { gateMul: 'broadcast' });
    names.set(node.output, last);
  }
  return last;
}

/** Every tensor and node name, resolved to the tensor to insert after. */
function namedPoints(graph: OnnxGraph, names: readonly string[]): InsertionPoint[] {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `at must be 'residual' or a list of tensor or node names, got ${JSON.stringify(names)}`, { path: 'at' });
  }
  const producers = producersOf(graph);
  const tensors = new Set<string>([...graph.inputs.map((i) => i.name), ...producers.keys()]);
  const nodesByName = new Map(graph.nodes.filter((n) => n.name).map((n) => [n.name!, n]));
  const initializers = new Set(graph.initializers.map((t) => t.name));
  const seen = new Map<string, string>();
  return names.map((given) => {
    let tensor: string | undefined;
    if (tensors.has(given) && !initializers.has(given)) tensor = given;
    else if (nodesByName.has(given)) tensor = nodesByName.get(given)!.outputs.find((o) => o !== '');
    if (tensor === undefined) {
      const candidates = [...tensors, ...nodesByName.keys()].filter((n) => !initializers.has(n));
      const nearest = nearestNames(given, candidates, 5);
      throw new AttnkitError(ErrorCodes.UNKNOWN_INSERTION_POINT, `'${given}' is neither a tensor nor a node of the model; nearest names: ${nearest.join(', ')}`, { name: given, nearest });
    }
    const earlier = seen.get(tensor);
    if (earlier !== undefined) {
      throw new AttnkitError(
        ErrorCodes.INVALID_OPTION,
        `at names ${earlier === given ? `'${given}' twice` : `'${earlier}' and '${given}', which are the same tensor '${tensor}'`}; each insertion point may be given once (twice would stack two modules)`,
        { path: 'at', name: given },
      );
    }
    seen.set(tensor, given);
    const producer = producers.get(tensor);
    const block = blockOf(producer);
    return { tensor, given, block, blockNodes: block ? graph.nodes.filter((n) => blockOf(n) === block) : [], producer };
  });
}

/**
 * The residual preset. Of the two inputs of each Add of equal 4-D shapes, the branch is the one
 * farther from the graph input (the shortcut is the block input or one downsample conv away).
 * Blocks without an Add that are siblings of residual blocks with the same layout (MobileNetV2's
 * stride-2 and widening blocks, `/features/features.2/conv/...`) get the module at their output.
 */
function residualPoints(graph: OnnxGraph, shapes: Map<string, Shape>): InsertionPoint[] {
  const producers = producersOf(graph);
  const consumers = consumersOf(graph);
  const depth = new Map<string, number>();
  for (const node of graph.nodes) {
    const d = 1 + Math.max(0, ...node.inputs.map((i) => depth.get(i) ?? 0));
    for (const output of node.outputs) depth.set(output, d);
  }
  const blockNodes = new Map<string, OnnxNode[]>();
  for (const node of graph.nodes) {
    const block = blockOf(node);
    if (block) blockNodes.set(block, [...(blockNodes.get(block) ?? []), node]);
  }
  const points: InsertionPoint[] = [];
  const residualBlocks = new Set<string>();
  for (const node of graph.nodes) {
    if (node.opType !== 'Add' || node.domain || node.inputs.length !== 2) continue;
    const [a, b] = node.inputs.map((name) => shapes.get(name));
    if (!a || !b || a.length !== 4 || a.some((d, i) => d !== b[i]) || node.inputs.some((name) => !producers.has(name) && !graph.inputs.some((i) => i.name === name))) continue;
    const [da, db] = node.inputs.map((name) => depth.get(name) ?? 0);
    if (da === db) {
      throw new AttnkitError(ErrorCodes.INVALID_INSERTION_POINT, `Add '${node.name ?? node.outputs[0]}': both inputs are ${da} nodes deep, so the residual branch cannot be told from the shortcut; give the branch tensor in \`at\``, { node: node.name });
    }
    const index = da > db ? 0 : 1;
    const block = blockOf(node);
    if (block) residualBlocks.add(block);
    const producer = producers.get(node.inputs[index]);
    points.push({ tensor: node.inputs[index], reader: { node, index }, block, blockNodes: block ? (blockNodes.get(block) ?? []) : [], producer });
  }
  // Shortcut-free siblings: same container and same first child module (`conv`) as a residual block.
  const layouts = new Set([...residualBlocks].map((block) => layoutOf(blockNodes.get(block)!)));
  for (const [block, nodes] of blockNodes) {
    if (residualBlocks.has(block) || !layouts.has(layoutOf(nodes))) continue;
    const inside = new Set(nodes);
    const last = [...nodes].reverse().find((node) => node.outputs.some((o) => (consumers.get(o) ?? []).some((reader) => !inside.has(reader)) || graph.outputs.some((g) => g.name === o)));
    if (last) points.push({ tensor: last.outputs[0], block, blockNodes: nodes, producer: last });
  }
  const order = new Map(graph.nodes.map((node, i) => [node, i]));
  // Stryker disable next-line UnaryOperator: every point's tensor has a producer in the graph (a branch is deeper than the graph input)
  return points.sort((p, q) => (order.get(producers.get(p.tensor)!) ?? -1) - (order.get(producers.get(q.tensor)!) ?? -1));
}

function layoutOf(nodes: readonly OnnxNode[]): string {
  // Stryker disable next-line OptionalChaining: a block is only recorded with its first node
  const segments = scopeSegments(nodes[0]?.name);
  return `${segments[0]}/${segments[2]}`;
}
