import { type AttentionSpec, type NetworkDefinition, countCosts, createAttention, parseAttentionSpec, sizeOf, toBinaryUnits, traceNetwork } from '@attnkit/core';
import type { InsertionEntry as OnnxInsertionEntry, OnnxGraph, OnnxModel, OnnxNode, Shape } from '@attnkit/onnx';
import type { InsertionReportEntry as TfjsInsertionEntry } from '@attnkit/tfjs';
import type * as TfLayers from '@tensorflow/tfjs-layers';
import type { CellCosts } from './model-source.js';

/**
 * Exact counts of a user's model file (an .onnx or a tfjs model.json), read from the model itself,
 * plus the attention the package's insertion put into it (each module traced alone by core at its
 * insertion point's shape, so its parameters, MACs and FLOPs are core's `countCosts`).
 */

/** One module the package's insertAttention inserted, as results.json keeps it. */
export interface InsertionRecord {
  /** Where: the node producing the tensor the module reads (.onnx), or the layer (tfjs). */
  point: string;
  /** The module's name in the rewritten model (PyTorch path for .onnx, AttentionLayer name for tfjs). */
  module: string;
  /** .onnx: the tensor the module reads. */
  tensor?: string;
  /** tfjs residual placement: the Add the module feeds. */
  before?: string;
  channels: number;
  kernelSize?: number;
  /** Trainable parameters, as the package's report gives them. */
  parameters: number;
  /** Multiply-accumulates of the module alone at `shape` (core countCosts of the module traced alone). */
  macs: number;
  /** thop-style FLOPs of the module alone (core's convention). */
  flops: number;
  /** [N, C, H, W] the module reads. */
  shape: number[];
}

export const onnxFlopsConvention =
  'thop-style per ONNX node of the file (each node counted once, as it runs): Conv kernel MACs (+1 per output with a bias), Gemm/MatMul 2*K-1 per output, ' +
  '4 per BatchNormalization element, 1 per Relu/Clip element, H*W+1 per GlobalAveragePool output, k per MaxPool output of a k x k kernel; other ops 0; ' +
  'inserted attention as core counts it. Not the paper\'s thop of the PyTorch module: an exported graph has BatchNorm folded (a conv bias, +1 per output, instead of 4 per BN element) ' +
  'and every Relu node counts, where old thop counted torchvision\'s shared block ReLU once';

export const tfjsFlopsConvention =
  'thop-style per tfjs layer call: Conv2D/DepthwiseConv2D kernel MACs (+1 per output with a bias), Dense 2*in-1 per output, 4 per BatchNormalization element, ' +
  '1 per ReLU / relu-activation element, H*W+1 per GlobalAveragePooling2D output, k per MaxPooling2D output of a k x k pool; other layers 0; inserted attention as core counts it. ' +
  'Every ReLU layer counts, where old thop counted torchvision\'s shared block ReLU once, so a ResNet counts more than the paper\'s thop';

const attentionCache = new Map<string, { parameters: number; macs: number; flops: number }>();

/** Parameters, MACs and thop-style FLOPs of one attention module on `shape`, traced alone by core. */
export function attentionModuleCosts(spec: AttentionSpec, channels: number, kernelSize: number | undefined, shape: readonly number[]): { parameters: number; macs: number; flops: number } {
  const key = JSON.stringify([spec, channels, kernelSize, shape]);
  const cached = attentionCache.get(key);
  if (cached) return cached;
  let instance = createAttention(spec, channels);
  if (kernelSize !== undefined && instance.config.kernelSize !== kernelSize) {
    // The insertion chose k from its context (e.g. the MobileNetV2 rule); build that module.
    const { type, options } = parseAttentionSpec(spec);
    instance = createAttention({ type, ...options, kernelSize } as AttentionSpec, channels);
  }
  const network: NetworkDefinition = { name: instance.id, defaultInputShape: [...shape], forward: (scope, x) => scope.attention(instance, x) };
  const costs = countCosts(traceNetwork(network));
  const result = { parameters: costs.parameters, macs: costs.macs, flops: costs.flops.value };
  attentionCache.set(key, result);
  return result;
}

function finish(base: { parameters: number; buffers: number; macs: number; flops: number }, insertions: InsertionRecord[], source: CellCosts['source'], convention: string, parametersConvention: string): CellCosts {
  const parameters = base.parameters + insertions.reduce((n, i) => n + i.parameters, 0);
  const flops = base.flops + insertions.reduce((n, i) => n + i.flops, 0);
  const kernelSizes: Record<string, number> = {};
  for (const i of insertions) if (i.kernelSize !== undefined) kernelSizes[i.point] = i.kernelSize;
  return {
    source,
    parameters,
    parametersBinaryM: toBinaryUnits(parameters, 2),
    parametersConvention,
    buffers: base.buffers,
    macs: base.macs + insertions.reduce((n, i) => n + i.macs, 0),
    flops,
    flopsBinaryG: toBinaryUnits(flops, 3),
    flopsConvention: convention,
    ...(Object.keys(kernelSizes).length ? { kernelSizes } : {}),
    insertions: insertions.length,
  };
}

function checkParameters(record: Omit<InsertionRecord, 'macs' | 'flops'>, traced: number): void {
  if (traced !== record.parameters) {
    throw new Error(`the module at '${record.point}' has ${record.parameters} parameters in the insertion report but ${traced} when core builds it with ${record.channels} channels${record.kernelSize === undefined ? '' : ` and k = ${record.kernelSize}`}`);
  }
}

// ---------------------------------------------------------------------------------------------
// .onnx

const floatTypes = new Set([1, 10, 11, 16]); // FLOAT, FLOAT16, DOUBLE, BFLOAT16
/** Ops with multiply-accumulates that the count has no rule for: such a file gets no costs. */
const unsupportedOnnxOps = new Set(['ConvTranspose', 'ConvInteger', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul', 'Einsum', 'LSTM', 'GRU', 'RNN', 'Attention']);

export const onnxParametersConvention =
  'every float initializer\'s elements; an exported graph has BatchNorm folded, so each folded conv has a bias (C) and there are no BatchNorm weights (2C) or statistics: ' +
  'a ResNet counts sum(C) over its BatchNorms fewer parameters than PyTorch does';

/** The graph with its first real input given the cell's [N, C, H, W] where the file leaves dims open. */
function withInputShape(graph: OnnxGraph, inputShape: readonly number[]): OnnxGraph {
  const initializers = new Set(graph.initializers.map((t) => t.name));
  const input = graph.inputs.find((i) => !initializers.has(i.name));
  if (input === undefined) throw new Error('the graph has no input');
  const declared = input.type?.kind === 'tensor' ? input.type.shape : undefined;
  if (declared && declared.length !== inputShape.length) throw new Error(`its input '${input.name}' has ${declared.length} dims; the cell's input is [${inputShape.join(', ')}]`);
  const shape = inputShape.map((d, i) => {
    const file = declared?.[i];
    if (typeof file === 'number' && file !== d) throw new Error(`its input '${input.name}' is fixed at [${declared!.join(', ')}]; the cell's input is [${inputShape.join(', ')}]`);
    return d;
  });
  const elemType = input.type?.kind === 'tensor' ? input.type.elemType : 1;
  return { ...graph, inputs: graph.inputs.map((i) => (i === input ? { ...i, type: { kind: 'tensor', elemType, shape } } : i)) };
}

function numbers(shape: Shape | undefined, what: string): number[] {
  if (shape === undefined || shape.some((d) => typeof d !== 'number')) throw new Error(`the shape of ${what} is not known`);
  return shape as number[];
}

function intsAttribute(node: OnnxNode, name: string): number[] | undefined {
  const found = node.attributes.find((a) => a.name === name);
  return found && 'value' in found && found.type === 'ints' ? (found.value as number[]) : undefined;
}
function intAttribute(node: OnnxNode, name: string): number | undefined {
  const found = node.attributes.find((a) => a.name === name);
  return found && 'value' in found && found.type === 'int' ? (found.value as number) : undefined;
}

/**
 * Costs of an .onnx file (the plain model, before insertion) at the cell's input shape, plus the
 * modules of the insertion report. `inferShapes` is @attnkit/onnx's shape inference.
 */
export function onnxFileCosts(
  model: OnnxModel,
  inputShape: readonly number[],
  inferShapes: (graph: OnnxGraph) => Map<string, Shape>,
  attention: AttentionSpec | undefined,
  report: readonly OnnxInsertionEntry[],
): { costs: CellCosts; insertions: InsertionRecord[] } {
  const graph = withInputShape(model.graph, inputShape);
  for (const node of graph.nodes) {
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') throw new Error(`node '${node.name ?? node.outputs[0]}' is a ${node.domain}.${node.opType} call, whose work the count cannot see inside`);
    if (unsupportedOnnxOps.has(node.opType)) throw new Error(`no MAC rule for ${node.opType} (node '${node.name ?? node.outputs[0]}')`);
  }
  const shapes = inferShapes(graph);
  let parameters = 0;
  for (const t of graph.initializers) if (floatTypes.has(t.dataType)) parameters += sizeOf(t.dims);
  let macs = 0;
  let flops = 0;
  for (const node of graph.nodes) {
    const label = `the output of ${node.opType} '${node.name ?? node.outputs[0]}'`;
    const outShape = () => numbers(shapes.get(node.outputs[0]), label);
    switch (node.opType) {
      case 'Conv': {
        const [, perGroup, ...kernel] = numbers(shapes.get(node.inputs[1]), `the weight of '${node.name}'`);
        const out = sizeOf(outShape());
        const k = perGroup * sizeOf(kernel);
        macs += out * k;
        flops += out * (k + (node.inputs[2] ? 1 : 0));
        break;
      }
      case 'Gemm': {
        const a = numbers(shapes.get(node.inputs[0]), `the input of '${node.name}'`);
        const k = intAttribute(node, 'transA') ? a[0] : a[1];
        const out = sizeOf(outShape());
        macs += out * k;
        flops += out * (2 * k - 1);
        break;
      }
      case 'MatMul': {
        const a = numbers(shapes.get(node.inputs[0]), `the input of '${node.name}'`);
        const b = numbers(shapes.get(node.inputs[1]), `the input of '${node.name}'`);
        const k = a[a.length - 1];
        const n = b.length === 1 ? 1 : b[b.length - 1];
        const batch = sizeOf(a.slice(0, -1));
        macs += batch * n * k;
        flops += batch * n * (2 * k - 1);
        break;
      }
      case 'BatchNormalization':
        flops += 4 * sizeOf(outShape());
        break;
      case 'Relu':
      case 'Clip':
        flops += sizeOf(outShape());
        break;
      case 'GlobalAveragePool': {
        const [, , h, w] = numbers(shapes.get(node.inputs[0]), `the input of '${node.name}'`);
        flops += sizeOf(outShape()) * (h * w + 1);
        break;
      }
      case 'MaxPool': {
        const [kh, kw] = intsAttribute(node, 'kernel_shape') ?? [1, 1];
        flops += sizeOf(outShape()) * (kh === kw ? kh : kh * kw);
        break;
      }
    }
  }
  const producers = new Map<string, string>();
  for (const node of graph.nodes) for (const output of node.outputs) producers.set(output, node.name ?? output);
  const insertions = report.map((entry) => {
    const shape = numbers(shapes.get(entry.tensor), `tensor '${entry.tensor}'`);
    const record = {
      point: producers.get(entry.tensor) ?? entry.tensor,
      module: entry.name,
      tensor: entry.tensor,
      channels: entry.channels,
      ...(entry.kernelSize === undefined ? {} : { kernelSize: entry.kernelSize }),
      parameters: entry.parameters,
      shape,
    };
    const own = attentionModuleCosts(attention!, entry.channels, entry.kernelSize, shape);
    checkParameters(record, own.parameters);
    return { ...record, macs: own.macs, flops: own.flops };
  });
  return { costs: finish({ parameters, buffers: 0, macs, flops }, insertions, 'onnx file', onnxFlopsConvention, onnxParametersConvention), insertions };
}

// ---------------------------------------------------------------------------------------------
// tfjs model.json

/** A pair from a layer config (getConfig gives camelCase; a number means a square window). */
function pick(config: Record<string, unknown>, ...names: string[]): [number, number] {
  for (const name of names) {
    const value = config[name];
    if (typeof value === 'number') return [value, value];
    if (Array.isArray(value) && value.length === 2) return value as [number, number];
  }
  throw new Error(`the layer config has no ${names[0]}`);
}

export const tfjsParametersConvention = 'trainable weights (PyTorch convention): BatchNormalization gamma and beta count, its moving mean and variance are buffers';

/** Layers whose weights the count has no MAC rule for (anything else holding weights refuses). */
const tfjsWeightLayers = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense', 'BatchNormalization']);

/**
 * Costs of a tfjs LayersModel (after insertion; the inserted layers, named in `report`, are
 * counted by core instead), for a batch of `batch`. Shapes are the model's own: a model.json has a
 * fixed input size, which must be the cell's.
 */
export function tfjsModelCosts(
  model: TfLayers.LayersModel,
  inputShape: readonly number[],
  calls: ReadonlyArray<{ layer: TfLayers.layers.Layer; inputTensors: TfLayers.SymbolicTensor[]; outputTensors: TfLayers.SymbolicTensor[] }>,
  attention: AttentionSpec | undefined,
  report: readonly TfjsInsertionEntry[],
): { costs: CellCosts; insertions: InsertionRecord[] } {
  const [batch, channels, height, width] = inputShape;
  const declared = model.inputs[0].shape;
  const expected = [null, height, width, channels];
  if (declared.length !== 4 || declared.slice(1).some((d, i) => d !== expected[i + 1])) {
    throw new Error(`its input is [${declared.map(String).join(', ')}] (NHWC); the cell's input is [N, ${height}, ${width}, ${channels}], and shapes are read from the model`);
  }
  const shapeOf = (t: TfLayers.SymbolicTensor) => {
    const [, ...rest] = t.shape;
    if (rest.some((d) => typeof d !== 'number')) throw new Error(`layer '${t.sourceLayer.name}' outputs [${t.shape.map(String).join(', ')}], not a known shape`);
    return [batch, ...(rest as number[])];
  };
  const inserted = new Map(report.map((entry) => [entry.name, entry]));
  let parameters = 0;
  let buffers = 0;
  for (const layer of model.layers) {
    if (inserted.has(layer.name)) continue;
    for (const w of layer.trainableWeights) parameters += sizeOf(w.shape as number[]);
    for (const w of layer.nonTrainableWeights) buffers += sizeOf(w.shape as number[]);
    if (layer.weights.length > 0 && !tfjsWeightLayers.has(layer.getClassName())) throw new Error(`no MAC rule for layer '${layer.name}' (${layer.getClassName()})`);
  }
  let macs = 0;
  let flops = 0;
  const insertions: InsertionRecord[] = [];
  for (const call of calls) {
    const layer = call.layer;
    const entry = inserted.get(layer.name);
    const config = layer.getConfig() as Record<string, unknown>;
    if (entry !== undefined) {
      const [n, h, w, c] = shapeOf(call.inputTensors[0]);
      const shape = [n, c, h, w];
      const record = { point: entry.layer, module: entry.name, ...(entry.before ? { before: entry.before } : {}), channels: entry.channels, ...(entry.kernelSize === undefined ? {} : { kernelSize: entry.kernelSize }), parameters: entry.parameters, shape };
      const own = attentionModuleCosts(attention!, entry.channels, entry.kernelSize, shape);
      checkParameters(record, own.parameters);
      insertions.push({ ...record, macs: own.macs, flops: own.flops });
      continue;
    }
    const className = layer.getClassName();
    const relu = config.activation === 'relu' || config.activation === 'relu6';
    for (const output of call.outputTensors) {
      if (!['Conv2D', 'DepthwiseConv2D', 'Dense', 'BatchNormalization', 'ReLU', 'Activation', 'GlobalAveragePooling2D', 'MaxPooling2D'].includes(className)) continue;
      const out = sizeOf(shapeOf(output));
      const input = shapeOf(call.inputTensors[0]);
      const bias = config.use_bias === true || config.useBias === true ? 1 : 0;
      switch (className) {
        case 'Conv2D': {
          const [kh, kw] = pick(config, 'kernelSize', 'kernel_size');
          const k = kh * kw * input[input.length - 1];
          macs += out * k;
          flops += out * (k + bias) + (relu ? out : 0);
          break;
        }
        case 'DepthwiseConv2D': {
          const [kh, kw] = pick(config, 'kernelSize', 'kernel_size');
          macs += out * kh * kw;
          flops += out * (kh * kw + bias) + (relu ? out : 0);
          break;
        }
        case 'Dense': {
          const k = input[input.length - 1];
          macs += out * k;
          flops += out * (2 * k - 1) + (relu ? out : 0);
          break;
        }
        case 'BatchNormalization':
          flops += 4 * out;
          break;
        case 'ReLU':
          flops += out;
          break;
        case 'Activation':
          if (relu) flops += out;
          break;
        case 'GlobalAveragePooling2D':
          flops += out * (input[1] * input[2] + 1);
          break;
        case 'MaxPooling2D': {
          const [kh, kw] = pick(config, 'poolSize', 'pool_size');
          flops += out * (kh === kw ? kh : kh * kw);
          break;
        }
      }
    }
  }
  if (insertions.length !== report.length) throw new Error(`${report.length} modules in the insertion report, ${insertions.length} found in the model`);
  return { costs: finish({ parameters, buffers, macs, flops }, insertions, 'tfjs model', tfjsFlopsConvention, tfjsParametersConvention), insertions };
}
