/**
 * Draft exports of the ONNX protobuf layer and the session runner, for the package owner to
 * merge into `index.ts`.
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
  OnnxDimension,
  OnnxFunction,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOpsetImport,
  OnnxSparseTensor,
  OnnxStringEntry,
  OnnxTensor,
  OnnxTensorAnnotation,
  OnnxType,
  OnnxValueInfo,
} from './onnx-model.js';
export { decodeModel, encodeModel } from './model-codec.js';
export { dataTypeName, elementCount, tensorFromFloat32, tensorFromInt64, tensorToFloat32, tensorToIntegers } from './tensor-data.js';
export { attr, createGraph, createModel, createNode, valueInfo } from './model-builders.js';
export type { NodeOptions } from './model-builders.js';
export { createRunner } from './session-runner.js';
export type { OnnxSession, OrtModule, Runner, RunnerOptions, RunnerTensor, RuntimeAttempt, RuntimeName, SessionInfo } from './session-runner.js';
export { consumersOf, namesInGraph, producersOf, topologicalSort, uniqueName } from './graph-tools.js';
export { inferShapes, supportedShapeOps } from './shape-inference.js';
export type { Shape, ShapeInferenceOptions, ShapeRule } from './shape-inference.js';
