import { AttnkitError, ErrorCodes } from '@attnkit/core';

/**
 * The safetensors container (huggingface/safetensors): an 8-byte little-endian u64 N, N bytes
 * of UTF-8 JSON `{ "<name>": { "dtype", "shape", "data_offsets": [begin, end] }, ...,
 * "__metadata__"?: { "<key>": "<string>" } }`, then the byte buffer that the offsets index
 * (relative to the buffer start, end exclusive), every element little-endian.
 */

/** Bytes per element of every dtype the safetensors reference implementation names. */
export const SAFETENSORS_DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_SIZES;

/** The dtypes `writeSafetensors` can write float32 tensors as. */
export type SafetensorsFloatDtype = 'F32' | 'F16' | 'BF16';

export const METADATA_KEY = '__metadata__';

/** Appended to every INVALID_FILE message so the reader knows what a good file looks like. */
export const SAFETENSORS_FORMAT_HINT =
  'A valid safetensors file is: 8 bytes holding the header length N (u64, little-endian), then N bytes of ' +
  'UTF-8 JSON such as {"conv1.weight": {"dtype": "F32", "shape": [64, 3, 7, 7], "data_offsets": [0, 37632]}, ' +
  '"__metadata__": {"format": "pt"}}, then the tensor bytes; offsets are relative to the end of the header, ' +
  'do not overlap, and end - begin = product(shape) * bytes per element ' +
  `(${Object.entries(SAFETENSORS_DTYPE_SIZES)
    .map(([dtype, size]) => `${dtype} ${size}`)
    .join(', ')}).`;

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_SIZES, value);
}

export function invalidFile(problem: string, details: Record<string, unknown> = {}): AttnkitError {
  return new AttnkitError(ErrorCodes.INVALID_FILE, `Invalid safetensors file: ${problem}. ${SAFETENSORS_FORMAT_HINT}`, details);
}

/** True on every platform JavaScript runs on today; checked so typed-array fast paths stay correct. */
// Stryker disable next-line ConditionalExpression,EqualityOperator,ArrayDeclaration: both branches it picks give the same bytes and values (little-endian-fallback.test.ts); only speed differs
export const LITTLE_ENDIAN_PLATFORM = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
