/**
 * A plain TypeScript view of a decoded ONNX model: camelCase fields, arrays named in the plural,
 * int64 values as `number` (exact up to 2^53; INT64_MAX / INT64_MIN, as used by Slice, survive a
 * round trip because encoding saturates at the int64 limits).
 *
 * Canonical form (what `decodeModel` returns, and what a deep-equal round trip needs): required
 * fields are always present; optional fields are left out when the file has them absent or empty
 * (empty string, empty list, zero model version).
 *
 * Names against onnx.proto: `nodes` = node, `inputs`/`outputs` = input/output,
 * `attributes` = attribute, `initializers` = initializer, `opsetImports` = opset_import,
 * `attributeDefaults` = FunctionProto.attribute_proto.
 */

/** TensorProto.DataType codes (onnx.proto). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
} as const;

export type DataTypeCode = number;

/** AttributeProto.AttributeType codes (onnx.proto), keyed by the `type` names of `OnnxAttribute`. */
export const AttributeTypeCodes = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  graphs: 10,
  sparseTensor: 11,
  sparseTensors: 12,
  typeProto: 13,
  typeProtos: 14,
} as const;

export type AttributeTypeName = keyof typeof AttributeTypeCodes;

export interface OnnxStringEntry {
  key: string;
  value: string;
}

export interface OnnxOpsetImport {
  /** '' is the default ONNX domain (ai.onnx). */
  domain: string;
  version: number;
}

/** A dimension: a size, a symbolic name (`'batch'`), or null when neither is known. */
export type OnnxDimension = number | string | null;

/**
 * `dimensionDenotations` holds each shape dimension's denotation (TensorShapeProto.Dimension field 3,
 * e.g. 'DATA_BATCH'; '' where a dimension has none), present only when some dimension has one.
 */
export type OnnxType =
  | { kind: 'tensor'; elemType: DataTypeCode; shape?: OnnxDimension[]; dimensionDenotations?: string[]; denotation?: string }
  | { kind: 'sparseTensor'; elemType: DataTypeCode; shape?: OnnxDimension[]; dimensionDenotations?: string[]; denotation?: string }
  | { kind: 'sequence'; elemType: OnnxType; denotation?: string }
  | { kind: 'optional'; elemType: OnnxType; denotation?: string }
  | { kind: 'map'; keyType: DataTypeCode; valueType: OnnxType; denotation?: string }
  | { kind: 'opaque'; domain: string; name: string; denotation?: string };

export interface OnnxValueInfo {
  name: string;
  /** Absent for values whose type the producer did not record. `shape` absent = rank unknown. */
  type?: OnnxType;
  docString?: string;
  metadataProps?: OnnxStringEntry[];
}

export interface OnnxTensor {
  name: string;
  dataType: DataTypeCode;
  /** [] for a scalar. */
  dims: number[];
  /** Fixed-width little-endian elements; the form torch.onnx.export and onnx.save write. */
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  uint64Data?: number[];
  stringData?: Uint8Array[];
  /** Set when the elements live in a file next to the model (`location`, `offset`, `length`). */
  externalData?: OnnxStringEntry[];
  dataLocation?: 'default' | 'external';
  segment?: { begin: number; end: number };
  docString?: string;
  metadataProps?: OnnxStringEntry[];
}

export interface OnnxSparseTensor {
  values: OnnxTensor;
  indices: OnnxTensor;
  dims: number[];
}

interface AttributeCommon {
  name: string;
  docString?: string;
}

/** The value of an attribute, by its `type`. */
export interface AttributeValues {
  float: number;
  int: number;
  string: string;
  tensor: OnnxTensor;
  graph: OnnxGraph;
  sparseTensor: OnnxSparseTensor;
  typeProto: OnnxType;
  floats: number[];
  ints: number[];
  strings: string[];
  tensors: OnnxTensor[];
  graphs: OnnxGraph[];
  sparseTensors: OnnxSparseTensor[];
  typeProtos: OnnxType[];
}

export type OnnxAttributeValue = {
  [K in AttributeTypeName]: AttributeCommon & { type: K; value: AttributeValues[K] };
}[AttributeTypeName];

/** Inside a function body: an attribute that takes the value of the calling node's attribute `refAttrName`. */
export interface OnnxAttributeReference extends AttributeCommon {
  type: AttributeTypeName;
  refAttrName: string;
}

export type OnnxAttribute = OnnxAttributeValue | OnnxAttributeReference;

export interface OnnxNode {
  opType: string;
  /** '' (empty input) marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
  name?: string;
  /** Absent for the default ONNX domain. */
  domain?: string;
  overload?: string;
  docString?: string;
  metadataProps?: OnnxStringEntry[];
  /** How the node is sharded over the devices of a `OnnxModel.configurations` entry. */
  deviceConfigurations?: OnnxNodeDeviceConfiguration[];
}

/** onnx.proto NodeDeviceConfigurationProto. */
export interface OnnxNodeDeviceConfiguration {
  configurationId: string;
  shardingSpecs?: OnnxShardingSpec[];
  pipelineStage?: number;
}

/** onnx.proto ShardingSpecProto: one tensor's split over devices. */
export interface OnnxShardingSpec {
  tensorName: string;
  devices?: number[];
  indexToDeviceGroupMap?: Array<{ key: number; value: number[] }>;
  shardedDims?: Array<{ axis: number; simpleSharding?: Array<{ dim?: number | string; numShards: number }> }>;
}

/** onnx.proto TrainingInfoProto: an initialization step and a training-algorithm step. */
export interface OnnxTrainingInfo {
  initialization?: OnnxGraph;
  algorithm?: OnnxGraph;
  initializationBinding?: OnnxStringEntry[];
  updateBinding?: OnnxStringEntry[];
}

/** onnx.proto DeviceConfigurationProto: a named set of devices nodes are sharded over. */
export interface OnnxDeviceConfiguration {
  name: string;
  numDevices: number;
  devices?: string[];
}

export interface OnnxTensorAnnotation {
  tensorName: string;
  quantParameterTensorNames: OnnxStringEntry[];
}

export interface OnnxGraph {
  name: string;
  /** In topological order (onnx.proto requires it of a graph). */
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
  sparseInitializers?: OnnxSparseTensor[];
  quantizationAnnotation?: OnnxTensorAnnotation[];
  docString?: string;
  metadataProps?: OnnxStringEntry[];
}

/** A model-local function: nodes whose `domain` and `opType` match it are calls to it. */
export interface OnnxFunction {
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Names of the attributes a call may set and that have no default. */
  attributes: string[];
  nodes: OnnxNode[];
  opsetImports: OnnxOpsetImport[];
  /** Attributes with default values (FunctionProto.attribute_proto). */
  attributeDefaults?: OnnxAttributeValue[];
  overload?: string;
  valueInfo?: OnnxValueInfo[];
  docString?: string;
  metadataProps?: OnnxStringEntry[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: OnnxOpsetImport[];
  graph: OnnxGraph;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  metadataProps?: OnnxStringEntry[];
  functions?: OnnxFunction[];
  trainingInfo?: OnnxTrainingInfo[];
  configurations?: OnnxDeviceConfiguration[];
}
