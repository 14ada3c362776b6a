/**
 * Static shape inference for the ops a torchvision ResNet / MobileNetV2 export uses, so a caller
 * can ask the [N, C, H, W] shape of any tensor of an exported model. Symbolic dims ('batch') pass
 * through ops that keep them; null means unknown.
 *
 * Supported: Conv, BatchNormalization, Relu, Clip, Sigmoid, Identity, Dropout, Add, Mul, MaxPool,
 * AveragePool, GlobalAveragePool, GlobalMaxPool, Flatten, Gemm, Reshape (constant shape),
 * ReduceMean, ReduceMax, Concat, Unsqueeze, Squeeze (axes as attribute or constant input),
 * Constant. Other ops take their shapes from `graph.valueInfo`, or from `customOps`.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { topologicalSort } from './graph-tools.js';
import type { OnnxAttribute, OnnxDimension, OnnxGraph, OnnxNode, OnnxTensor } from './onnx-model.js';
import { tensorToIntegers } from './tensor-data.js';

export type Shape = OnnxDimension[];

/** Shapes of a node's outputs from the shapes of its inputs ('' inputs are null). */
export type ShapeRule = (inputs: (Shape | null)[], node: OnnxNode, constants: ReadonlyMap<string, number[]>) => Shape[];

export interface ShapeInferenceOptions {
  /** Rules for other ops, keyed by opType (e.g. a model-local attention function). */
  customOps?: Record<string, ShapeRule>;
}

const sameAsInput: ShapeRule = (inputs) => [need(inputs[0])];

const rules: Record<string, ShapeRule> = {
  Relu: sameAsInput,
  Clip: sameAsInput,
  Sigmoid: sameAsInput,
  Identity: sameAsInput,
  Dropout: sameAsInput,
  BatchNormalization: sameAsInput,
  Add: (inputs) => [broadcast(need(inputs[0]), need(inputs[1]))],
  Mul: (inputs) => [broadcast(need(inputs[0]), need(inputs[1]))],
  Conv: (inputs, node) => {
    const [x, w] = [need(inputs[0]), need(inputs[1])];
    const kernel = getInts(node, 'kernel_shape') ?? w.slice(2).map(known);
    return [[x[0], w[0], ...spatialOutput(x, kernel, node, false)]];
  },
  MaxPool: (inputs, node) => pool(need(inputs[0]), node),
  AveragePool: (inputs, node) => pool(need(inputs[0]), node),
  GlobalAveragePool: (inputs) => [globalPool(need(inputs[0]))],
  GlobalMaxPool: (inputs) => [globalPool(need(inputs[0]))],
  Flatten: (inputs, node) => {
    const x = need(inputs[0]);
    const axis = normalizeAxis(getInt(node, 'axis') ?? 1, x.length + 1);
    return [[product(x.slice(0, axis)), product(x.slice(axis))]];
  },
  Gemm: (inputs, node) => {
    const [a, b] = [need(inputs[0]), need(inputs[1])];
    const m = getInt(node, 'transA') ? a[1] : a[0];
    const n = getInt(node, 'transB') ? b[0] : b[1];
    return [[m, n]];
  },
  Reshape: (inputs, node, constants) => {
    const x = need(inputs[0]);
    const target = constantInput(node, 1, constants);
    const allowZero = getInt(node, 'allowzero') === 1;
    const out: Shape = target.map((dim, i) => (dim === 0 && !allowZero ? x[i] : dim === -1 ? null : dim));
    const inferred = target.indexOf(-1);
    if (inferred !== -1) {
      const total = product(x);
      const rest = product(out.filter((_, i) => i !== inferred));
      out[inferred] = typeof total === 'number' && typeof rest === 'number' && rest !== 0 ? total / rest : null;
    }
    return [out];
  },
  ReduceMean: (inputs, node, constants) => [reduce(need(inputs[0]), node, constants)],
  ReduceMax: (inputs, node, constants) => [reduce(need(inputs[0]), node, constants)],
  Concat: (inputs, node) => {
    const shapes = inputs.map(need);
    const axis = normalizeAxis(requireInt(node, 'axis'), shapes[0].length);
    const out = [...shapes[0]];
    out[axis] = sum(shapes.map((shape) => shape[axis]));
    return [out];
  },
  Unsqueeze: (inputs, node, constants) => {
    const x = need(inputs[0]);
    const rank = x.length + axesOf(node, constants).length;
    const axes = new Set(axesOf(node, constants).map((axis) => normalizeAxis(axis, rank)));
    const out: Shape = [];
    let next = 0;
    for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : x[next++]);
    return [out];
  },
  Squeeze: (inputs, node, constants) => {
    const x = need(inputs[0]);
    const given = axesOf(node, constants);
    const axes = given.length ? new Set(given.map((axis) => normalizeAxis(axis, x.length))) : new Set(x.flatMap((dim, i) => (dim === 1 ? [i] : [])));
    return [x.filter((_, i) => !axes.has(i))];
  },
  Constant: (_inputs, node) => {
    const value = node.attributes.find((a) => a.name === 'value');
    if (value && 'value' in value && value.type === 'tensor') return [[...value.value.dims]];
    if (node.attributes.some((a) => a.name === 'value_ints' || a.name === 'value_floats')) {
      const list = node.attributes.find((a) => a.name === 'value_ints' || a.name === 'value_floats')!;
      return [['value' in list && Array.isArray(list.value) ? list.value.length : null]];
    }
    return [[]];
  },
};

export const supportedShapeOps: readonly string[] = Object.keys(rules).sort();

/**
 * The shape of every tensor of the graph that its inputs, initializers and ops determine,
 * keyed by tensor name. Throws UNSUPPORTED for an op without a rule whose outputs have no shape
 * in `graph.valueInfo`.
 */
export function inferShapes(graph: OnnxGraph, options: ShapeInferenceOptions = {}): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const input of graph.inputs) {
    if (input.type?.kind === 'tensor' && input.type.shape) shapes.set(input.name, [...input.type.shape]);
  }
  const constants = new Map<string, number[]>();
  for (const tensor of graph.initializers) {
    shapes.set(tensor.name, [...tensor.dims]);
    addConstant(constants, tensor);
  }
  const declared = new Map<string, Shape>();
  for (const info of graph.valueInfo ?? []) {
    if (info.type?.kind === 'tensor' && info.type.shape) declared.set(info.name, info.type.shape);
  }
  for (const node of topologicalSort(graph)) {
    const rule = options.customOps?.[node.opType] ?? (node.domain ? undefined : rules[node.opType]);
    if (rule === undefined) {
      if (node.outputs.every((output) => declared.has(output))) {
        for (const output of node.outputs) shapes.set(output, [...declared.get(output)!]);
        continue;
      }
      throw new AttnkitError(
        ErrorCodes.UNSUPPORTED,
        `no shape rule for op '${node.domain ? `${node.domain}.` : ''}${node.opType}' (node '${node.name ?? node.outputs[0]}'); supported: ${supportedShapeOps.join(', ')}. Pass customOps or give its outputs a value_info shape`,
        { opType: node.opType, domain: node.domain ?? '', supported: supportedShapeOps },
      );
    }
    const inputShapes = node.inputs.map((input) => (input === '' ? null : (shapes.get(input) ?? null)));
    let outputs: Shape[];
    try {
      outputs = rule(inputShapes, node, constants);
    } catch (cause) {
      if (cause instanceof AttnkitError) throw cause;
      throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `cannot infer the shape of ${node.opType} node '${node.name ?? node.outputs[0]}': ${(cause as Error).message}`, {
        node: node.name,
        inputs: inputShapes,
      });
    }
    node.outputs.forEach((output, i) => {
      if (output !== '' && outputs[i]) shapes.set(output, outputs[i]);
    });
    if (node.opType === 'Constant') {
      const value = node.attributes.find((a) => a.name === 'value');
      if (value && 'value' in value && value.type === 'tensor') addConstant(constants, { ...value.value, name: node.outputs[0] });
      const ints = node.attributes.find((a) => a.name === 'value_ints');
      if (ints && 'value' in ints && ints.type === 'ints') constants.set(node.outputs[0], ints.value);
    }
  }
  return shapes;
}

function addConstant(constants: Map<string, number[]>, tensor: OnnxTensor): void {
  // Only small integer tensors (shapes, axes) are needed as values.
  if ((tensor.dataType === 7 || tensor.dataType === 6) && tensor.dims.length <= 1 && tensor.dataLocation !== 'external') {
    constants.set(tensor.name, tensorToIntegers(tensor));
  }
}

function need(shape: Shape | null | undefined): Shape {
  if (!shape) throw new Error('an input shape is unknown (no value_info shape for a graph input, or an unsupported op upstream)');
  return shape;
}

function known(dim: OnnxDimension): number {
  if (typeof dim !== 'number') throw new Error(`dimension ${String(dim)} must be a known size here`);
  return dim;
}

function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

function getInt(node: OnnxNode, name: string): number | undefined {
  const found = attribute(node, name);
  return found && 'value' in found && found.type === 'int' ? found.value : undefined;
}

function requireInt(node: OnnxNode, name: string): number {
  const value = getInt(node, name);
  if (value === undefined) throw new Error(`attribute '${name}' is required`);
  return value;
}

function getInts(node: OnnxNode, name: string): number[] | undefined {
  const found = attribute(node, name);
  return found && 'value' in found && found.type === 'ints' ? found.value : undefined;
}

function getString(node: OnnxNode, name: string): string | undefined {
  const found = attribute(node, name);
  return found && 'value' in found && found.type === 'string' ? found.value : undefined;
}

function constantInput(node: OnnxNode, index: number, constants: ReadonlyMap<string, number[]>): number[] {
  const name = node.inputs[index];
  const value = name ? constants.get(name) : undefined;
  if (value === undefined) throw new Error(`input ${index} ('${name ?? ''}') must be a constant (an initializer or a Constant node)`);
  return value;
}

function axesOf(node: OnnxNode, constants: ReadonlyMap<string, number[]>): number[] {
  return getInts(node, 'axes') ?? (node.inputs[1] ? constantInput(node, 1, constants) : []);
}

function normalizeAxis(axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

function product(dims: Shape): OnnxDimension {
  // A lone symbolic dim (Flatten of [batch, ...] at axis 1) stays symbolic.
  if (dims.length === 1) return dims[0];
  let result = 1;
  for (const dim of dims) {
    if (typeof dim !== 'number') return null;
    result *= dim;
  }
  return result;
}

function sum(dims: Shape): OnnxDimension {
  let result = 0;
  for (const dim of dims) {
    if (typeof dim !== 'number') return null;
    result += dim;
  }
  return result;
}

/** numpy-style broadcasting, as ONNX Add and Mul define it. */
function broadcast(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (x === 1) out.push(y);
    else if (y === 1 || x === y) out.push(x);
    else if (typeof x === 'number' && typeof y === 'number') throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    else out.push(typeof x === 'number' ? x : typeof y === 'number' ? y : x);
  }
  return out;
}

function globalPool(x: Shape): Shape {
  return [x[0], x[1], ...x.slice(2).map(() => 1)];
}

function pool(x: Shape, node: OnnxNode): Shape[] {
  const kernel = getInts(node, 'kernel_shape');
  if (!kernel) throw new Error("attribute 'kernel_shape' is required");
  return [[x[0], x[1], ...spatialOutput(x, kernel, node, getInt(node, 'ceil_mode') === 1)]];
}

/** Output spatial sizes of Conv and pooling: floor or ceil((in + pads - dilated kernel) / stride) + 1. */
function spatialOutput(x: Shape, kernel: number[], node: OnnxNode, ceilMode: boolean): OnnxDimension[] {
  const spatial = x.length - 2;
  const strides = getInts(node, 'strides') ?? new Array(spatial).fill(1);
  const dilations = getInts(node, 'dilations') ?? new Array(spatial).fill(1);
  const pads = getInts(node, 'pads') ?? new Array(spatial * 2).fill(0);
  const autoPad = getString(node, 'auto_pad') ?? 'NOTSET';
  return x.slice(2).map((size, i) => {
    if (typeof size !== 'number') return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(size / strides[i]);
    const padding = autoPad === 'VALID' ? 0 : pads[i] + pads[i + spatial];
    const span = (kernel[i] - 1) * dilations[i] + 1;
    const steps = (size + padding - span) / strides[i];
    return (ceilMode ? Math.ceil(steps) : Math.floor(steps)) + 1;
  });
}

function reduce(x: Shape, node: OnnxNode, constants: ReadonlyMap<string, number[]>): Shape {
  const keepDims = getInt(node, 'keepdims') ?? 1;
  const given = axesOf(node, constants);
  if (given.length === 0 && getInt(node, 'noop_with_empty_axes') === 1) return [...x];
  const axes = given.length ? new Set(given.map((axis) => normalizeAxis(axis, x.length))) : new Set(x.map((_, i) => i));
  return keepDims ? x.map((dim, i) => (axes.has(i) ? 1 : dim)) : x.filter((_, i) => !axes.has(i));
}
