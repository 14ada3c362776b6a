/**
 * Small constructors for hand-built models: `attr.*`, `valueInfo`, `createNode`, `createGraph`,
 * `createModel`. Each returns the canonical form `decodeModel` gives back, so a built model
 * survives an encode/decode round trip deep-equal.
 */
import {
  DataType,
  type DataTypeCode,
  type OnnxAttribute,
  type OnnxAttributeValue,
  type OnnxAttributeReference,
  type OnnxDimension,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxSparseTensor,
  type OnnxTensor,
  type OnnxType,
  type OnnxValueInfo,
  type AttributeTypeName,
} from './onnx-model.js';

export const attr = {
  float: (name: string, value: number): OnnxAttributeValue => ({ name, type: 'float', value }),
  int: (name: string, value: number): OnnxAttributeValue => ({ name, type: 'int', value }),
  string: (name: string, value: string): OnnxAttributeValue => ({ name, type: 'string', value }),
  tensor: (name: string, value: OnnxTensor): OnnxAttributeValue => ({ name, type: 'tensor', value }),
  graph: (name: string, value: OnnxGraph): OnnxAttributeValue => ({ name, type: 'graph', value }),
  sparseTensor: (name: string, value: OnnxSparseTensor): OnnxAttributeValue => ({ name, type: 'sparseTensor', value }),
  typeProto: (name: string, value: OnnxType): OnnxAttributeValue => ({ name, type: 'typeProto', value }),
  floats: (name: string, value: readonly number[]): OnnxAttributeValue => ({ name, type: 'floats', value: [...value] }),
  ints: (name: string, value: readonly number[]): OnnxAttributeValue => ({ name, type: 'ints', value: [...value] }),
  strings: (name: string, value: readonly string[]): OnnxAttributeValue => ({ name, type: 'strings', value: [...value] }),
  tensors: (name: string, value: readonly OnnxTensor[]): OnnxAttributeValue => ({ name, type: 'tensors', value: [...value] }),
  graphs: (name: string, value: readonly OnnxGraph[]): OnnxAttributeValue => ({ name, type: 'graphs', value: [...value] }),
  /** In a function body: take the value of the caller's attribute `refAttrName`. */
  ref: (name: string, type: AttributeTypeName, refAttrName: string): OnnxAttributeReference => ({ name, type, refAttrName }),
};

/** A tensor value info; `dims` entries may be sizes, symbolic names ('batch') or null (unknown). */
export function valueInfo(name: string, dims: readonly OnnxDimension[], elemType: DataTypeCode = DataType.FLOAT): OnnxValueInfo {
  return { name, type: { kind: 'tensor', elemType, shape: [...dims] } };
}

export interface NodeOptions {
  name?: string;
  domain?: string;
  attributes?: OnnxAttribute[];
}

export function createNode(opType: string, inputs: readonly string[], outputs: readonly string[], options: NodeOptions = {}): OnnxNode {
  const node: OnnxNode = { opType, inputs: [...inputs], outputs: [...outputs], attributes: options.attributes ?? [] };
  if (options.name) node.name = options.name;
  if (options.domain) node.domain = options.domain;
  return node;
}

export function createGraph(fields: Partial<OnnxGraph> & Pick<OnnxGraph, 'nodes' | 'inputs' | 'outputs'>): OnnxGraph {
  return { name: 'main', initializers: [], ...fields };
}

/** A model at IR version 8 importing opset 17 of the default domain unless told otherwise. */
export function createModel(fields: Partial<OnnxModel> & Pick<OnnxModel, 'graph'>): OnnxModel {
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], ...fields };
}
