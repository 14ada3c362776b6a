/**
 * `decodeModel` / `encodeModel`: bytes of a .onnx file <-> the plain `OnnxModel` of `onnx-model.ts`.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import protobuf from 'protobufjs/light.js';
import { getModelProtoType, onnxSchemaDescriptor } from './onnx-schema.js';
import { checkTensorSize } from './tensor-data.js';
import {
  AttributeTypeCodes,
  type AttributeTypeName,
  type OnnxAttribute,
  type OnnxAttributeValue,
  type OnnxFunction,
  type OnnxGraph,
  type OnnxModel,
  type OnnxDeviceConfiguration,
  type OnnxNode,
  type OnnxNodeDeviceConfiguration,
  type OnnxOpsetImport,
  type OnnxShardingSpec,
  type OnnxTrainingInfo,
  type OnnxSparseTensor,
  type OnnxStringEntry,
  type OnnxTensor,
  type OnnxTensorAnnotation,
  type OnnxType,
  type OnnxValueInfo,
  type OnnxDimension,
} from './onnx-model.js';

/** A decoded protobufjs message (or the plain object handed to `encode`), keyed by proto field name. */
type Proto = { [field: string]: any };

/** The IR version of the vendored onnx-ml.proto (`onnx.Version.IR_VERSION`). */
const newestIrVersion = onnxSchemaDescriptor.nested.onnx.nested.Version.values.IR_VERSION;

const EXPECTED_FILE = 'expected a .onnx file written by torch.onnx.export or onnx.save';

const attributeTypeNames = new Map<number, AttributeTypeName>(
  Object.entries(AttributeTypeCodes).map(([name, code]) => [code, name as AttributeTypeName]),
);

/**
 * Parses the bytes of a .onnx file. Throws `INVALID_FILE` when they are not a ModelProto with a
 * graph (truncated or corrupt file, another format, an empty buffer).
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `not an ONNX ModelProto: got ${describe(bytes)}; ${EXPECTED_FILE} (as a Uint8Array)`);
  }
  if (bytes.length === 0) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `not an ONNX ModelProto: the file is empty; ${EXPECTED_FILE}`, { byteLength: 0 });
  }
  let message: Proto;
  try {
    message = getModelProtoType().decode(bytes) as Proto;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `not an ONNX ModelProto: protobuf decoding failed (${reason}) in ${bytes.length} bytes, which happens with a truncated or corrupt file or another format; ${EXPECTED_FILE}`,
      { byteLength: bytes.length, reason },
    );
  }
  if (!has(message, 'graph')) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `not an ONNX ModelProto: ${bytes.length} bytes decode to a message without a graph (ModelProto field 7); ${EXPECTED_FILE}`,
      { byteLength: bytes.length },
    );
  }
  const irVersion = toNumber(message.ir_version);
  if (!has(message, 'ir_version') || irVersion < 1 || irVersion > 1000) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `not an ONNX ModelProto: ir_version is ${has(message, 'ir_version') ? irVersion : 'missing'}, expected a positive IR version (3 to ${newestIrVersion} in files of today); ${EXPECTED_FILE}`,
      { byteLength: bytes.length, irVersion },
    );
  }
  const model: OnnxModel = {
    irVersion,
    opsetImports: message.opset_import.map(readOpset),
    graph: readGraph(message.graph),
  };
  setString(model, 'producerName', message.producer_name);
  setString(model, 'producerVersion', message.producer_version);
  setString(model, 'domain', message.domain);
  const modelVersion = toNumber(message.model_version);
  if (modelVersion !== 0) model.modelVersion = modelVersion;
  setString(model, 'docString', message.doc_string);
  setList(model, 'metadataProps', message.metadata_props.map(readEntry));
  setList(model, 'functions', message.functions.map(readFunction));
  setList(model, 'trainingInfo', message.training_info.map(readTrainingInfo));
  setList(model, 'configurations', message.configuration.map(readDeviceConfiguration));
  checkOpsetImports(model, bytes.length);
  return model;
}

/**
 * Protobuf has no end marker, so a file cut between two top-level fields still decodes. onnx.save and
 * torch.onnx.export write opset_import (field 8) after the graph (field 7); requiring the imports the
 * graph needs catches a file cut right after its graph.
 */
function checkOpsetImports(model: OnnxModel, byteLength: number): void {
  const imported = new Set(model.opsetImports.map((opset) => normalizeDomain(opset.domain)));
  if (model.irVersion >= 3 && imported.size === 0) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `not an ONNX ModelProto: IR version ${model.irVersion} needs at least one opset_import and the file has none (truncated?); ${EXPECTED_FILE}`,
      { byteLength },
    );
  }
  const missing = model.graph.nodes.find((node) => !imported.has(normalizeDomain(node.domain ?? '')));
  if (model.irVersion >= 3 && missing) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `not an ONNX ModelProto: node '${missing.name ?? missing.opType}' uses domain '${missing.domain}' that opset_import does not list (it lists ${[...imported].map((domain) => `'${domain}'`).join(', ')}; truncated?); ${EXPECTED_FILE}`,
      { byteLength, domain: missing.domain },
    );
  }
}

function normalizeDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/** Serializes a model to .onnx bytes (what onnx.save writes, and what InferenceSession.create reads). */
export function encodeModel(model: OnnxModel): Uint8Array {
  if (model === null || typeof model !== 'object' || model.graph === undefined) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `encodeModel needs an OnnxModel with a graph, got ${describe(model)}`);
  }
  const proto: Proto = withoutDefaults({
    ir_version: toInt64(model.irVersion),
    opset_import: model.opsetImports.map(writeOpset),
    graph: writeGraph(model.graph),
  });
  if (model.producerName) proto.producer_name = model.producerName;
  if (model.producerVersion) proto.producer_version = model.producerVersion;
  if (model.domain) proto.domain = model.domain;
  if (model.modelVersion) proto.model_version = toInt64(model.modelVersion);
  if (model.docString) proto.doc_string = model.docString;
  if (model.metadataProps) proto.metadata_props = model.metadataProps.map(writeEntry);
  if (model.functions) proto.functions = model.functions.map(writeFunction);
  if (model.trainingInfo) proto.training_info = model.trainingInfo.map(writeTrainingInfo);
  if (model.configurations) proto.configuration = model.configurations.map(writeDeviceConfiguration);
  return getModelProtoType().encode(proto).finish();
}

// ---------------------------------------------------------------------------------------- read

function readOpset(proto: Proto): OnnxOpsetImport {
  return { domain: proto.domain ?? '', version: toNumber(proto.version) };
}

function readEntry(proto: Proto): OnnxStringEntry {
  return { key: proto.key ?? '', value: proto.value ?? '' };
}

function readGraph(proto: Proto): OnnxGraph {
  const graph: OnnxGraph = {
    name: proto.name ?? '',
    nodes: proto.node.map(readNode),
    initializers: proto.initializer.map((initializer: Proto) => checkTensorSize(readTensor(initializer), 'initializer')),
    inputs: proto.input.map(readValueInfo),
    outputs: proto.output.map(readValueInfo),
  };
  setList(graph, 'valueInfo', proto.value_info.map(readValueInfo));
  setList(graph, 'sparseInitializers', proto.sparse_initializer.map(readSparseTensor));
  setList(graph, 'quantizationAnnotation', proto.quantization_annotation.map(readAnnotation));
  setString(graph, 'docString', proto.doc_string);
  setList(graph, 'metadataProps', proto.metadata_props.map(readEntry));
  return graph;
}

function readAnnotation(proto: Proto): OnnxTensorAnnotation {
  return { tensorName: proto.tensor_name ?? '', quantParameterTensorNames: proto.quant_parameter_tensor_names.map(readEntry) };
}

function readNode(proto: Proto): OnnxNode {
  const node: OnnxNode = {
    opType: proto.op_type ?? '',
    inputs: [...proto.input],
    outputs: [...proto.output],
    attributes: proto.attribute.map(readAttribute),
  };
  setString(node, 'name', proto.name);
  setString(node, 'domain', proto.domain);
  setString(node, 'overload', proto.overload);
  setString(node, 'docString', proto.doc_string);
  setList(node, 'metadataProps', proto.metadata_props.map(readEntry));
  setList(node, 'deviceConfigurations', proto.device_configurations.map(readNodeDeviceConfiguration));
  return node;
}

function readNodeDeviceConfiguration(proto: Proto): OnnxNodeDeviceConfiguration {
  const configuration: OnnxNodeDeviceConfiguration = { configurationId: proto.configuration_id ?? '' };
  setList(configuration, 'shardingSpecs', proto.sharding_spec.map(readShardingSpec));
  if (has(proto, 'pipeline_stage')) configuration.pipelineStage = proto.pipeline_stage;
  return configuration;
}

function readShardingSpec(proto: Proto): OnnxShardingSpec {
  const spec: OnnxShardingSpec = { tensorName: proto.tensor_name ?? '' };
  setList(spec, 'devices', proto.device.map(toNumber));
  setList(
    spec,
    'indexToDeviceGroupMap',
    proto.index_to_device_group_map.map((entry: Proto) => ({ key: toNumber(entry.key), value: entry.value.map(toNumber) })),
  );
  setList(
    spec,
    'shardedDims',
    proto.sharded_dim.map((dim: Proto) => {
      const sharded: NonNullable<OnnxShardingSpec['shardedDims']>[number] = { axis: toNumber(dim.axis) };
      setList(
        sharded,
        'simpleSharding',
        dim.simple_sharding.map((simple: Proto) => ({
          ...(has(simple, 'dim_value') ? { dim: toNumber(simple.dim_value) } : has(simple, 'dim_param') ? { dim: simple.dim_param as string } : {}),
          numShards: toNumber(simple.num_shards),
        })),
      );
      return sharded;
    }),
  );
  return spec;
}

function readTrainingInfo(proto: Proto): OnnxTrainingInfo {
  const info: OnnxTrainingInfo = {};
  if (has(proto, 'initialization')) info.initialization = readGraph(proto.initialization);
  if (has(proto, 'algorithm')) info.algorithm = readGraph(proto.algorithm);
  setList(info, 'initializationBinding', proto.initialization_binding.map(readEntry));
  setList(info, 'updateBinding', proto.update_binding.map(readEntry));
  return info;
}

function readDeviceConfiguration(proto: Proto): OnnxDeviceConfiguration {
  const configuration: OnnxDeviceConfiguration = { name: proto.name ?? '', numDevices: proto.num_devices ?? 0 };
  setList(configuration, 'devices', [...proto.device]);
  return configuration;
}

function readAttribute(proto: Proto): OnnxAttribute {
  const name: string = proto.name ?? '';
  const type = attributeTypeNames.get(proto.type ?? 0) ?? inferAttributeType(proto);
  if (type === undefined) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `attribute '${name}' has type ${proto.type} and no value; expected one of the AttributeProto types 1..14 (onnx.proto)`,
      { attribute: name, type: proto.type },
    );
  }
  const attribute = proto.ref_attr_name
    ? ({ name, type, refAttrName: proto.ref_attr_name } as OnnxAttribute)
    : ({ name, type, value: readAttributeValue(type, proto) } as OnnxAttribute);
  setString(attribute, 'docString', proto.doc_string);
  return attribute;
}

/** IR version 1 files carry no `type`: the populated field tells it. */
function inferAttributeType(proto: Proto): AttributeTypeName | undefined {
  if (has(proto, 'f')) return 'float';
  if (has(proto, 'i')) return 'int';
  if (has(proto, 's')) return 'string';
  if (has(proto, 't')) return 'tensor';
  if (has(proto, 'g')) return 'graph';
  if (proto.floats.length) return 'floats';
  if (proto.ints.length) return 'ints';
  if (proto.strings.length) return 'strings';
  if (proto.tensors.length) return 'tensors';
  if (proto.graphs.length) return 'graphs';
  return undefined;
}

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

function readAttributeValue(type: AttributeTypeName, proto: Proto): OnnxAttributeValue['value'] {
  switch (type) {
    case 'float':
      return proto.f ?? 0;
    case 'int':
      return toNumber(proto.i);
    case 'string':
      return utf8Decoder.decode(proto.s ?? new Uint8Array());
    case 'tensor':
      return readTensor(proto.t ?? {});
    case 'graph':
      return readGraph(proto.g ?? emptyGraphProto());
    case 'sparseTensor':
      return readSparseTensor(proto.sparse_tensor ?? {});
    case 'typeProto':
      return readType(proto.tp ?? {});
    case 'floats':
      return [...proto.floats];
    case 'ints':
      return proto.ints.map(toNumber);
    case 'strings':
      return proto.strings.map((bytes: Uint8Array) => utf8Decoder.decode(bytes));
    case 'tensors':
      return proto.tensors.map(readTensor);
    case 'graphs':
      return proto.graphs.map(readGraph);
    case 'sparseTensors':
      return proto.sparse_tensors.map(readSparseTensor);
    case 'typeProtos':
      return proto.type_protos.map(readType);
  }
}

function emptyGraphProto(): Proto {
  return getModelProtoType().lookupType('onnx.GraphProto').create({}) as Proto;
}

function readTensor(proto: Proto): OnnxTensor {
  const tensor: OnnxTensor = {
    name: proto.name ?? '',
    dataType: proto.data_type ?? 0,
    dims: (proto.dims ?? []).map(toNumber),
  };
  // A copy, so the tensor owns an aligned buffer instead of a view into the whole file.
  if (proto.raw_data?.length) tensor.rawData = new Uint8Array(proto.raw_data);
  setList(tensor, 'floatData', proto.float_data && [...proto.float_data]);
  setList(tensor, 'int32Data', proto.int32_data && [...proto.int32_data]);
  setList(tensor, 'int64Data', proto.int64_data?.map(toNumber));
  setList(tensor, 'doubleData', proto.double_data && [...proto.double_data]);
  setList(tensor, 'uint64Data', proto.uint64_data?.map(toNumber));
  setList(tensor, 'stringData', proto.string_data?.map((bytes: Uint8Array) => new Uint8Array(bytes)));
  setList(tensor, 'externalData', proto.external_data?.map(readEntry));
  if (proto.data_location === 1) tensor.dataLocation = 'external';
  if (has(proto, 'segment')) tensor.segment = { begin: toNumber(proto.segment.begin), end: toNumber(proto.segment.end) };
  setString(tensor, 'docString', proto.doc_string);
  setList(tensor, 'metadataProps', proto.metadata_props?.map(readEntry));
  return tensor;
}

function readSparseTensor(proto: Proto): OnnxSparseTensor {
  return { values: readTensor(proto.values ?? {}), indices: readTensor(proto.indices ?? {}), dims: (proto.dims ?? []).map(toNumber) };
}

function readValueInfo(proto: Proto): OnnxValueInfo {
  const info: OnnxValueInfo = { name: proto.name ?? '' };
  if (has(proto, 'type')) info.type = readType(proto.type);
  setString(info, 'docString', proto.doc_string);
  setList(info, 'metadataProps', proto.metadata_props.map(readEntry));
  return info;
}

function readShape(proto: Proto): OnnxDimension[] {
  return proto.dim.map((dim: Proto): OnnxDimension => {
    if (has(dim, 'dim_value')) {
      const value = toNumber(dim.dim_value);
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new AttnkitError(ErrorCodes.INVALID_FILE, `not a valid ONNX model: a shape has the dimension ${value}; dimensions are non-negative integers (or named, for a symbolic size)`, {
          dimension: value,
        });
      }
      return value;
    }
    if (has(dim, 'dim_param')) return dim.dim_param;
    return null;
  });
}

function readType(proto: Proto): OnnxType {
  let type: OnnxType;
  if (has(proto, 'tensor_type') || has(proto, 'sparse_tensor_type')) {
    const tensorType: Proto = has(proto, 'tensor_type') ? proto.tensor_type : proto.sparse_tensor_type;
    const tensor: Extract<OnnxType, { kind: 'tensor' | 'sparseTensor' }> = {
      kind: has(proto, 'tensor_type') ? 'tensor' : 'sparseTensor',
      elemType: tensorType.elem_type ?? 0,
    };
    if (has(tensorType, 'shape')) {
      tensor.shape = readShape(tensorType.shape);
      const denotations: string[] = tensorType.shape.dim.map((dim: Proto) => dim.denotation ?? '');
      if (denotations.some(Boolean)) tensor.dimensionDenotations = denotations;
    }
    type = tensor;
  } else if (has(proto, 'sequence_type')) {
    type = { kind: 'sequence', elemType: readType(proto.sequence_type.elem_type ?? {}) };
  } else if (has(proto, 'optional_type')) {
    type = { kind: 'optional', elemType: readType(proto.optional_type.elem_type ?? {}) };
  } else if (has(proto, 'map_type')) {
    type = { kind: 'map', keyType: proto.map_type.key_type ?? 0, valueType: readType(proto.map_type.value_type ?? {}) };
  } else if (has(proto, 'opaque_type')) {
    type = { kind: 'opaque', domain: proto.opaque_type.domain ?? '', name: proto.opaque_type.name ?? '' };
  } else {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, 'a TypeProto has no value; expected tensor_type, sequence_type, map_type, optional_type, sparse_tensor_type or opaque_type');
  }
  setString(type, 'denotation', proto.denotation);
  return type;
}

function readFunction(proto: Proto): OnnxFunction {
  const fn: OnnxFunction = {
    name: proto.name ?? '',
    domain: proto.domain ?? '',
    inputs: [...proto.input],
    outputs: [...proto.output],
    attributes: [...proto.attribute],
    nodes: proto.node.map(readNode),
    opsetImports: proto.opset_import.map(readOpset),
  };
  setList(fn, 'attributeDefaults', proto.attribute_proto.map(readAttribute) as OnnxAttributeValue[]);
  setString(fn, 'overload', proto.overload);
  setList(fn, 'valueInfo', proto.value_info.map(readValueInfo));
  setString(fn, 'docString', proto.doc_string);
  setList(fn, 'metadataProps', proto.metadata_props.map(readEntry));
  return fn;
}

// --------------------------------------------------------------------------------------- write

function writeOpset(opset: OnnxOpsetImport): Proto {
  return withoutDefaults({ domain: opset.domain, version: toInt64(opset.version) });
}

function writeEntry(entry: OnnxStringEntry): Proto {
  return withoutDefaults({ key: entry.key, value: entry.value });
}

function writeGraph(graph: OnnxGraph): Proto {
  const proto: Proto = withoutDefaults({
    name: graph.name,
    node: graph.nodes.map(writeNode),
    initializer: graph.initializers.map(writeTensor),
    input: graph.inputs.map(writeValueInfo),
    output: graph.outputs.map(writeValueInfo),
  });
  if (graph.valueInfo) proto.value_info = graph.valueInfo.map(writeValueInfo);
  if (graph.sparseInitializers) proto.sparse_initializer = graph.sparseInitializers.map(writeSparseTensor);
  if (graph.quantizationAnnotation) {
    proto.quantization_annotation = graph.quantizationAnnotation.map((annotation) =>
      withoutDefaults({ tensor_name: annotation.tensorName, quant_parameter_tensor_names: annotation.quantParameterTensorNames.map(writeEntry) }),
    );
  }
  if (graph.docString) proto.doc_string = graph.docString;
  if (graph.metadataProps) proto.metadata_props = graph.metadataProps.map(writeEntry);
  return proto;
}

function writeNode(node: OnnxNode): Proto {
  const proto: Proto = withoutDefaults({
    input: node.inputs,
    output: node.outputs,
    op_type: node.opType,
    attribute: node.attributes.map(writeAttribute),
  });
  if (node.name) proto.name = node.name;
  if (node.domain) proto.domain = node.domain;
  if (node.overload) proto.overload = node.overload;
  if (node.docString) proto.doc_string = node.docString;
  if (node.metadataProps) proto.metadata_props = node.metadataProps.map(writeEntry);
  if (node.deviceConfigurations) proto.device_configurations = node.deviceConfigurations.map(writeNodeDeviceConfiguration);
  return proto;
}

function writeNodeDeviceConfiguration(configuration: OnnxNodeDeviceConfiguration): Proto {
  const proto: Proto = withoutDefaults({ configuration_id: configuration.configurationId });
  if (configuration.shardingSpecs) proto.sharding_spec = configuration.shardingSpecs.map(writeShardingSpec);
  if (configuration.pipelineStage !== undefined) proto.pipeline_stage = configuration.pipelineStage;
  return proto;
}

function writeShardingSpec(spec: OnnxShardingSpec): Proto {
  const proto: Proto = withoutDefaults({ tensor_name: spec.tensorName });
  if (spec.devices) proto.device = spec.devices.map(toInt64);
  if (spec.indexToDeviceGroupMap) proto.index_to_device_group_map = spec.indexToDeviceGroupMap.map((entry) => withoutDefaults({ key: toInt64(entry.key), value: entry.value.map(toInt64) }));
  if (spec.shardedDims) {
    proto.sharded_dim = spec.shardedDims.map((dim) =>
      withoutDefaults({
        axis: toInt64(dim.axis),
        simple_sharding: (dim.simpleSharding ?? []).map((simple) => ({
          // A oneof member is written whatever its value: dim_value 0 is a dimension.
          ...(typeof simple.dim === 'number' ? { dim_value: toInt64(simple.dim) } : typeof simple.dim === 'string' ? { dim_param: simple.dim } : {}),
          ...withoutDefaults({ num_shards: toInt64(simple.numShards) }),
        })),
      }),
    );
  }
  return proto;
}

function writeTrainingInfo(info: OnnxTrainingInfo): Proto {
  const proto: Proto = {};
  if (info.initialization) proto.initialization = writeGraph(info.initialization);
  if (info.algorithm) proto.algorithm = writeGraph(info.algorithm);
  if (info.initializationBinding) proto.initialization_binding = info.initializationBinding.map(writeEntry);
  if (info.updateBinding) proto.update_binding = info.updateBinding.map(writeEntry);
  return proto;
}

function writeDeviceConfiguration(configuration: OnnxDeviceConfiguration): Proto {
  const proto: Proto = withoutDefaults({ name: configuration.name, num_devices: configuration.numDevices });
  if (configuration.devices) proto.device = configuration.devices;
  return proto;
}

function writeAttribute(attribute: OnnxAttribute): Proto {
  const code = AttributeTypeCodes[attribute.type];
  if (code === undefined) {
    throw new AttnkitError(
      ErrorCodes.UNSUPPORTED,
      `attribute '${attribute.name}' has type '${attribute.type}'; expected one of ${Object.keys(AttributeTypeCodes).join(', ')}`,
      { attribute: attribute.name, type: attribute.type, allowed: Object.keys(AttributeTypeCodes) },
    );
  }
  // The value field `type` names is always written, 0 and '' included, as onnx.helper and
  // torch.onnx.export write it.
  const proto: Proto = withoutDefaults({ name: attribute.name, type: code });
  if (attribute.docString) proto.doc_string = attribute.docString;
  if ('refAttrName' in attribute) {
    proto.ref_attr_name = attribute.refAttrName;
    return proto;
  }
  switch (attribute.type) {
    case 'float':
      proto.f = attribute.value;
      break;
    case 'int':
      proto.i = toInt64(attribute.value);
      break;
    case 'string':
      proto.s = utf8Encoder.encode(attribute.value);
      break;
    case 'tensor':
      proto.t = writeTensor(attribute.value);
      break;
    case 'graph':
      proto.g = writeGraph(attribute.value);
      break;
    case 'sparseTensor':
      proto.sparse_tensor = writeSparseTensor(attribute.value);
      break;
    case 'typeProto':
      proto.tp = writeType(attribute.value);
      break;
    case 'floats':
      proto.floats = attribute.value;
      break;
    case 'ints':
      proto.ints = attribute.value.map(toInt64);
      break;
    case 'strings':
      proto.strings = attribute.value.map((text) => utf8Encoder.encode(text));
      break;
    case 'tensors':
      proto.tensors = attribute.value.map(writeTensor);
      break;
    case 'graphs':
      proto.graphs = attribute.value.map(writeGraph);
      break;
    case 'sparseTensors':
      proto.sparse_tensors = attribute.value.map(writeSparseTensor);
      break;
    case 'typeProtos':
      proto.type_protos = attribute.value.map(writeType);
      break;
  }
  return proto;
}

function writeTensor(tensor: OnnxTensor): Proto {
  const proto: Proto = withoutDefaults({ name: tensor.name, data_type: tensor.dataType, dims: tensor.dims.map(toInt64) });
  if (tensor.rawData?.length) proto.raw_data = tensor.rawData;
  if (tensor.floatData) proto.float_data = tensor.floatData;
  if (tensor.int32Data) proto.int32_data = tensor.int32Data;
  if (tensor.int64Data) proto.int64_data = tensor.int64Data.map(toInt64);
  if (tensor.doubleData) proto.double_data = tensor.doubleData;
  if (tensor.uint64Data) proto.uint64_data = tensor.uint64Data.map(toUint64);
  if (tensor.stringData) proto.string_data = tensor.stringData;
  if (tensor.externalData) proto.external_data = tensor.externalData.map(writeEntry);
  if (tensor.dataLocation === 'external') proto.data_location = 1;
  if (tensor.segment) proto.segment = withoutDefaults({ begin: toInt64(tensor.segment.begin), end: toInt64(tensor.segment.end) });
  if (tensor.docString) proto.doc_string = tensor.docString;
  if (tensor.metadataProps) proto.metadata_props = tensor.metadataProps.map(writeEntry);
  return proto;
}

function writeSparseTensor(sparse: OnnxSparseTensor): Proto {
  return { values: writeTensor(sparse.values), indices: writeTensor(sparse.indices), dims: sparse.dims.map(toInt64) };
}

function writeValueInfo(info: OnnxValueInfo): Proto {
  const proto: Proto = withoutDefaults({ name: info.name });
  if (info.type) proto.type = writeType(info.type);
  if (info.docString) proto.doc_string = info.docString;
  if (info.metadataProps) proto.metadata_props = info.metadataProps.map(writeEntry);
  return proto;
}

function writeShape(shape: OnnxDimension[], denotations: string[] | undefined): Proto {
  return {
    dim: shape.map((dim, index) => ({
      ...(typeof dim === 'number' ? { dim_value: toInt64(dim) } : typeof dim === 'string' ? { dim_param: dim } : {}),
      ...withoutDefaults({ denotation: denotations?.[index] ?? '' }),
    })),
  };
}

function writeType(type: OnnxType): Proto {
  const proto: Proto = {};
  switch (type.kind) {
    case 'tensor':
    case 'sparseTensor': {
      const inner: Proto = withoutDefaults({ elem_type: type.elemType });
      if (type.shape) inner.shape = writeShape(type.shape, type.dimensionDenotations);
      proto[type.kind === 'tensor' ? 'tensor_type' : 'sparse_tensor_type'] = inner;
      break;
    }
    case 'sequence':
      proto.sequence_type = { elem_type: writeType(type.elemType) };
      break;
    case 'optional':
      proto.optional_type = { elem_type: writeType(type.elemType) };
      break;
    case 'map':
      proto.map_type = withoutDefaults({ key_type: type.keyType, value_type: writeType(type.valueType) });
      break;
    case 'opaque':
      proto.opaque_type = withoutDefaults({ domain: type.domain, name: type.name });
      break;
  }
  if (type.denotation) proto.denotation = type.denotation;
  return proto;
}

function writeFunction(fn: OnnxFunction): Proto {
  const proto: Proto = withoutDefaults({
    name: fn.name,
    domain: fn.domain,
    input: fn.inputs,
    output: fn.outputs,
    attribute: fn.attributes,
    node: fn.nodes.map(writeNode),
    opset_import: fn.opsetImports.map(writeOpset),
  });
  if (fn.attributeDefaults) proto.attribute_proto = fn.attributeDefaults.map(writeAttribute);
  if (fn.overload) proto.overload = fn.overload;
  if (fn.valueInfo) proto.value_info = fn.valueInfo.map(writeValueInfo);
  if (fn.docString) proto.doc_string = fn.docString;
  if (fn.metadataProps) proto.metadata_props = fn.metadataProps.map(writeEntry);
  return proto;
}

// ------------------------------------------------------------------------------------- helpers

const TWO_POW_63 = 2 ** 63;

/** What protobufjs needs of the `long` package it bundles (typed loosely by protobufjs). */
interface LongValue {
  toNumber(): number;
}
interface LongStatics {
  MAX_VALUE: LongValue;
  MIN_VALUE: LongValue;
  MAX_UNSIGNED_VALUE: LongValue;
}
const Long = protobuf.util.Long as unknown as LongStatics;

function toNumber(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  return (value as LongValue).toNumber();
}

/** int64 for the writer; doubles at or past ±2^63 (INT64_MAX read as a double) saturate instead of wrapping. */
function toInt64(value: number): number | LongValue {
  if (value >= TWO_POW_63) return Long.MAX_VALUE;
  if (value <= -TWO_POW_63) return Long.MIN_VALUE;
  return value;
}

function toUint64(value: number): number | LongValue {
  return value >= 2 ** 64 ? Long.MAX_UNSIGNED_VALUE : value;
}

/**
 * Drops the scalar fields that hold their type's default ('', 0, no bytes). onnx.proto is proto2,
 * so protobufjs writes every field that is set, but the plain model cannot tell an empty string
 * or a zero from an absent field (both read back as the default): leaving them out is how
 * torch.onnx.export writes them and keeps a decode/encode round trip byte-identical. Fields whose
 * zero means something (oneof members, `pipeline_stage`, an attribute's value) are set outside it.
 */
function withoutDefaults(proto: Proto): Proto {
  for (const [field, value] of Object.entries(proto)) {
    if (value === '' || Object.is(value, 0) || (value instanceof Uint8Array && value.length === 0)) delete proto[field];
  }
  return proto;
}

function has(proto: Proto, field: string): boolean {
  return proto !== null && proto !== undefined && Object.prototype.hasOwnProperty.call(proto, field) && proto[field] !== null;
}

function setString<T extends object>(target: T, key: string, value: string | undefined | null): void {
  if (value) (target as Record<string, unknown>)[key] = value;
}

function setList<T extends object>(target: T, key: string, value: unknown[] | undefined | null): void {
  if (value && value.length > 0) (target as Record<string, unknown>)[key] = value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
