import { AttnkitError, ErrorCodes, float32ToBfloat16, float32ToFloat16, type Tensor } from '@attnkit/core';
import { LITTLE_ENDIAN_PLATFORM, METADATA_KEY, SAFETENSORS_DTYPE_SIZES, type SafetensorsFloatDtype } from './safetensors-format.js';

export interface WriteSafetensorsOptions {
  /** Written as `__metadata__`, e.g. `{ format: 'pt' }` as PyTorch's `save_file` writes. */
  metadata?: Record<string, string>;
  /** Storage dtype of every tensor; default `F32`. F16 and BF16 round to nearest, ties to even. */
  dtype?: SafetensorsFloatDtype;
}

const FLOAT_DTYPES: readonly SafetensorsFloatDtype[] = ['F32', 'F16', 'BF16'];

/**
 * Serializes tensors to safetensors bytes that `safetensors.torch.load_file` reads: tensors in
 * name order, compact JSON header padded with spaces to a multiple of 8 bytes (as the reference
 * implementation pads, so the data starts 8-byte aligned), little-endian data.
 *
 * @throws AttnkitError INVALID_OPTION for a bad dtype, metadata or tensor name;
 *   SHAPE_MISMATCH for a tensor whose data length is not the product of its shape.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const dtype = options.dtype ?? 'F32';
  if (!FLOAT_DTYPES.includes(dtype)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `dtype must be one of ${FLOAT_DTYPES.join(', ')}, got ${JSON.stringify(dtype)}`, {
      path: 'dtype',
      allowed: FLOAT_DTYPES,
    });
  }
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const elementSize = SAFETENSORS_DTYPE_SIZES[dtype];

  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) header[METADATA_KEY] = checkMetadata(options.metadata);
  let offset = 0;
  for (const [name, value] of entries) {
    checkTensor(name, value);
    const byteLength = value.data.length * elementSize;
    header[name] = { dtype, shape: [...value.shape], data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  // Stryker disable next-line ArithmeticOperator,BooleanLiteral: the header is a JS string's UTF-8 (< 2^32 bytes), so the high word is 0 either way
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);

  let position = 8 + headerLength;
  for (const [, value] of entries) {
    encode(value.data, dtype, out, view, position);
    position += value.data.length * elementSize;
  }
  return out;
}

function encode(data: Float32Array, dtype: SafetensorsFloatDtype, out: Uint8Array, view: DataView, position: number): void {
  if (dtype === 'F32') {
    // Stryker disable next-line ConditionalExpression: both branches write the same little-endian bytes (the else branch is tested with the flag mocked false)
    if (LITTLE_ENDIAN_PLATFORM) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(position + 4 * i, data[i], true);
    }
    return;
  }
  const toBits = dtype === 'F16' ? float32ToFloat16 : float32ToBfloat16;
  for (let i = 0; i < data.length; i++) view.setUint16(position + 2 * i, toBits(data[i]), true);
}

function checkMetadata(metadata: Record<string, string>): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'metadata must be an object of strings, e.g. { format: "pt" }', {
      path: 'metadata',
    });
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new AttnkitError(
        ErrorCodes.INVALID_OPTION,
        `metadata.${key} must be a string (safetensors metadata maps strings to strings), got ${typeof value}`,
        { path: `metadata.${key}` },
      );
    }
  }
  return { ...metadata };
}

function checkTensor(name: string, value: Tensor): void {
  if (name === '' || name === METADATA_KEY) {
    throw new AttnkitError(
      ErrorCodes.INVALID_OPTION,
      `a tensor cannot be named ${JSON.stringify(name)} (the empty name and "${METADATA_KEY}" are reserved)`,
      { path: 'tensors', name },
    );
  }
  if (value === null || typeof value !== 'object' || !(value.data instanceof Float32Array) || !Array.isArray(value.shape)) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `tensor "${name}" must be { shape: number[], data: Float32Array }`, {
      path: `tensors.${name}`,
    });
  }
  if (!value.shape.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0)) {
    throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `tensor "${name}" has shape [${value.shape.join(', ')}]; dimensions must be non-negative integers`, {
      name,
      shape: value.shape,
    });
  }
  const size = value.shape.reduce((product, dimension) => product * dimension, 1);
  if (size !== value.data.length) {
    throw new AttnkitError(
      ErrorCodes.SHAPE_MISMATCH,
      `tensor "${name}" has shape [${value.shape.join(', ')}] (${size} values) but ${value.data.length} values of data`,
      { name, shape: value.shape, length: value.data.length },
    );
  }
}
