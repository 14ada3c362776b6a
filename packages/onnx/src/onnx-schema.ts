/**
 * The protobufjs type models are read and written with, built from the descriptor that
 * `tools/gen-onnx-schema.mjs` generates from ONNX's own onnx-ml.proto (packages/onnx/proto), so
 * no .proto text is parsed at run time and the same code runs in Node and in the browser
 * (`protobufjs/light`). Field names keep the proto's snake_case; the plain camelCase model in
 * `onnx-model.ts` is what callers see.
 */
import protobuf from 'protobufjs/light.js';
import { onnxSchemaDescriptor } from './onnx-schema-descriptor.js';

export { onnxSchemaDescriptor };

let modelType: protobuf.Type | undefined;

/** The protobufjs type of `onnx.ModelProto`, built once from the descriptor on first use. */
export function getModelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(onnxSchemaDescriptor as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}
