/**
 * @attnkit/onnx: the ONNX realization of attnkit. Emit any traced network (or a zoo backbone)
 * as an ONNX model, insert attention into an existing .onnx, read/edit/write models, and run
 * them on onnxruntime-node or onnxruntime-web.
 */
export { onnxSchemaDescriptor, getModelProtoType } from './onnx-schema.js';
export { DataType, AttributeTypeCodes } from './onnx-model.js';
export type {
  AttributeTypeName,
  AttributeValues,
  DataTypeCode,
  OnnxAttribute,
  OnnxAttributeReference,
  OnnxAttributeValue,
  OnnxDeviceConfiguration,
  OnnxDimension,
  OnnxFunction,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxNodeDeviceConfiguration,
  OnnxOpsetImport,
  OnnxShardingSpec,
  OnnxSparseTensor,
  OnnxStringEntry,
  OnnxTensor,
  OnnxTensorAnnotation,
  OnnxTrainingInfo,
  OnnxType,
  OnnxValueInfo,
} from './onnx-model.js';
export { decodeModel, encodeModel } from './model-codec.js';
export { embedExternalData, type ExternalDataReference, externalDataReferences, externalizeTensors } from './external-data.js';
export { dataTypeName, elementCount, tensorFromFloat32, tensorFromInt64, tensorToFloat32, tensorToIntegers } from './tensor-data.js';
export { attr, createGraph, createModel, createNode, valueInfo } from './model-builders.js';
export type { NodeOptions } from './model-builders.js';
export { createRunner } from './session-runner.js';
export type { OnnxSession, OrtModule, Runner, RunnerOptions, RunnerTensor, RuntimeAttempt, RuntimeName, SessionInfo } from './session-runner.js';
export { consumersOf, namesInGraph, producersOf, topologicalSort, uniqueName } from './graph-tools.js';
export { inferShapes, supportedShapeOps } from './shape-inference.js';
export type { Shape, ShapeInferenceOptions, ShapeRule } from './shape-inference.js';
export { BANDED_MAX_CHANNELS, emitModel, emitNetwork, METADATA_KEYS } from './emit-model.js';
export type { EmitOptions } from './emit-model.js';
export { insertAttention, MIN_INLINE_OPSET } from './insert-attention.js';
export type { InsertAttentionOptions, InsertAttentionResult, InsertionEntry } from './insert-attention.js';
export { ATTNKIT_DOMAIN, buildAttentionFunction } from './attention-function.js';
export { checkOpset, DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from './translate-op.js';
export { torchScopeName } from './node-sinks.js';
