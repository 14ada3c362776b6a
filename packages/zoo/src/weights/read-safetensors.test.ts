import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import { SAFETENSORS_FORMAT_HINT } from './safetensors-format.js';

/** A safetensors file from a header (object or raw text) and buffer bytes, built by hand. */
function buildFile(header: unknown, buffer: ArrayLike<number> = [], headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setUint32(0, headerLength ?? json.length, true);
  out.set(json, 8);
  out.set(Array.from(buffer), 8 + json.length);
  return out;
}

function littleEndian(bytesPerValue: number, values: Array<number | bigint>, write: (view: DataView, at: number, value: never) => void): number[] {
  const view = new DataView(new ArrayBuffer(bytesPerValue * values.length));
  for (let i = 0; i < values.length; i++) write(view, i * bytesPerValue, values[i] as never);
  return Array.from(new Uint8Array(view.buffer));
}
const u16 = (values: number[]) => littleEndian(2, values, (v, at, x: number) => v.setUint16(at, x, true));
const f32 = (values: number[]) => littleEndian(4, values, (v, at, x: number) => v.setFloat32(at, x, true));
const f64 = (values: number[]) => littleEndian(8, values, (v, at, x: number) => v.setFloat64(at, x, true));
const i32 = (values: number[]) => littleEndian(4, values, (v, at, x: number) => v.setInt32(at, x, true));
const i64 = (values: bigint[]) => littleEndian(8, values, (v, at, x: bigint) => v.setBigInt64(at, x, true));

function readError(bytes: Uint8Array): AttnkitError {
  try {
    readSafetensors(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(ErrorCodes.INVALID_FILE);
    expect((error as AttnkitError).message).toContain('A valid safetensors file is');
    return error as AttnkitError;
  }
  throw new Error('expected readSafetensors to throw');
}

describe('readSafetensors', () => {
  it('reads F16, BF16 and I64 tensors with exact values, metadata and dtypes', () => {
    const file = buildFile(
      {
        __metadata__: { format: 'pt' },
        'layer1.0.conv1.weight': { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
        'layer1.0.bn1.weight': { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
        'layer1.0.bn1.num_batches_tracked': { dtype: 'I64', shape: [], data_offsets: [12, 20] },
      },
      [...u16([0x3c00, 0xc000, 0x0001, 0x7c00]), ...u16([0x3f80, 0xc0a0]), ...i64([5004n])],
    );
    const { tensors, metadata, dtypes } = readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Object.fromEntries(dtypes)).toEqual({
      'layer1.0.conv1.weight': 'F16',
      'layer1.0.bn1.weight': 'BF16',
      'layer1.0.bn1.num_batches_tracked': 'I64',
    });
    const conv = tensors.get('layer1.0.conv1.weight')!;
    expect(conv.shape).toEqual([2, 2]);
    expect(Array.from(conv.data)).toEqual([1, -2, 2 ** -24, Number.POSITIVE_INFINITY]);
    expect(Array.from(tensors.get('layer1.0.bn1.weight')!.data)).toEqual([1, -5]);
    const counter = tensors.get('layer1.0.bn1.num_batches_tracked')!;
    expect(counter.shape).toEqual([]);
    expect(Array.from(counter.data)).toEqual([5004]);
  });

  it('reads F32 and F64 (rounded to float32), also from an unaligned view and a Node Buffer, without aliasing', () => {
    const file = buildFile(
      {
        a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
        b: { dtype: 'F64', shape: [2], data_offsets: [12, 28] },
      },
      [...f32([1.5, -0, 3.4e38]), ...f64([0.1, -1e300])],
    );
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    for (const bytes of [file, padded.subarray(3), Buffer.from(file)]) {
      const { tensors } = readSafetensors(bytes);
      const a = tensors.get('a')!.data;
      expect(Array.from(a)).toEqual([1.5, -0, Math.fround(3.4e38)]);
      expect(Object.is(a[1], -0)).toBe(true);
      expect(Array.from(tensors.get('b')!.data)).toEqual([Math.fround(0.1), Number.NEGATIVE_INFINITY]);
      bytes.fill(0, bytes.length - 28);
      expect(a[0]).toBe(1.5); // an owned copy, not a view of the input
      bytes.set(file);
    }
  });

  it('reads integer, boolean and 8-bit float dtypes by value, and empty tensors', () => {
    const file = buildFile(
      {
        i32: { dtype: 'I32', shape: [2], data_offsets: [0, 8] },
        u8: { dtype: 'U8', shape: [2], data_offsets: [8, 10] },
        bool: { dtype: 'BOOL', shape: [2], data_offsets: [10, 12] },
        i8: { dtype: 'I8', shape: [1], data_offsets: [12, 13] },
        e4m3: { dtype: 'F8_E4M3', shape: [3], data_offsets: [13, 16] },
        e5m2: { dtype: 'F8_E5M2', shape: [2], data_offsets: [16, 18] },
        empty: { dtype: 'F32', shape: [0, 4], data_offsets: [18, 18] },
      },
      [...i32([-7, 123456]), 0, 255, 0, 7, 0xfe, 0x38, 0x01, 0x7f, 0x3c, 0x7c],
    );
    const { tensors } = readSafetensors(file);
    expect(Array.from(tensors.get('i32')!.data)).toEqual([-7, 123456]);
    expect(Array.from(tensors.get('u8')!.data)).toEqual([0, 255]);
    expect(Array.from(tensors.get('bool')!.data)).toEqual([0, 1]);
    expect(Array.from(tensors.get('i8')!.data)).toEqual([-2]);
    // E4M3: 0x38 = 2^(7-7) = 1, 0x01 = smallest subnormal 2^-9, 0x7f = NaN (no infinities).
    const e4m3 = Array.from(tensors.get('e4m3')!.data);
    expect(e4m3.slice(0, 2)).toEqual([1, 2 ** -9]);
    expect(e4m3[2]).toBeNaN();
    expect(Array.from(tensors.get('e5m2')!.data)).toEqual([1, Number.POSITIVE_INFINITY]);
    expect(tensors.get('empty')!.shape).toEqual([0, 4]);
    expect(tensors.get('empty')!.data.length).toBe(0);
  });

  it('accepts a header padded with trailing spaces and a file with no tensors', () => {
    const padded = buildFile('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}   ', f32([2]));
    expect(Array.from(readSafetensors(padded).tensors.get('x')!.data)).toEqual([2]);
    const empty = readSafetensors(buildFile('{}'));
    expect(empty.tensors.size).toBe(0);
    expect(empty.metadata).toEqual({});
  });

  describe('rejects bad input with INVALID_FILE saying what is wrong', () => {
    const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };

    it('a file shorter than the 8-byte length field', () => {
      expect(readError(new Uint8Array(5)).message).toContain('5 bytes long, too short');
    });

    it('a header length beyond the file', () => {
      const file = buildFile(good, f32([1, 2]), 5000);
      expect(readError(file).message).toContain('header length field says 5000 bytes but only');
    });

    it('a header length above the 100 MB cap gives LIMIT_EXCEEDED before anything is read', () => {
      // A u64 length with high bits set (e.g. a random binary file), and one just above the cap.
      const huge = new Uint8Array(16);
      huge[7] = 0x40;
      const justAbove = new Uint8Array(16);
      new DataView(justAbove.buffer).setUint32(0, 100_000_001, true);
      for (const file of [huge, justAbove]) {
        const error = (() => {
          try {
            readSafetensors(file);
          } catch (caught) {
            return caught as AttnkitError;
          }
          throw new Error('expected an error');
        })();
        expect(error.code).toBe(ErrorCodes.LIMIT_EXCEEDED);
        expect(error.details).toMatchObject({ limit: 'safetensorsHeaderBytes', bound: 100_000_000 });
      }
    });

    it('a key written twice (JSON.parse would keep the last)', () => {
      const header = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
      expect(readError(rawFile(header, 4)).message).toContain('names "a" twice');
    });

    it('trailing bytes after the last tensor, and a gap between tensors', () => {
      expect(readError(rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 6)).message).toContain('2 trailing bytes');
      expect(readError(rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8)).message).toContain('4 unused bytes before "a"');
    });

    it('a tensor above the element limit gives LIMIT_EXCEEDED without allocating it', () => {
      const header = `{"a":{"dtype":"U8","shape":[${2 ** 28 + 1}],"data_offsets":[0,${2 ** 28 + 1}]}}`;
      expect(() => readSafetensors(rawFile(header, 0))).toThrow(expect.objectContaining({ code: ErrorCodes.LIMIT_EXCEEDED }));
    });

    it('a truncated data buffer', () => {
      const file = buildFile(good, f32([1, 2]));
      expect(readError(file.subarray(0, file.length - 1)).message).toContain('outside the 7-byte data buffer');
    });

    it('a header that is not JSON, not UTF-8, or not an object', () => {
      expect(readError(buildFile('{"w": {')).message).toContain('not valid JSON');
      const latin = buildFile('{}');
      latin[8] = 0xff;
      expect(readError(latin).message).toContain('not valid UTF-8');
      expect(readError(buildFile('[1, 2]')).message).toContain('must be a JSON object, got an array');
      expect(readError(buildFile({ w: 3 })).message).toContain('"w" must be an object with dtype, shape and data_offsets');
    });

    it('an unknown dtype', () => {
      const error = readError(buildFile({ w: { dtype: 'F12', shape: [2], data_offsets: [0, 8] } }, f32([1, 2])));
      expect(error.message).toContain('"w" has unknown dtype "F12"; known dtypes are F64, F32, F16, BF16');
      expect(error.details).toMatchObject({ name: 'w', dtype: 'F12' });
    });

    it('a bad shape or bad data_offsets', () => {
      expect(readError(buildFile({ w: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, f32([1, 2]))).message).toContain(
        'has shape [2.5]',
      );
      expect(readError(buildFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0] } }, f32([1, 2]))).message).toContain(
        'data_offsets is [begin, end]',
      );
      expect(readError(buildFile({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, f32([1, 2]))).message).toContain(
        '(begin after end)',
      );
    });

    it('offsets out of range', () => {
      const file = buildFile({ w: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2]));
      expect(readError(file).message).toContain('"w" has data_offsets [4, 12], outside the 8-byte data buffer');
    });

    it('overlapping tensors', () => {
      const file = buildFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        f32([1, 2, 3]),
      );
      expect(readError(file).message).toContain('the data of "b" [4, 12) overlaps the data of "a" [0, 8)');
    });

    it('a byte span that does not match shape x dtype size', () => {
      const file = buildFile({ w: { dtype: 'F16', shape: [3], data_offsets: [0, 8] } }, f32([1, 2]));
      expect(readError(file).message).toContain('"w" spans 8 bytes [0, 8) but shape [3] of F16 needs 3 x 2 = 6 bytes');
    });

    it('bad metadata', () => {
      expect(readError(buildFile({ __metadata__: { epochs: 90 } })).message).toContain('"__metadata__"."epochs" must be a string');
      expect(readError(buildFile({ __metadata__: ['pt'] })).message).toContain('"__metadata__" must be an object of strings');
    });

    it('something that is not bytes', () => {
      expect(readError('model.safetensors' as unknown as Uint8Array).message).toContain('expected the file\'s bytes as a Uint8Array');
    });
  });
});

/** A file from a header text and `dataBytes` zero bytes of data. */
function rawFile(header: string, dataBytes: number): Uint8Array {
  const headerBytes = new TextEncoder().encode(header);
  const file = new Uint8Array(8 + headerBytes.length + dataBytes);
  new DataView(file.buffer).setUint32(0, headerBytes.length, true);
  file.set(headerBytes, 8);
  return file;
}

/** The AttnkitError `readSafetensors(bytes)` throws, of any code. */
const thrownBy = (bytes: Uint8Array): AttnkitError => thrownAttnkitError(() => readSafetensors(bytes));

describe('readSafetensors: every dtype by value', () => {
  it('reads U64, U32, I16 and U16 (little-endian) and the sign of I64, I8 and F8_E4M3', () => {
    const u64 = littleEndian(8, [2n ** 63n], (v, at, x: bigint) => v.setBigUint64(at, x, true));
    const u32 = littleEndian(4, [4_000_000_000], (v, at, x: number) => v.setUint32(at, x, true));
    const i16 = littleEndian(2, [-300, 300], (v, at, x: number) => v.setInt16(at, x, true));
    const file = buildFile(
      {
        u64: { dtype: 'U64', shape: [1], data_offsets: [0, 8] },
        u32: { dtype: 'U32', shape: [1], data_offsets: [8, 12] },
        i16: { dtype: 'I16', shape: [2], data_offsets: [12, 16] },
        u16: { dtype: 'U16', shape: [2], data_offsets: [16, 20] },
        i64: { dtype: 'I64', shape: [1], data_offsets: [20, 28] },
        i8: { dtype: 'I8', shape: [2], data_offsets: [28, 30] },
        e4m3: { dtype: 'F8_E4M3', shape: [5], data_offsets: [30, 35] },
        bool: { dtype: 'BOOL', shape: [3], data_offsets: [35, 38] },
      },
      // e4m3: 0xb8 = -1; 0x7e = (1 + 6/8) * 2^(15-7) = 448, the largest; 0x80 = -0; 0x0c = (1 + 4/8) * 2^-6; 0x06 = 6 * 2^-9.
      [...u64, ...u32, ...i16, 0xff, 0xff, 0x00, 0x80, ...i64([-5004n]), 0x7f, 0x80, 0xb8, 0x7e, 0x80, 0x0c, 0x06, 0, 2, 255],
    );
    const { tensors, dtypes } = readSafetensors(file);
    const values = (name: string) => Array.from(tensors.get(name)!.data);
    // 2^63 is the sign bit of an I64: read unsigned, it is 2^63 (exact in float32).
    expect(values('u64')).toEqual([2 ** 63]);
    expect(values('u32')).toEqual([4_000_000_000]);
    expect(values('i16')).toEqual([-300, 300]);
    expect(values('u16')).toEqual([65535, 32768]);
    expect(values('i64')).toEqual([-5004]);
    expect(values('i8')).toEqual([127, -128]);
    expect(values('e4m3')).toEqual([-1, 448, -0, 1.5 * 2 ** -6, 6 * 2 ** -9]);
    expect(Object.is(values('e4m3')[2], -0)).toBe(true);
    // Fraction 7 is NaN only with exponent 15: 0x3f = (1 + 7/8) * 2^0, 0x07 = 7 * 2^-9.
    const sevens = readSafetensors(buildFile({ e: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, [0x3f, 0x07]));
    expect(Array.from(sevens.tensors.get('e')!.data)).toEqual([1.875, 7 * 2 ** -9]);
    // Any non-zero byte is true.
    expect(values('bool')).toEqual([0, 1, 1]);
    expect([...dtypes.values()]).toEqual(['U64', 'U32', 'I16', 'U16', 'I64', 'I8', 'F8_E4M3', 'BOOL']);
  });
});

describe('readSafetensors: the header parser', () => {
  it('reads tensor names holding quotes, backslashes, braces, brackets and commas, and metadata whose value repeats its key', () => {
    const names = ['a"b', 'c\\d', 'e{f', 'g[h', 'i,j', 'k}l', 'm]n'];
    const header: Record<string, unknown> = { __metadata__: { format: 'format', '{': '}' } };
    names.forEach((name, i) => {
      header[name] = { dtype: 'U8', shape: [1], data_offsets: [i, i + 1] };
    });
    const { tensors, metadata } = readSafetensors(buildFile(header, [1, 2, 3, 4, 5, 6, 7]));
    expect([...tensors.keys()]).toEqual(names);
    expect(names.map((name) => tensors.get(name)!.data[0])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(metadata).toEqual({ format: 'format', '{': '}' });
  });

  it('accepts the same key in two different objects, and refuses one written twice inside a tensor entry', () => {
    // Every entry has its own "dtype", "shape", "data_offsets": no duplicate.
    const two = readSafetensors(buildFile({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, b: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } }, [1, 2]));
    expect(two.tensors.size).toBe(2);
    const error = readError(rawFile('{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1));
    expect(error.message).toContain('the header names "dtype" twice');
    expect(error.details).toEqual({ name: 'dtype' });
    // A duplicate after a nested object closes is still seen in the outer one.
    const outer = readError(rawFile('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"__metadata__":{},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1));
    expect(outer.details).toEqual({ name: 'a' });
  });

  it('keeps an empty tensor out of the overlap and gap checks, wherever it points', () => {
    const file = buildFile(
      {
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        empty: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
        b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
      },
      f32([1, 2]),
    );
    const { tensors } = readSafetensors(file);
    expect(tensors.get('empty')!.shape).toEqual([0]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([2]);
  });

  it('sorts the ranges by start before checking overlaps and gaps (header order is free)', () => {
    const file = buildFile(
      {
        c: { dtype: 'U8', shape: [1], data_offsets: [2, 3] },
        a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
        b: { dtype: 'U8', shape: [1], data_offsets: [1, 2] },
      },
      [10, 20, 30],
    );
    const { tensors } = readSafetensors(file);
    expect(['a', 'b', 'c'].map((name) => tensors.get(name)!.data[0])).toEqual([10, 20, 30]);
  });
});

describe('SAFETENSORS_FORMAT_HINT', () => {
  it('describes the container and lists every dtype with its size', () => {
    expect(SAFETENSORS_FORMAT_HINT).toBe(
      'A valid safetensors file is: 8 bytes holding the header length N (u64, little-endian), then N bytes of ' +
        'UTF-8 JSON such as {"conv1.weight": {"dtype": "F32", "shape": [64, 3, 7, 7], "data_offsets": [0, 37632]}, ' +
        '"__metadata__": {"format": "pt"}}, then the tensor bytes; offsets are relative to the end of the header, ' +
        'do not overlap, and end - begin = product(shape) * bytes per element ' +
        '(F64 8, F32 4, F16 2, BF16 2, F8_E5M2 1, F8_E4M3 1, I64 8, I32 4, I16 2, I8 1, U64 8, U32 4, U16 2, U8 1, BOOL 1).',
    );
    expect(readError(new Uint8Array(3)).message.endsWith(SAFETENSORS_FORMAT_HINT)).toBe(true);
  });
});

describe('readSafetensors: error details', () => {
  it('a truncated length field: byteLength; exactly 8 bytes is a length field with an empty header', () => {
    expect(readError(new Uint8Array(7)).details).toEqual({ byteLength: 7 });
    expect(readError(new Uint8Array(8)).message).toContain('the header is not valid JSON');
    expect(readError(new Uint8Array(0)).message).toContain('the file is 0 bytes long');
  });

  it('a header length one byte beyond the file: INVALID_FILE with both lengths', () => {
    // 8 + 4 bytes: the field says 5, 4 follow.
    const file = new Uint8Array(12);
    file[0] = 5;
    const error = readError(file);
    expect(error.message).toContain('the header length field says 5 bytes but only 4 bytes follow it (the file is truncated, or it is not a safetensors file).');
    expect(error.details).toEqual({ headerLength: 5, byteLength: 12 });
  });

  it('a header length of exactly the 100 MB cap is not LIMIT_EXCEEDED, one more is; the high 32 bits count', () => {
    const atCap = new Uint8Array(16);
    new DataView(atCap.buffer).setUint32(0, 100_000_000, true);
    expect(readError(atCap).details).toEqual({ headerLength: 100_000_000, byteLength: 16 });
    const above = new Uint8Array(16);
    new DataView(above.buffer).setUint32(0, 100_000_001, true);
    const error = thrownBy(above);
    expect(error.code).toBe(ErrorCodes.LIMIT_EXCEEDED);
    expect(error.message).toBe(
      'Invalid safetensors file: the header length field says 100000001 bytes, above the 100000000-byte cap ' +
        '(the safetensors reference implementation refuses the same); a real header is a few hundred KB at most',
    );
    expect(error.details).toEqual({ limit: 'safetensorsHeaderBytes', bound: 100_000_000, value: 100_000_001 });
    // Bytes 4..7 are the high word: 1 there is 2^32.
    const high = new Uint8Array(16);
    high[4] = 1;
    expect(thrownBy(high).details).toEqual({ limit: 'safetensorsHeaderBytes', bound: 100_000_000, value: 2 ** 32 });
  });

  it('a header that is JSON but not an object says what it is', () => {
    expect(readError(buildFile('null')).message).toContain('must be a JSON object, got null');
    expect(readError(buildFile('"pt"')).message).toContain('must be a JSON object, got string "pt"');
    expect(readError(buildFile('7')).message).toContain('must be a JSON object, got number 7');
    // Only the first 60 characters of a long header are quoted.
    const long = readError(buildFile(`{"${'a'.repeat(70)}": 1,}`));
    expect(long.message).toContain(`it starts with "{\\"${'a'.repeat(58)}".`);
    const invalid = readError(buildFile('{"w": 1,}'));
    expect(invalid.message).toMatch(/the header is not valid JSON \(.+\); it starts with "\{\\"w\\": 1,\}"/);
  });

  it('a tensor entry or metadata that is not an object, and metadata values that are not strings', () => {
    const entry = readError(buildFile({ w: null }));
    expect(entry.message).toContain('the header entry "w" must be an object with dtype, shape and data_offsets, got null');
    expect(entry.details).toEqual({ name: 'w' });
    expect(readError(buildFile({ w: [1] })).message).toContain('"w" must be an object with dtype, shape and data_offsets, got an array');
    expect(readError(buildFile({ __metadata__: null })).message).toContain('"__metadata__" must be an object of strings, got null');
    expect(readError(buildFile({ __metadata__: 'pt' })).message).toContain('"__metadata__" must be an object of strings, got string "pt"');
    expect(readError(buildFile({ __metadata__: { a: 'x', b: null } })).message).toContain('"__metadata__"."b" must be a string, got null');
  });

  it('something that is not bytes is named by its kind', () => {
    const of = (value: unknown) => readError(value as Uint8Array).message;
    expect(of(new ArrayBuffer(8))).toContain("expected the file's bytes as a Uint8Array, got ArrayBuffer");
    expect(of([1, 2])).toContain('got an array');
    expect(of(Object.create(null))).toContain('got an object');
    expect(of(undefined)).toContain('got undefined undefined');
  });

  it('bad dtype, shape and offsets carry the name and the bad value', () => {
    const entry = (value: Record<string, unknown>) => readError(buildFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...value } }, f32([1, 2])));
    expect(entry({ dtype: 'f32' }).details).toEqual({ name: 'w', dtype: 'f32' });
    expect(entry({ dtype: 'toString' }).message).toContain('"w" has unknown dtype "toString"');
    expect(entry({ dtype: undefined }).message).toContain('"w" has unknown dtype undefined');
    for (const shape of [2, [-1], [2 ** 53], ['2'], null]) {
      const error = entry({ shape });
      expect(error.message).toContain(`"w" has shape ${JSON.stringify(shape)}; a shape is a list of non-negative integers`);
      expect(error.details).toEqual({ name: 'w', shape });
    }
    for (const offsets of [[0, 8, 8], [0.5, 8], [-1, 8], '0,8', [0, '8']]) {
      const error = entry({ data_offsets: offsets });
      expect(error.message).toContain(`"w" has data_offsets ${JSON.stringify(offsets)}; data_offsets is [begin, end], two non-negative integers`);
      expect(error.details).toEqual({ name: 'w', offsets });
    }
    const beyond = entry({ data_offsets: [4, 12] });
    expect(beyond.message).toContain('"w" has data_offsets [4, 12], outside the 8-byte data buffer (the file is truncated, or the offsets are wrong)');
    expect(beyond.details).toEqual({ name: 'w', offsets: [4, 12], bufferLength: 8 });
    // An empty range past the end is out of range too, not "begin after end".
    expect(entry({ shape: [0], data_offsets: [12, 12] }).message).toContain('"w" has data_offsets [12, 12], outside the 8-byte data buffer (the file is truncated');
    expect(entry({ shape: [1], data_offsets: [2, 8] }).message).toContain('"w" spans 6 bytes [2, 8) but shape [1] of F32 needs 1 x 4 = 4 bytes');
    expect(entry({ data_offsets: [8, 0] }).message).toContain('"w" has data_offsets [8, 0], outside the 8-byte data buffer (begin after end)');
    const span = entry({ shape: [1, 3] });
    expect(span.message).toContain('"w" spans 8 bytes [0, 8) but shape [1, 3] of F32 needs 3 x 4 = 12 bytes');
    expect(span.details).toEqual({ name: 'w', offsets: [0, 8], shape: [1, 3], dtype: 'F32' });
  });

  it('a tensor of exactly the element limit is checked against its bytes, one more is LIMIT_EXCEEDED', () => {
    const atLimit = `{"a":{"dtype":"U8","shape":[${2 ** 28}],"data_offsets":[0,${2 ** 28}]}}`;
    expect(readError(rawFile(atLimit, 0)).message).toContain('outside the 0-byte data buffer');
    const error = thrownBy(rawFile(`{"a":{"dtype":"U8","shape":[${2 ** 14}, ${2 ** 14 + 1}],"data_offsets":[0,1]}}`, 0));
    expect(error.code).toBe(ErrorCodes.LIMIT_EXCEEDED);
    expect(error.message).toContain('safetensors tensor "a" (elements of shape [16384, 16385])');
  });

  it('overlaps, gaps and trailing bytes name the tensors and counts', () => {
    const overlap = readError(
      buildFile(
        { b: { dtype: 'U8', shape: [2], data_offsets: [1, 3] }, a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } },
        [1, 2, 3],
      ),
    );
    expect(overlap.message).toContain('the data of "b" [1, 3) overlaps the data of "a" [0, 2)');
    expect(overlap.details).toEqual({ names: ['a', 'b'] });
    const gap = readError(buildFile({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, b: { dtype: 'U8', shape: [1], data_offsets: [3, 4] } }, [1, 2, 3, 4]));
    expect(gap.message).toContain('the data buffer has 2 unused bytes before "b" [3, 4); tensors are packed with no gaps');
    expect(gap.details).toEqual({ name: 'b' });
    const trailing = readError(buildFile({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, [1, 2, 3]));
    expect(trailing.message).toContain("the file has 2 trailing bytes after the last tensor's data (ends at 1 of 3)");
    expect(trailing.details).toEqual({ trailingBytes: 2 });
    // No tensors at all and 3 data bytes: all 3 are trailing.
    expect(readError(buildFile({}, [1, 2, 3])).details).toEqual({ trailingBytes: 3 });
  });
});
