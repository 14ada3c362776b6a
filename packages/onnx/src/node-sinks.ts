/**
 * The two places translated nodes go: the main graph (`GraphSink`: names that mirror PyTorch
 * module paths, constants as shared initializers) and a function body (`FunctionSink`: local
 * names, constants as Constant nodes, since a FunctionProto has no initializers).
 */
import { attr, createNode } from './model-builders.js';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnx-model.js';
import { tensorFromFloat32, tensorFromInt64 } from './tensor-data.js';
import { uniqueName } from './graph-tools.js';
import type { NodeSink } from './translate-op.js';

/**
 * torch.onnx.export's node-name style for a module path: `layer1.0.conv1` ->
 * `/layer1/layer1.0/conv1`, `features.1.conv.0.0` -> `/features/features.1/conv/conv.0/conv.0.0`
 * (a numeric component joins the name before it, as PyTorch names Sequential children).
 */
export function torchScopeName(path: string): string {
  if (path === '') return '';
  const segments: string[] = [];
  let current = '';
  for (const part of path.split('.')) {
    current = /^\d+$/.test(part) && current !== '' ? `${current}.${part}` : part;
    segments.push(current);
  }
  return `/${segments.join('/')}`;
}

export class GraphSink implements NodeSink {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** Module path the next nodes are named after. */
  scope = '';
  private readonly constants = new Map<string, string>();

  constructor(
    readonly opset: number,
    /** Every name already used in the graph (tensors and nodes); new names are added. */
    readonly taken: Set<string>,
  ) {}

  node(opType: string, inputs: readonly string[], attributes: OnnxAttribute[] = [], output?: string, domain?: string): string {
    const name = uniqueName(`${torchScopeName(this.scope)}/${opType}`, this.taken);
    const out = output ?? uniqueName(`${name}_output_0`, this.taken);
    this.nodes.push(createNode(opType, inputs, [out], { name, attributes, ...(domain ? { domain } : {}) }));
    return out;
  }

  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('int64', values, dims, (name) => tensorFromInt64(name, dims, values));
  }

  float32(values: readonly number[], dims: readonly number[]): string {
    return this.constant('float32', values, dims, (name) => tensorFromFloat32(name, dims, Float32Array.from(values)));
  }

  /** Adds an initializer under `name` (made unique) and returns the name used. */
  initializer(tensor: OnnxTensor): string {
    const name = uniqueName(tensor.name, this.taken);
    this.initializers.push({ ...tensor, name });
    return name;
  }

  private constant(type: string, values: readonly number[], dims: readonly number[], make: (name: string) => OnnxTensor): string {
    const key = `${type}[${dims.join(',')}]${values.join(',')}`;
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const base = values.length <= 4 ? `const_${type}_${values.join('_').replace(/-/g, 'm')}` : `const_${type}_${this.constants.size}`;
    const name = this.initializer(make(base));
    this.constants.set(key, name);
    return name;
  }
}

export class FunctionSink implements NodeSink {
  readonly nodes: OnnxNode[] = [];
  private count = 0;
  private readonly constants = new Map<string, string>();

  constructor(readonly opset: number) {}

  node(opType: string, inputs: readonly string[], attributes: OnnxAttribute[] = [], output?: string): string {
    const index = this.count++;
    const out = output ?? `${opType.toLowerCase()}_${index}`;
    this.nodes.push(createNode(opType, inputs, [out], { name: `${opType}_${index}`, attributes }));
    return out;
  }

  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(`int64[${dims.join(',')}]${values.join(',')}`, () => tensorFromInt64('', dims, values));
  }

  float32(values: readonly number[], dims: readonly number[]): string {
    return this.constant(`float32[${dims.join(',')}]${values.join(',')}`, () => tensorFromFloat32('', dims, Float32Array.from(values)));
  }

  private constant(key: string, make: () => OnnxTensor): string {
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const name = this.node('Constant', [], [attr.tensor('value', make())]);
    this.constants.set(key, name);
    return name;
  }
}
