/**
 * The ONNX protobuf schema (onnx/onnx.proto, IR version 10+) as a protobufjs JSON descriptor, so
 * models are read and written with `protobufjs/light` and no .proto text is parsed at run time
 * (the same code runs in Node and in the browser).
 *
 * Field numbers follow onnx.proto exactly. Field names keep the proto's snake_case; the plain
 * camelCase model in `onnx-model.ts` is what callers see.
 *
 * Every message of onnx.proto (IR 11) that a model can carry is declared, TrainingInfoProto
 * (ModelProto field 20), DeviceConfigurationProto (field 26) and the node sharding messages
 * (NodeProto field 10) included, so a decode/encode round trip keeps every field.
 */
import protobuf from 'protobufjs/light.js';

type FieldDescriptor = { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } };

const optional = (type: string, id: number): FieldDescriptor => ({ type, id });
const numericTypes = new Set(['int32', 'int64', 'uint64', 'float', 'double']);
const repeated = (type: string, id: number): FieldDescriptor =>
  numericTypes.has(type) ? { type, id, rule: 'repeated', options: { packed: false } } : { type, id, rule: 'repeated' };
/** onnx.proto marks the numeric `*_data` lists of TensorProto `[packed = true]`; other lists are proto2-expanded. */
const packed = (type: string, id: number): FieldDescriptor => ({ type, id, rule: 'repeated', options: { packed: true } });

export const onnxSchemaDescriptor = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: optional('string', 1),
            ref_attr_name: optional('string', 21),
            doc_string: optional('string', 13),
            type: optional('int32', 20),
            f: optional('float', 2),
            i: optional('int64', 3),
            s: optional('bytes', 4),
            t: optional('TensorProto', 5),
            g: optional('GraphProto', 6),
            sparse_tensor: optional('SparseTensorProto', 22),
            tp: optional('TypeProto', 14),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
            tensors: repeated('TensorProto', 10),
            graphs: repeated('GraphProto', 11),
            sparse_tensors: repeated('SparseTensorProto', 23),
            type_protos: repeated('TypeProto', 15),
          },
        },
        ValueInfoProto: {
          fields: {
            name: optional('string', 1),
            type: optional('TypeProto', 2),
            doc_string: optional('string', 3),
            metadata_props: repeated('StringStringEntryProto', 4),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: optional('string', 3),
            op_type: optional('string', 4),
            domain: optional('string', 7),
            overload: optional('string', 8),
            attribute: repeated('AttributeProto', 5),
            doc_string: optional('string', 6),
            metadata_props: repeated('StringStringEntryProto', 9),
            device_configurations: repeated('NodeDeviceConfigurationProto', 10),
          },
        },
        NodeDeviceConfigurationProto: {
          // `optional int32 pipeline_stage` has explicit presence (stage 0 is not "no stage"): a one-member oneof gives it that.
          oneofs: { _pipeline_stage: { oneof: ['pipeline_stage'] } },
          fields: {
            configuration_id: optional('string', 1),
            sharding_spec: repeated('ShardingSpecProto', 2),
            pipeline_stage: optional('int32', 3),
          },
        },
        ShardingSpecProto: {
          fields: {
            tensor_name: optional('string', 1),
            device: repeated('int64', 2),
            index_to_device_group_map: repeated('IntIntListEntryProto', 3),
            sharded_dim: repeated('ShardedDimProto', 4),
          },
        },
        IntIntListEntryProto: { fields: { key: optional('int64', 1), value: repeated('int64', 2) } },
        ShardedDimProto: { fields: { axis: optional('int64', 1), simple_sharding: repeated('SimpleShardedDimProto', 2) } },
        SimpleShardedDimProto: {
          oneofs: { dim: { oneof: ['dim_value', 'dim_param'] } },
          fields: { dim_value: optional('int64', 1), dim_param: optional('string', 2), num_shards: optional('int64', 3) },
        },
        TrainingInfoProto: {
          fields: {
            initialization: optional('GraphProto', 1),
            algorithm: optional('GraphProto', 2),
            initialization_binding: repeated('StringStringEntryProto', 3),
            update_binding: repeated('StringStringEntryProto', 4),
          },
        },
        DeviceConfigurationProto: {
          fields: { name: optional('string', 1), num_devices: optional('int32', 2), device: repeated('string', 3) },
        },
        ModelProto: {
          fields: {
            ir_version: optional('int64', 1),
            opset_import: repeated('OperatorSetIdProto', 8),
            producer_name: optional('string', 2),
            producer_version: optional('string', 3),
            domain: optional('string', 4),
            model_version: optional('int64', 5),
            doc_string: optional('string', 6),
            graph: optional('GraphProto', 7),
            metadata_props: repeated('StringStringEntryProto', 14),
            training_info: repeated('TrainingInfoProto', 20),
            functions: repeated('FunctionProto', 25),
            configuration: repeated('DeviceConfigurationProto', 26),
          },
        },
        StringStringEntryProto: {
          fields: { key: optional('string', 1), value: optional('string', 2) },
        },
        TensorAnnotation: {
          fields: {
            tensor_name: optional('string', 1),
            quant_parameter_tensor_names: repeated('StringStringEntryProto', 2),
          },
        },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: optional('string', 2),
            initializer: repeated('TensorProto', 5),
            sparse_initializer: repeated('SparseTensorProto', 15),
            doc_string: optional('string', 10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            value_info: repeated('ValueInfoProto', 13),
            quantization_annotation: repeated('TensorAnnotation', 14),
            metadata_props: repeated('StringStringEntryProto', 16),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            data_type: optional('int32', 2),
            segment: optional('Segment', 3),
            float_data: packed('float', 4),
            int32_data: packed('int32', 5),
            string_data: repeated('bytes', 6),
            int64_data: packed('int64', 7),
            name: optional('string', 8),
            doc_string: optional('string', 12),
            raw_data: optional('bytes', 9),
            external_data: repeated('StringStringEntryProto', 13),
            data_location: optional('int32', 14),
            double_data: packed('double', 10),
            uint64_data: packed('uint64', 11),
            metadata_props: repeated('StringStringEntryProto', 16),
          },
          nested: {
            Segment: { fields: { begin: optional('int64', 1), end: optional('int64', 2) } },
          },
        },
        SparseTensorProto: {
          fields: {
            values: optional('TensorProto', 1),
            indices: optional('TensorProto', 2),
            dims: repeated('int64', 3),
          },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
              fields: {
                dim_value: optional('int64', 1),
                dim_param: optional('string', 2),
                denotation: optional('string', 3),
              },
            },
          },
        },
        TypeProto: {
          oneofs: {
            value: {
              oneof: ['tensor_type', 'sequence_type', 'map_type', 'optional_type', 'sparse_tensor_type', 'opaque_type'],
            },
          },
          fields: {
            tensor_type: optional('Tensor', 1),
            sequence_type: optional('Sequence', 4),
            map_type: optional('Map', 5),
            optional_type: optional('Optional', 9),
            sparse_tensor_type: optional('SparseTensor', 8),
            opaque_type: optional('Opaque', 7),
            denotation: optional('string', 6),
          },
          nested: {
            Tensor: { fields: { elem_type: optional('int32', 1), shape: optional('TensorShapeProto', 2) } },
            Sequence: { fields: { elem_type: optional('TypeProto', 1) } },
            Map: { fields: { key_type: optional('int32', 1), value_type: optional('TypeProto', 2) } },
            Optional: { fields: { elem_type: optional('TypeProto', 1) } },
            SparseTensor: { fields: { elem_type: optional('int32', 1), shape: optional('TensorShapeProto', 2) } },
            Opaque: { fields: { domain: optional('string', 1), name: optional('string', 2) } },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: optional('string', 1), version: optional('int64', 2) },
        },
        FunctionProto: {
          fields: {
            name: optional('string', 1),
            input: repeated('string', 4),
            output: repeated('string', 5),
            attribute: repeated('string', 6),
            attribute_proto: repeated('AttributeProto', 11),
            node: repeated('NodeProto', 7),
            doc_string: optional('string', 8),
            opset_import: repeated('OperatorSetIdProto', 9),
            domain: optional('string', 10),
            overload: optional('string', 13),
            value_info: repeated('ValueInfoProto', 12),
            metadata_props: repeated('StringStringEntryProto', 14),
          },
        },
      },
    },
  },
} as const;

let modelType: protobuf.Type | undefined;

/** The protobufjs type of `onnx.ModelProto`, built once from the descriptor on first use. */
export function getModelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(onnxSchemaDescriptor as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}
