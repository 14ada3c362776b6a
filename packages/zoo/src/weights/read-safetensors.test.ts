import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './read-safetensors.js';

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
