/**
 * Element access for `OnnxTensor`: build float32 / int64 tensors, read any numeric tensor as
 * Float32Array or as exact integers. raw_data is little-endian per onnx.proto, on every host.
 */
import { AttnkitError, bfloat16ToFloat32, checkLimit, ErrorCodes, float16ToFloat32 } from '@attnkit/core';
import { DataType, type OnnxTensor } from './onnx-model.js';

const BYTES_PER_ELEMENT: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.UINT32]: 4,
  [DataType.UINT64]: 8,
  [DataType.BFLOAT16]: 2,
};

/** Bytes per element of a fixed-width data type; undefined for STRING and the rest. */
export function bytesPerElement(dataType: number): number | undefined {
  return BYTES_PER_ELEMENT[dataType];
}

const dataTypeNames = new Map<number, string>(Object.entries(DataType).map(([name, code]) => [code, name]));

export function dataTypeName(code: number): string {
  return dataTypeNames.get(code) ?? `unknown data type ${code}`;
}

/** Number of elements of a tensor with these dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const dim of dims) count *= dim;
  return count;
}

/** The typed list of onnx.proto that holds each data type's elements when raw_data is not used. */
const LIST_FIELD: Record<number, keyof OnnxTensor> = {
  [DataType.FLOAT]: 'floatData',
  [DataType.DOUBLE]: 'doubleData',
  [DataType.INT64]: 'int64Data',
  [DataType.UINT64]: 'uint64Data',
  [DataType.UINT32]: 'uint64Data',
  [DataType.INT32]: 'int32Data',
  [DataType.INT16]: 'int32Data',
  [DataType.UINT16]: 'int32Data',
  [DataType.INT8]: 'int32Data',
  [DataType.UINT8]: 'int32Data',
  [DataType.BOOL]: 'int32Data',
  [DataType.FLOAT16]: 'int32Data',
  [DataType.BFLOAT16]: 'int32Data',
};

/**
 * Checks a tensor read from a file: non-negative integer dims, an element count within
 * `LIMITS.tensorElements`, and stored data (raw_data or the typed list) of exactly the size the
 * dims and data type need (a tensor that stores no data at all is weightless, not short).
 * External data is sized where it is read.
 * @param role where the tensor sits, for messages (`'initializer'`).
 * @throws AttnkitError INVALID_FILE, LIMIT_EXCEEDED.
 */
export function checkTensorSize(tensor: OnnxTensor, role: string): OnnxTensor {
  const where = `${role} '${tensor.name}'`;
  if (!tensor.dims.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${where} has dims [${tensor.dims.join(', ')}]; dims are non-negative integers`, { name: tensor.name, dims: tensor.dims });
  }
  const count = elementCount(tensor.dims);
  checkLimit('tensorElements', count, `${where} (elements of dims [${tensor.dims.join(', ')}])`);
  if (tensor.dataLocation === 'external') return tensor;
  const size = BYTES_PER_ELEMENT[tensor.dataType];
  if (tensor.rawData !== undefined) {
    if (size !== undefined && tensor.rawData.byteLength !== count * size) {
      throw new AttnkitError(
        ErrorCodes.INVALID_FILE,
        `${where}: raw_data has ${tensor.rawData.byteLength} bytes but dims [${tensor.dims.join(', ')}] of ${dataTypeName(tensor.dataType)} need ${count} x ${size} = ${count * size}`,
        { name: tensor.name, byteLength: tensor.rawData.byteLength, expected: count * size },
      );
    }
    return tensor;
  }
  const field = LIST_FIELD[tensor.dataType];
  const list = field === undefined ? undefined : (tensor[field] as unknown[] | undefined);
  // No data at all is a weightless initializer (tools/strip-onnx-weights.mjs writes them; the
  // bench fills them); reading its values fails where they are read. Data that is there must be whole.
  if (field !== undefined && list !== undefined && list.length > 0 && list.length !== count) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `${where} (${dataTypeName(tensor.dataType)}, dims [${tensor.dims.join(', ')}]) holds ${list?.length ?? 0} elements, expected ${count}`,
      { name: tensor.name, length: list?.length ?? 0, expected: count },
    );
  }
  return tensor;
}

/** A FLOAT tensor stored as raw_data, like torch.onnx.export writes initializers. */
export function tensorFromFloat32(name: string, dims: readonly number[], values: Float32Array): OnnxTensor {
  checkCount(name, dims, values.length);
  const rawData = new Uint8Array(values.length * 4);
  const view = new DataView(rawData.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dataType: DataType.FLOAT, dims: [...dims], rawData };
}

/** An INT64 tensor stored as raw_data (shape operands of Reshape, axes of Unsqueeze / ReduceMean). */
export function tensorFromInt64(name: string, dims: readonly number[], values: readonly number[]): OnnxTensor {
  checkCount(name, dims, values.length);
  const rawData = new Uint8Array(values.length * 8);
  const view = new DataView(rawData.buffer);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isSafeInteger(values[i])) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `tensor '${name}': element ${i} is ${values[i]}, expected a safe integer`, { index: i, value: values[i] });
    }
    view.setBigInt64(i * 8, BigInt(values[i]), true);
  }
  return { name, dataType: DataType.INT64, dims: [...dims], rawData };
}

/**
 * The elements as float32, from raw_data or the typed lists. Reads FLOAT, FLOAT16, BFLOAT16, DOUBLE
 * and the integer types (converted). Throws UNSUPPORTED for external or string data.
 */
export function tensorToFloat32(tensor: OnnxTensor): Float32Array {
  const count = elementCount(tensor.dims);
  const type = tensor.dataType;
  checkReadable(tensor);
  if (tensor.rawData) {
    const view = rawView(tensor, count);
    const out = new Float32Array(count);
    switch (type) {
      case DataType.FLOAT:
        for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
        return out;
      case DataType.DOUBLE:
        for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
        return out;
      case DataType.FLOAT16:
        for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
        return out;
      case DataType.BFLOAT16:
        for (let i = 0; i < count; i++) out[i] = bfloat16ToFloat32(view.getUint16(i * 2, true));
        return out;
      default: {
        const integers = tensorToIntegers(tensor);
        for (let i = 0; i < count; i++) out[i] = integers[i];
        return out;
      }
    }
  }
  if (type === DataType.FLOAT) return Float32Array.from(listOfLength(tensor, tensor.floatData, count));
  if (type === DataType.DOUBLE) return Float32Array.from(listOfLength(tensor, tensor.doubleData, count));
  if (type === DataType.FLOAT16) return Float32Array.from(listOfLength(tensor, tensor.int32Data, count), float16ToFloat32);
  if (type === DataType.BFLOAT16) return Float32Array.from(listOfLength(tensor, tensor.int32Data, count), bfloat16ToFloat32);
  return Float32Array.from(tensorToIntegers(tensor));
}

/** The elements of an integer or BOOL tensor as exact numbers (INT64 beyond 2^53 is rounded). */
export function tensorToIntegers(tensor: OnnxTensor): number[] {
  const count = elementCount(tensor.dims);
  const type = tensor.dataType;
  checkReadable(tensor);
  if (tensor.rawData) {
    const view = rawView(tensor, count);
    const read: ((offset: number) => number) | undefined = {
      [DataType.INT64]: (offset: number) => Number(view.getBigInt64(offset, true)),
      [DataType.UINT64]: (offset: number) => Number(view.getBigUint64(offset, true)),
      [DataType.INT32]: (offset: number) => view.getInt32(offset, true),
      [DataType.UINT32]: (offset: number) => view.getUint32(offset, true),
      [DataType.INT16]: (offset: number) => view.getInt16(offset, true),
      [DataType.UINT16]: (offset: number) => view.getUint16(offset, true),
      [DataType.INT8]: (offset: number) => view.getInt8(offset),
      [DataType.UINT8]: (offset: number) => view.getUint8(offset),
      [DataType.BOOL]: (offset: number) => view.getUint8(offset),
    }[type];
    if (read === undefined) throw unsupportedType(tensor, 'an integer or BOOL type');
    const size = BYTES_PER_ELEMENT[type];
    return Array.from({ length: count }, (_, i) => read(i * size));
  }
  switch (type) {
    case DataType.INT64:
      return [...listOfLength(tensor, tensor.int64Data, count)];
    case DataType.UINT64:
    case DataType.UINT32:
      return [...listOfLength(tensor, tensor.uint64Data, count)];
    case DataType.INT32:
    case DataType.INT16:
    case DataType.UINT16:
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.BOOL:
      return [...listOfLength(tensor, tensor.int32Data, count)];
    default:
      throw unsupportedType(tensor, 'an integer or BOOL type');
  }
}

function checkCount(name: string, dims: readonly number[], length: number): void {
  if (!dims.every((dim) => Number.isInteger(dim) && dim >= 0) || elementCount(dims) !== length) {
    throw new AttnkitError(
      ErrorCodes.SHAPE_MISMATCH,
      `tensor '${name}': dims [${dims.join(', ')}] hold ${elementCount(dims)} elements but ${length} values were given; expected non-negative integer dims whose product is the value count`,
      { name, dims: [...dims], length },
    );
  }
}

function checkReadable(tensor: OnnxTensor): void {
  if (tensor.dataLocation === 'external') {
    const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value;
    throw new AttnkitError(
      ErrorCodes.UNSUPPORTED,
      `tensor '${tensor.name}' keeps its data in an external file ('${location ?? '?'}'); load the model with its data embedded (onnx.save(model, path, save_as_external_data=False))`,
      { name: tensor.name, location },
    );
  }
}

function rawView(tensor: OnnxTensor, count: number): DataView {
  const raw = tensor.rawData!;
  const size = BYTES_PER_ELEMENT[tensor.dataType];
  if (size === undefined) throw unsupportedType(tensor, 'a fixed-width numeric type');
  if (raw.byteLength !== count * size) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `tensor '${tensor.name}': raw_data has ${raw.byteLength} bytes, expected ${count * size} (${count} elements of ${dataTypeName(tensor.dataType)}, dims [${tensor.dims.join(', ')}])`,
      { name: tensor.name, byteLength: raw.byteLength, expected: count * size },
    );
  }
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
}

function listOfLength(tensor: OnnxTensor, list: number[] | undefined, count: number): number[] {
  const values = list ?? [];
  if (values.length !== count) {
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `tensor '${tensor.name}' (${dataTypeName(tensor.dataType)}, dims [${tensor.dims.join(', ')}]) holds ${values.length} elements, expected ${count}`,
      { name: tensor.name, length: values.length, expected: count },
    );
  }
  return values;
}

function unsupportedType(tensor: OnnxTensor, expected: string): AttnkitError {
  return new AttnkitError(
    ErrorCodes.UNSUPPORTED,
    `tensor '${tensor.name}' has data type ${dataTypeName(tensor.dataType)}; expected ${expected}`,
    { name: tensor.name, dataType: tensor.dataType },
  );
}
