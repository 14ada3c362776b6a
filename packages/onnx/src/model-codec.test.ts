import { AttnkitError, ErrorCodes } from '@attnkit/core';
import protobuf from 'protobufjs/light.js';
import { describe, expect, test } from 'vitest';
import { attr, createGraph, createModel, createNode, valueInfo } from './model-builders.js';
import { decodeModel, encodeModel } from './model-codec.js';
import { getModelProtoType } from './onnx-schema.js';
import { DataType, type OnnxModel } from './onnx-model.js';
import { buildConvReluPoolModel } from './test-models.js';
import { tensorFromFloat32, tensorFromInt64 } from './tensor-data.js';

function expectInvalidFile(bytes: Uint8Array, messagePart: RegExp): void {
  try {
    decodeModel(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(ErrorCodes.INVALID_FILE);
    expect((error as AttnkitError).message).toMatch(/^not an ONNX ModelProto: /);
    expect((error as AttnkitError).message).toMatch(/expected a \.onnx file written by torch\.onnx\.export or onnx\.save/);
    expect((error as AttnkitError).message).toMatch(messagePart);
    return;
  }
  throw new Error('decodeModel accepted bytes that are not a model');
}

describe('encodeModel / decodeModel', () => {
  test('a hand-built Conv + Relu + function + GlobalAveragePool model round-trips deep-equal', () => {
    const model = buildConvReluPoolModel();
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    expect(decoded).toEqual(model);
    expect(decoded.metadataProps).toEqual([
      { key: 'attnkit.module', value: 'scale' },
      { key: 'attnkit.note', value: 'hand-built test model' },
    ]);
    expect(decoded.functions?.[0].nodes[0].attributes[0]).toEqual({ name: 'value_float', type: 'float', refAttrName: 'alpha' });
    // Encoding is deterministic: the decoded model writes the same bytes.
    expect(encodeModel(decoded)).toEqual(bytes);
  });

  test('writes the field numbers of onnx.proto (checked on the wire)', () => {
    const bytes = encodeModel(
      createModel({
        irVersion: 7,
        opsetImports: [{ domain: '', version: 13 }],
        graph: createGraph({ name: 'g', nodes: [], inputs: [], outputs: [] }),
      }),
    );
    // Fields in number order, like onnx.save: 0x08 = field 1 varint (ir_version) = 7;
    // 0x3a = field 7 bytes (graph) of 3 bytes: 0x12 = field 2 (name), length 1, 'g';
    // 0x42 = field 8 bytes (opset_import) of 2 bytes: 0x10 = field 2 (version) = 13 (the empty domain is not written).
    expect([...bytes]).toEqual([0x08, 7, 0x3a, 3, 0x12, 1, 0x67, 0x42, 2, 0x10, 13]);
  });

  test('every attribute type, int64 limits, symbolic dims, float_data and int64_data round-trip', () => {
    const subgraph = createGraph({ name: 'then', nodes: [createNode('Identity', ['a'], ['b'])], inputs: [], outputs: [valueInfo('b', [])] });
    const model: OnnxModel = createModel({
      docString: 'all attributes',
      opsetImports: [
        { domain: '', version: 17 },
        { domain: 'ai.attnkit', version: 1 },
      ],
      modelVersion: 3,
      domain: 'ai.attnkit.test',
      graph: createGraph({
        nodes: [
          createNode('Custom', ['x', ''], ['y'], {
            domain: 'ai.attnkit',
            attributes: [
              attr.float('f', 0.5),
              attr.int('i', -3),
              attr.int('max', Number.MAX_SAFE_INTEGER),
              // INT64_MAX / INT64_MIN as a decoded file gives them: the nearest doubles, ±2^63.
              attr.ints('slice_ends', [2 ** 63, -(2 ** 63), 0, 1]),
              attr.floats('fs', [0.25, -1.5]),
              attr.string('s', 'Grüße'),
              attr.strings('ss', ['a', '']),
              attr.tensor('t', tensorFromInt64('shape', [2], [1, -1])),
              attr.tensors('ts', [tensorFromFloat32('w', [1], Float32Array.of(3))]),
              attr.graph('g', subgraph),
              attr.graphs('gs', [subgraph]),
              attr.typeProto('tp', { kind: 'sequence', elemType: { kind: 'tensor', elemType: DataType.INT64, shape: [null] } }),
            ],
          }),
        ],
        inputs: [valueInfo('x', ['batch', 3, null, 224])],
        outputs: [{ name: 'y' }],
        initializers: [
          { name: 'fd', dataType: DataType.FLOAT, dims: [3], floatData: [1, 2.5, -4] },
          { name: 'id', dataType: DataType.INT64, dims: [2], int64Data: [-1, 2 ** 40] },
          { name: 'scalar', dataType: DataType.FLOAT, dims: [], floatData: [7] },
          {
            name: 'ext',
            dataType: DataType.FLOAT,
            dims: [4],
            dataLocation: 'external',
            externalData: [
              { key: 'location', value: 'weights.bin' },
              { key: 'offset', value: '0' },
            ],
          },
        ],
        valueInfo: [valueInfo('z', [1, 'c'], DataType.FLOAT16)],
      }),
    });
    const decoded = decodeModel(encodeModel(model));
    expect(decoded).toEqual(model);
    // On the wire they are written saturated to the int64 limits rather than wrapped.
    const wire = getModelProtoType().decode(encodeModel(model)) as unknown as { graph: { node: { attribute: { name: string; ints: object[] }[] }[] } };
    const ends = wire.graph.node[0].attribute.find((a) => a.name === 'slice_ends')!;
    expect(ends.ints.map(String)).toEqual(['9223372036854775807', '-9223372036854775808', '0', '1']);
    expect(encodeModel(decoded)).toEqual(encodeModel(model));
  });
});

describe('decodeModel rejects what is not a model', () => {
  const valid = encodeModel(buildConvReluPoolModel());

  test('an empty file', () => expectInvalidFile(new Uint8Array(0), /the file is empty/));

  test('a file cut at half', () => expectInvalidFile(valid.subarray(0, Math.floor(valid.length / 2)), /protobuf decoding failed/));

  test('a file cut at any byte up to the end of its opset imports', () => {
    // Layout (field order): ir_version, producer_*, graph (7), opset_import (8) x2, metadata_props (14), functions (25).
    // Protobuf has no end marker, so only cuts inside a field or before the opset imports are detectable;
    // a cut between two metadata/function entries decodes as a model without them.
    const { metadataProps, functions, ...core } = buildConvReluPoolModel();
    const opsetEnd = encodeModel(core).length;
    expect(metadataProps).toHaveLength(2);
    expect(functions).toHaveLength(1);
    for (let length = 1; length < opsetEnd; length++) {
      expect(() => decodeModel(valid.subarray(0, length)), `cut at ${length} of ${valid.length}`).toThrow(AttnkitError);
    }
  });

  test('random bytes', () => {
    let seed = 12345;
    const random = new Uint8Array(4096).map(() => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    expectInvalidFile(random, /.+/);
  });

  test('a JSON file', () => expectInvalidFile(new TextEncoder().encode('{"model": "resnet50", "weights": [1, 2, 3]}'), /.+/));

  test('a graph node whose domain is not imported (a file cut right after its graph)', () => {
    const { opsetImports, ...rest } = buildConvReluPoolModel();
    expect(opsetImports).toHaveLength(2);
    expectInvalidFile(encodeModel({ ...rest, opsetImports: [{ domain: '', version: 17 }] }), /node 'scale' uses domain 'ai\.attnkit' that opset_import does not list/);
  });

  test('a ModelProto without a graph', () => {
    const bytes = getModelProtoType().encode({ ir_version: 8, producer_name: 'x' }).finish();
    expectInvalidFile(bytes, /without a graph \(ModelProto field 7\)/);
  });

  test('a non-Uint8Array', () => {
    expect(() => decodeModel('model.onnx' as unknown as Uint8Array)).toThrow(/got string/);
  });
});

describe('decodeModel checks sizes a file declares', () => {
  const withInitializer = (tamper: (model: OnnxModel) => void): Uint8Array => {
    const model = buildConvReluPoolModel();
    tamper(model);
    return encodeModel(model);
  };
  const decodeError = (bytes: Uint8Array): AttnkitError => {
    try {
      decodeModel(bytes);
    } catch (error) {
      return error as AttnkitError;
    }
    throw new Error('expected an error');
  };

  test('an initializer whose raw_data is shorter than its dims is INVALID_FILE naming both sizes', () => {
    const bytes = withInitializer((model) => {
      const first = model.graph.initializers[0];
      first.rawData = first.rawData!.subarray(0, first.rawData!.length - 4);
    });
    const error = decodeError(bytes);
    expect(error.code).toBe(ErrorCodes.INVALID_FILE);
    expect(error.message).toMatch(/raw_data has \d+ bytes but dims .* need/);
  });

  test('a typed-list initializer with too few elements is INVALID_FILE', () => {
    const bytes = withInitializer((model) => {
      model.graph.initializers.push({ name: 'listed', dataType: DataType.FLOAT, dims: [3], floatData: [1, 2] });
    });
    expect(decodeError(bytes).message).toContain("initializer 'listed' (FLOAT, dims [3]) holds 2 elements, expected 3");
  });

  test('an initializer above the element limit is LIMIT_EXCEEDED, before any allocation', () => {
    const bytes = withInitializer((model) => {
      model.graph.initializers.push({ name: 'huge', dataType: DataType.FLOAT, dims: [65536, 65536], rawData: new Uint8Array(4) });
    });
    expect(decodeError(bytes).code).toBe(ErrorCodes.LIMIT_EXCEEDED);
  });

  test('a negative dimension in a value type or an initializer is INVALID_FILE', () => {
    const negativeInput = withInitializer((model) => {
      model.graph.inputs[0] = valueInfo(model.graph.inputs[0].name, [1, -3, 8, 8]);
    });
    expect(decodeError(negativeInput).message).toContain('the dimension -3');
    const negativeInitializer = withInitializer((model) => {
      model.graph.initializers.push({ name: 'negative', dataType: DataType.FLOAT, dims: [-1], rawData: new Uint8Array(0) });
    });
    expect(decodeError(negativeInitializer).message).toContain("initializer 'negative' has dims [-1]");
  });
});

describe('every field onnx.proto defines survives a round trip', () => {
  test('training info, device configurations and node sharding decode to what was encoded, and re-encode to the same bytes', () => {
    const model = buildConvReluPoolModel();
    const step = createGraph({
      name: 'sgd_step',
      nodes: [createNode('Sub', ['conv.weight', 'grad'], ['conv.weight_new'], { name: 'update' })],
      inputs: [valueInfo('grad', [4, 3, 3, 3])],
      outputs: [valueInfo('conv.weight_new', [4, 3, 3, 3])],
      initializers: [tensorFromFloat32('learning_rate', [], Float32Array.of(0.1))],
    });
    model.trainingInfo = [
      {
        initialization: createGraph({ name: 'init', nodes: [], inputs: [], outputs: [valueInfo('seed', [1])] }),
        algorithm: step,
        initializationBinding: [{ key: 'conv.weight', value: 'seed' }],
        updateBinding: [{ key: 'conv.weight', value: 'conv.weight_new' }],
      },
    ];
    model.configurations = [{ name: 'two_gpus', numDevices: 2, devices: ['cuda:0', 'cuda:1'] }];
    model.graph.nodes[0].deviceConfigurations = [
      {
        configurationId: 'two_gpus',
        pipelineStage: 0,
        shardingSpecs: [
          {
            tensorName: model.graph.nodes[0].inputs[0],
            devices: [0, 1],
            indexToDeviceGroupMap: [{ key: 0, value: [0, 1] }],
            shardedDims: [{ axis: 0, simpleSharding: [{ dim: 4, numShards: 2 }, { dim: 'batch', numShards: 1 }, { numShards: 2 }] }],
          },
        ],
      },
    ];
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    expect(decoded).toEqual(model);
    expect(Buffer.from(encodeModel(decoded)).equals(Buffer.from(bytes))).toBe(true);
    // The fields sit under onnx.proto's numbers: ModelProto 20 and 26, NodeProto 10.
    const raw = getModelProtoType().decode(bytes) as unknown as { training_info: unknown[]; configuration: Array<{ num_devices: number }>; graph: { node: Array<{ device_configurations: unknown[] }> } };
    expect(raw.training_info).toHaveLength(1);
    expect(raw.configuration[0].num_devices).toBe(2);
    expect(raw.graph.node[0].device_configurations).toHaveLength(1);
  });

  test('dimension denotations are read in shape order and written back under TensorShapeProto.Dimension field 3', () => {
    const model = buildConvReluPoolModel();
    const input = model.graph.inputs[0];
    model.graph.inputs[0] = {
      ...input,
      type: { kind: 'tensor', elemType: DataType.FLOAT, shape: ['batch', 3, 8, 8], dimensionDenotations: ['DATA_BATCH', 'DATA_CHANNEL', '', ''] },
    };
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    expect(decoded.graph.inputs[0].type).toEqual({ kind: 'tensor', elemType: DataType.FLOAT, shape: ['batch', 3, 8, 8], dimensionDenotations: ['DATA_BATCH', 'DATA_CHANNEL', '', ''] });
    const wire = getModelProtoType().decode(bytes) as unknown as { graph: { input: Array<{ type: { tensor_type: { shape: { dim: Array<{ denotation?: string }> } } } }> } };
    expect(wire.graph.input[0].type.tensor_type.shape.dim.map((dim) => Object.hasOwn(dim, 'denotation'))).toEqual([true, true, false, false]);
    // Without denotations the plain type carries none.
    expect(decodeModel(encodeModel(buildConvReluPoolModel())).graph.inputs[0].type).not.toHaveProperty('dimensionDenotations');
    expect(encodeModel(decoded)).toEqual(bytes);
  });

  test('a model setting every field the generated descriptor declares (walked from ModelProto) decodes and re-encodes to the same bytes', () => {
    const modelType = getModelProtoType();
    const filler = everyFieldFiller(modelType);
    const filled = filler.fill(modelType, 0, [], false);
    const bytes = modelType.encode(filled).finish();

    // Measured on the wire, not on what the filler meant to set: every field of every message
    // reachable from ModelProto is present at least once.
    const reachable = reachableFields(modelType);
    const present = presentFields(modelType, modelType.decode(bytes) as unknown as Proto);
    // Every message the schema declares is reachable from ModelProto (134 fields in ONNX 1.20's).
    expect([...reachable].sort()).toEqual([...declaredFields(modelType.root)].sort());
    expect([...reachable].filter((field) => !present.has(field))).toEqual([]);

    const again = encodeModel(decodeModel(bytes));
    const asObject = (wire: Uint8Array) => modelType.toObject(modelType.decode(wire), { longs: String, bytes: Array, enums: String });
    expect(asObject(again)).toEqual(asObject(bytes));
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });
});

// ------------------------------------------------------------ a model with every field set

type Proto = Record<string, any>;

/** Every `Type.field` of the messages reachable from `root` through message fields. */
function reachableFields(root: protobuf.Type): Set<string> {
  const fields = new Set<string>();
  const seen = new Set<protobuf.Type>();
  const visit = (type: protobuf.Type) => {
    if (seen.has(type)) return;
    seen.add(type);
    for (const field of type.fieldsArray) {
      fields.add(`${type.name}.${field.name}`);
      if (field.resolvedType instanceof protobuf.Type) visit(field.resolvedType);
    }
  };
  visit(root);
  return fields;
}

/** Every `Type.field` of every message type in the schema. */
function declaredFields(namespace: protobuf.NamespaceBase, into = new Set<string>()): Set<string> {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) for (const field of nested.fieldsArray) into.add(`${nested.name}.${field.name}`);
    if (nested instanceof protobuf.Namespace) declaredFields(nested, into);
  }
  return into;
}

/** The `Type.field` names a decoded message sets (non-empty lists, fields it carries), at any depth. */
function presentFields(type: protobuf.Type, message: Proto, into = new Set<string>()): Set<string> {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    const set = field.repeated ? value.length > 0 : Object.hasOwn(message, field.name) && value !== null;
    if (!set) continue;
    into.add(`${type.name}.${field.name}`);
    if (field.resolvedType instanceof protobuf.Type) {
      for (const child of field.repeated ? value : [value]) presentFields(field.resolvedType, child, into);
    }
  }
  return into;
}

/**
 * Builds ModelProto messages from the descriptor alone: each field gets a value of its type,
 * unique across the model (so a field written under another's number would show), lists two
 * entries; a message list holds one entry per variant its type needs, variant k choosing the
 * k-th member of each oneof, so every member is set somewhere. A message type met again inside
 * itself (a graph in an attribute, a type in a sequence type) is filled with scalars and its first
 * oneof member only, which ends the recursion.
 *
 * What onnx.proto states only in comments and the codec checks is added as rules: an attribute
 * carries the one value its `type` names (or `ref_attr_name`); a tensor's data is in one field
 * matching `data_type` and `dims`, or external; `ir_version` is a real IR version; graph nodes'
 * domains are imported.
 */
function everyFieldFiller(modelType: protobuf.Type) {
  const root = modelType.root;
  let counter = 0;
  const attributeType = root.lookupEnum('onnx.AttributeProto.AttributeType').values;
  const dataType = root.lookupEnum('onnx.TensorProto.DataType').values;
  const dataLocation = root.lookupEnum('onnx.TensorProto.DataLocation').values;
  const irVersion = root.lookupEnum('onnx.Version').values.IR_VERSION;

  // The value fields of AttributeProto are alternatives told apart by `type`.
  const shortAttributeNames: Record<string, string> = { f: 'FLOAT', i: 'INT', s: 'STRING', t: 'TENSOR', g: 'GRAPH', tp: 'TYPE_PROTO' };
  const attributeFields = root.lookupType('onnx.AttributeProto').fieldsArray.map((field) => field.name);
  const attributeValues = attributeFields.filter((name) => !['name', 'doc_string', 'type', 'ref_attr_name'].includes(name));
  const tensorData: Record<string, string> = {
    raw_data: 'FLOAT',
    float_data: 'FLOAT',
    int32_data: 'INT32',
    string_data: 'STRING',
    int64_data: 'INT64',
    double_data: 'DOUBLE',
    uint64_data: 'UINT64',
    external_data: 'FLOAT',
  };
  const ruleGroups: Record<string, string[]> = {
    AttributeProto: [...attributeValues, 'ref_attr_name'],
    TensorProto: Object.keys(tensorData),
  };
  const rules: Record<string, (message: Proto, member: string) => void> = {
    AttributeProto(message, member) {
      const name = member === 'ref_attr_name' ? 'FLOAT' : (shortAttributeNames[member] ?? member.toUpperCase());
      expect(attributeType[name], `AttributeType for AttributeProto.${member}`).toBeGreaterThan(0);
      message.type = attributeType[name];
    },
    TensorProto(message, member) {
      message.data_type = dataType[tensorData[member]];
      message.dims = [2];
      if (member === 'raw_data') message.raw_data = new Uint8Array(8).map((_, index) => index + 1);
      if (member === 'external_data') message.data_location = dataLocation.EXTERNAL;
      else delete message.data_location;
    },
    ModelProto(message) {
      message.ir_version = irVersion;
      for (const node of message.graph.node) message.opset_import.push({ domain: node.domain, version: 1 });
    },
  };

  const groups = (type: protobuf.Type): string[][] => [
    ...type.oneofsArray.map((oneof) => oneof.oneof),
    ...(ruleGroups[type.name] ? [ruleGroups[type.name]] : []),
  ];

  const variantCount = (type: protobuf.Type, stack: protobuf.Type[]): number => {
    let count = Math.max(1, ...groups(type).map((members) => members.length));
    for (const field of type.fieldsArray) {
      const child = field.resolvedType;
      if (!field.repeated && child instanceof protobuf.Type && !stack.includes(child)) count = Math.max(count, variantCount(child, [...stack, type]));
    }
    return count;
  };

  const scalar = (type: protobuf.Type, field: protobuf.Field): unknown => {
    counter += 1;
    if (field.resolvedType instanceof protobuf.Enum) return Math.max(...Object.values(field.resolvedType.values));
    switch (field.type) {
      case 'string':
        return `${type.name}.${field.name}.${counter}`;
      case 'bytes':
        return new TextEncoder().encode(`${type.name}.${field.name}.${counter}`);
      case 'float':
      case 'double':
        return counter + 0.5;
      case 'bool':
        return true;
      default:
        return counter;
    }
  };

  const fill = (type: protobuf.Type, variant: number, stack: protobuf.Type[], minimal: boolean): Proto => {
    if (stack.includes(type)) {
      minimal = true;
      variant = 0;
    }
    const chosen = new Map<string, boolean>();
    let ruleMember = '';
    for (const members of groups(type)) {
      const member = members[variant % members.length];
      for (const name of members) chosen.set(name, name === member);
      if (members === ruleGroups[type.name]) ruleMember = member;
    }
    const message: Proto = {};
    for (const field of type.fieldsArray) {
      if (chosen.get(field.name) === false) continue;
      const child = field.resolvedType;
      if (child instanceof protobuf.Type) {
        if (minimal && !chosen.has(field.name)) continue;
        const inner = [...stack, type];
        message[field.name] = field.repeated
          ? Array.from({ length: variantCount(child, inner) }, (_, index) => fill(child, index, inner, minimal))
          : fill(child, variant, inner, minimal);
      } else {
        message[field.name] = field.repeated ? [scalar(type, field), scalar(type, field)] : scalar(type, field);
      }
    }
    rules[type.name]?.(message, ruleMember);
    return message;
  };

  return { fill };
}

