import { AttnkitError, bfloat16ToFloat32, checkLimit, ErrorCodes, float16ToFloat32, LIMITS, type Tensor } from '@attnkit/core';
import {
  invalidFile,
  isSafetensorsDtype,
  LITTLE_ENDIAN_PLATFORM,
  METADATA_KEY,
  SAFETENSORS_DTYPE_SIZES,
  type SafetensorsDtype,
} from './safetensors-format.js';

export interface SafetensorsContents {
  /** Every tensor of the file, converted to float32 (integers and booleans by value). */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` string map (`{}` when the file has none). */
  metadata: Record<string, string>;
  /** The dtype each tensor had in the file, e.g. `I64` for BatchNorm's `num_batches_tracked`. */
  dtypes: Map<string, SafetensorsDtype>;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file held in memory. Every floating dtype (F64, F32, F16, BF16, F8_E4M3,
 * F8_E5M2) is converted to float32 (F64 rounds; the 16- and 8-bit formats convert exactly,
 * subnormals, infinities and NaN included); integer and BOOL tensors are converted by value, so
 * an I64 `num_batches_tracked` of 5004 reads as 5004 (integers above 2^24 round to float32).
 * The returned tensors own their data (copies, never views of `bytes`).
 *
 * @throws AttnkitError INVALID_FILE for a truncated file, a header length beyond the file, a
 *   header that is not a UTF-8 JSON object, an unknown dtype, a bad shape, or data offsets out of
 *   range, overlapping, or not matching shape x dtype size.
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) {
    throw invalidFile(`expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  if (bytes.length < 8) {
    throw invalidFile(`the file is ${bytes.length} bytes long, too short to hold the 8-byte header length (truncated?)`, {
      byteLength: bytes.length,
    });
  }
  const headerLength = checkHeaderLength(bytes.subarray(0, 8), bytes.length);
  const bufferStart = 8 + headerLength;
  const bufferLength = bytes.length - bufferStart;
  const entries = parseHeader(bytes.subarray(8, bufferStart), bufferLength);
  const { metadata, tensors: headerTensors } = entries;

  const tensors = new Map<string, Tensor>();
  const dtypes = new Map<string, SafetensorsDtype>();
  for (const entry of headerTensors) {
    const data = decode(bytes, bufferStart + entry.begin, bufferStart + entry.end, entry.dtype);
    tensors.set(entry.name, { shape: entry.shape, data });
    dtypes.set(entry.name, entry.dtype);
  }
  return { tensors, metadata, dtypes };
}

/**
 * The header length the first 8 bytes declare, checked against the stated cap
 * (`LIMITS.safetensorsHeaderBytes`, the reference implementation's 100 MB) and the file size
 * before anything is allocated for it.
 * @throws AttnkitError LIMIT_EXCEEDED above the cap, INVALID_FILE beyond the file.
 */
export function checkHeaderLength(first8: Uint8Array, fileLength: number): number {
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > LIMITS.safetensorsHeaderBytes) {
    throw new AttnkitError(
      ErrorCodes.LIMIT_EXCEEDED,
      `Invalid safetensors file: the header length field says ${headerLength} bytes, above the ${LIMITS.safetensorsHeaderBytes}-byte cap ` +
        '(the safetensors reference implementation refuses the same); a real header is a few hundred KB at most',
      { limit: 'safetensorsHeaderBytes', bound: LIMITS.safetensorsHeaderBytes, value: headerLength },
    );
  }
  if (headerLength > fileLength - 8) {
    throw invalidFile(
      `the header length field says ${headerLength} bytes but only ${fileLength - 8} bytes follow it ` +
        '(the file is truncated, or it is not a safetensors file)',
      { headerLength, byteLength: fileLength },
    );
  }
  return headerLength;
}

function parseHeader(
  headerBytes: Uint8Array,
  bufferLength: number,
): { metadata: Record<string, string>; tensors: HeaderEntry[] } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw invalidFile('the header is not valid UTF-8 text');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw invalidFile(`the header is not valid JSON (${(error as Error).message}); it starts with ${JSON.stringify(text.slice(0, 60))}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw invalidFile(`the header must be a JSON object, got ${describe(header)}`);
  }
  // JSON.parse keeps the last of two equal keys; a file that says two things about one tensor is refused.
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) {
    throw invalidFile(`the header names ${JSON.stringify(duplicate)} twice; every key appears once`, { name: duplicate });
  }

  const metadata: Record<string, string> = {};
  const tensors: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw invalidFile(`"${METADATA_KEY}" must be an object of strings, got ${describe(value)}`);
      }
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (typeof item !== 'string') {
          throw invalidFile(`"${METADATA_KEY}"."${key}" must be a string, got ${describe(item)}`);
        }
        metadata[key] = item;
      }
      continue;
    }
    tensors.push(parseEntry(name, value, bufferLength));
  }

  // Overlap check on non-empty ranges sorted by start; empty tensors occupy no bytes.
  const ranges = tensors.filter((entry) => entry.end > entry.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1];
    if (ranges[i].begin < previous.end) {
      throw invalidFile(
        `the data of "${ranges[i].name}" [${ranges[i].begin}, ${ranges[i].end}) overlaps the data of ` +
          `"${previous.name}" [${previous.begin}, ${previous.end})`,
        { names: [previous.name, ranges[i].name] },
      );
    }
  }
  // The reference implementation requires the data to cover the buffer exactly: no gap, no trailing bytes.
  let covered = 0;
  for (const entry of ranges) {
    if (entry.begin !== covered) {
      throw invalidFile(`the data buffer has ${entry.begin - covered} unused bytes before "${entry.name}" [${entry.begin}, ${entry.end}); tensors are packed with no gaps`, {
        name: entry.name,
      });
    }
    covered = entry.end;
  }
  if (covered !== bufferLength) {
    throw invalidFile(`the file has ${bufferLength - covered} trailing bytes after the last tensor's data (ends at ${covered} of ${bufferLength}); the buffer ends where the last tensor ends`, {
      trailingBytes: bufferLength - covered,
    });
  }
  return { metadata, tensors };
}

/** The first key written twice in one JSON object of `text` (already known to be valid JSON), at any depth. */
function firstDuplicateKey(text: string): string | undefined {
  const objects: Array<Set<string> | null> = [];
  // Stryker disable next-line BooleanLiteral: a JSON object's first '{' comes before any '"' and sets expectKey itself
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(null);
    } else if (c === '}' || c === ']') {
      objects.pop();
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] != null;
    }
  }
  return undefined;
}

function parseEntry(name: string, value: unknown, bufferLength: number): HeaderEntry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidFile(`the header entry "${name}" must be an object with dtype, shape and data_offsets, got ${describe(value)}`, {
      name,
    });
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) {
    throw invalidFile(
      `"${name}" has unknown dtype ${JSON.stringify(dtype)}; known dtypes are ${Object.keys(SAFETENSORS_DTYPE_SIZES).join(', ')}`,
      { name, dtype },
    );
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw invalidFile(`"${name}" has shape ${JSON.stringify(shape)}; a shape is a list of non-negative integers such as [64, 3, 7, 7]`, {
      name,
      shape,
    });
  }
  const declaredElements = (shape as number[]).reduce((product, dimension) => product * dimension, 1);
  checkLimit('tensorElements', declaredElements, `safetensors tensor "${name}" (elements of shape [${(shape as number[]).join(', ')}])`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw invalidFile(`"${name}" has data_offsets ${JSON.stringify(offsets)}; data_offsets is [begin, end], two non-negative integers`, {
      name,
      offsets,
    });
  }
  const [begin, end] = offsets as number[];
  if (begin > end || end > bufferLength) {
    throw invalidFile(
      `"${name}" has data_offsets [${begin}, ${end}], outside the ${bufferLength}-byte data buffer ` +
        (begin > end ? '(begin after end)' : '(the file is truncated, or the offsets are wrong)'),
      { name, offsets, bufferLength },
    );
  }
  const expectedBytes = declaredElements * SAFETENSORS_DTYPE_SIZES[dtype];
  if (end - begin !== expectedBytes) {
    throw invalidFile(
      `"${name}" spans ${end - begin} bytes [${begin}, ${end}) but shape [${(shape as number[]).join(', ')}] of ${dtype} ` +
        `needs ${declaredElements} x ${SAFETENSORS_DTYPE_SIZES[dtype]} = ${expectedBytes} bytes`,
      { name, offsets, shape, dtype },
    );
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

function decode(bytes: Uint8Array, begin: number, end: number, dtype: SafetensorsDtype): Float32Array {
  const count = (end - begin) / SAFETENSORS_DTYPE_SIZES[dtype];
  // Stryker disable next-line BlockStatement: the DataView loop below gives the same float32 values as the copy
  if (dtype === 'F32' && LITTLE_ENDIAN_PLATFORM) {
    // One memcpy into a fresh, 4-byte aligned buffer instead of a loop. (Not bytes.slice():
    // on a Node Buffer that returns a view into a shared pool, not a copy.)
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(begin, end));
    return new Float32Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, end - begin);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(2 * i, true));
      break;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = bfloat16ToFloat32(view.getUint16(2 * i, true));
      break;
    case 'F8_E5M2':
      // E5M2 is binary16 with the low byte of the mantissa dropped.
      for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint8(i) << 8);
      break;
    case 'F8_E4M3':
      for (let i = 0; i < count; i++) out[i] = float8E4M3ToFloat32(view.getUint8(i));
      break;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      break;
    case 'U64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(8 * i, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      break;
    case 'U32':
      for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      break;
    case 'U16':
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) === 0 ? 0 : 1;
      break;
  }
  return out;
}

/** PyTorch's float8_e4m3fn: bias 7, no infinities, S.1111.111 is NaN. */
function float8E4M3ToFloat32(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >> 3) & 0xf;
  const fraction = bits & 0x7;
  if (exponent === 0xf && fraction === 0x7) return Number.NaN;
  if (exponent === 0) return sign * fraction * 2 ** -9;
  return sign * (1 + fraction / 8) * 2 ** (exponent - 7);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  // Stryker disable next-line StringLiteral: unreachable text, describe() only sees non-Uint8Array bytes and JSON values
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The element decoder, shared with the .pth reader (same dtypes, same float32 conversion). */
export { decode as decodeElements };
