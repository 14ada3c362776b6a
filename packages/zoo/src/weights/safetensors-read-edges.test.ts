import { endianness } from 'node:os';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import { LITTLE_ENDIAN_PLATFORM, SAFETENSORS_FORMAT_HINT } from './safetensors-format.js';

/** 8-byte little-endian header length (given, or the header's byte length), the header text, then `data`. */
function file(header: string, data: number[] = [], declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, declaredLength ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The AttnkitError `readSafetensors(bytes)` throws, checked to carry `code`. */
function errorOf(bytes: unknown, code: string = ErrorCodes.INVALID_FILE): AttnkitError {
  try {
    readSafetensors(bytes as Uint8Array);
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(code);
    return error as AttnkitError;
  }
  throw new Error('expected readSafetensors to throw');
}

/** The problem part of an INVALID_FILE message (between the prefix and the format hint). */
function problemOf(bytes: unknown): string {
  const { message } = errorOf(bytes);
  expect(message.startsWith('Invalid safetensors file: ')).toBe(true);
  expect(message.endsWith(`. ${SAFETENSORS_FORMAT_HINT}`)).toBe(true);
  return message.slice('Invalid safetensors file: '.length, -`. ${SAFETENSORS_FORMAT_HINT}`.length);
}

const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
const json = (header: unknown) => JSON.stringify(header);

describe('readSafetensors edge cases', () => {
  it('ends every INVALID_FILE message with the format hint, whose dtype sizes are the safetensors ones', () => {
    expect(errorOf(new Uint8Array(5)).message).toBe(
      'Invalid safetensors file: the file is 5 bytes long, too short to hold the 8-byte header length (truncated?). ' +
        'A valid safetensors file is: 8 bytes holding the header length N (u64, little-endian), then N bytes of ' +
        'UTF-8 JSON such as {"conv1.weight": {"dtype": "F32", "shape": [64, 3, 7, 7], "data_offsets": [0, 37632]}, ' +
        '"__metadata__": {"format": "pt"}}, then the tensor bytes; offsets are relative to the end of the header, ' +
        'do not overlap, and end - begin = product(shape) * bytes per element ' +
        '(F64 8, F32 4, F16 2, BF16 2, F8_E5M2 1, F8_E4M3 1, I64 8, I32 4, I16 2, I8 1, U64 8, U32 4, U16 2, U8 1, BOOL 1).',
    );
    expect(errorOf(new Uint8Array(5)).details).toEqual({ byteLength: 5 });
  });

  it('says whether the platform is little-endian as the OS reports it', () => {
    expect(LITTLE_ENDIAN_PLATFORM).toBe(endianness() === 'LE');
  });

  it('takes an 8-byte file with header length 0 past the length check, to the JSON parse of ""', () => {
    expect(problemOf(new Uint8Array(8))).toMatch(/^the header is not valid JSON \(.*\); it starts with ""$/);
  });

  it('reads the high 32 bits of the header length little-endian, and the cap is exclusive', () => {
    // Bytes 4..7 = 01 00 00 00: the u64 is 2^32 + 7.
    const big = new Uint8Array(16);
    big[0] = 7;
    big[4] = 1;
    const error = errorOf(big, ErrorCodes.LIMIT_EXCEEDED);
    expect(error.message).toBe(
      'Invalid safetensors file: the header length field says 4294967303 bytes, above the 100000000-byte cap ' +
        '(the safetensors reference implementation refuses the same); a real header is a few hundred KB at most',
    );
    expect(error.details).toEqual({ limit: 'safetensorsHeaderBytes', bound: 100_000_000, value: 2 ** 32 + 7 });
    // Exactly at the cap is allowed by the cap; the 16-byte file then cannot hold it.
    const atCap = new Uint8Array(16);
    new DataView(atCap.buffer).setUint32(0, 100_000_000, true);
    expect(problemOf(atCap)).toBe('the header length field says 100000000 bytes but only 8 bytes follow it (the file is truncated, or it is not a safetensors file)');
  });

  it('refuses a header length one to eight bytes beyond the file', () => {
    // 20 bytes: 8 for the length, 12 after it; a declared 13 is one too many.
    const bytes = file('{}', new Array(10).fill(0x20), 13);
    expect(bytes.length).toBe(20);
    expect(problemOf(bytes)).toBe('the header length field says 13 bytes but only 12 bytes follow it (the file is truncated, or it is not a safetensors file)');
    expect(errorOf(bytes).details).toEqual({ headerLength: 13, byteLength: 20 });
  });

  it('quotes only the first 60 characters of a header that is not JSON', () => {
    const text = `{"${'x'.repeat(70)}": oops}`;
    expect(problemOf(file(text))).toMatch(new RegExp(`; it starts with "\\{\\\\"${'x'.repeat(58)}"$`));
  });

  it('names what the header is when it is not an object: null, a number, a string', () => {
    expect(problemOf(file('null'))).toBe('the header must be a JSON object, got null');
    expect(problemOf(file('5'))).toBe('the header must be a JSON object, got number 5');
    expect(problemOf(file('"pt"'))).toBe('the header must be a JSON object, got string "pt"');
  });

  it('names what it got instead of bytes: an ArrayBuffer, an object without a prototype', () => {
    expect(problemOf(new ArrayBuffer(8))).toBe("expected the file's bytes as a Uint8Array, got ArrayBuffer");
    expect(problemOf(Object.create(null))).toBe("expected the file's bytes as a Uint8Array, got an object");
  });

  it('refuses an entry that is null, and gives its name in the details', () => {
    const error = errorOf(file(json({ w: null })));
    expect(error.message).toContain('the header entry "w" must be an object with dtype, shape and data_offsets, got null');
    expect(error.details).toEqual({ name: 'w' });
  });

  it('refuses __metadata__ that is null, a string, or holds an object', () => {
    expect(problemOf(file(json({ __metadata__: null })))).toBe('"__metadata__" must be an object of strings, got null');
    expect(problemOf(file(json({ __metadata__: 'pt' })))).toBe('"__metadata__" must be an object of strings, got string "pt"');
    expect(problemOf(file(json({ __metadata__: { format: {} } })))).toBe('"__metadata__"."format" must be a string, got Object');
  });

  it('reads names with escaped quotes and backslashes, and metadata whose values equal their keys', () => {
    const bytes = file(json({ __metadata__: { pt: 'pt', format: 'format' }, 'a"b\\': entry('U8', [1], [0, 1]), pt: entry('U8', [1], [1, 2]) }), [3, 4]);
    const { tensors, metadata } = readSafetensors(bytes);
    expect(metadata).toEqual({ pt: 'pt', format: 'format' });
    expect([...tensors.keys()]).toEqual(['a"b\\', 'pt']);
    expect(Array.from(tensors.get('a"b\\')!.data)).toEqual([3]);
    expect(Array.from(tensors.get('pt')!.data)).toEqual([4]);
  });

  it('finds a duplicate name that holds an escaped quote', () => {
    const text = '{"a\\"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a\\"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const error = errorOf(file(text, [1]));
    expect(error.message).toContain('the header names "a\\"b" twice; every key appears once');
    expect(error.details).toEqual({ name: 'a"b' });
  });

  it('accepts entries listed out of offset order, and empty tensors at any offset inside the buffer', () => {
    const header = {
      // Sorted by begin, a [0, 1) stays before empty0 [0, 0): an empty range must not count as overlapping it.
      c: entry('U8', [1], [2, 3]),
      a: entry('U8', [1], [0, 1]),
      empty0: entry('U8', [0], [0, 0]),
      b: entry('U8', [1], [1, 2]),
      emptyEnd: entry('F32', [2, 0], [3, 3]),
    };
    const { tensors } = readSafetensors(file(json(header), [10, 11, 12]));
    expect(Array.from(tensors.get('a')!.data)).toEqual([10]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([11]);
    expect(Array.from(tensors.get('c')!.data)).toEqual([12]);
    expect(tensors.get('empty0')!.data.length).toBe(0);
    expect(tensors.get('emptyEnd')!.shape).toEqual([2, 0]);
  });

  it('reports overlaps, gaps and trailing bytes with their names and counts', () => {
    const overlap = errorOf(file(json({ b: entry('U8', [2], [1, 3]), a: entry('U8', [2], [0, 2]) }), [1, 2, 3]));
    expect(overlap.message).toContain('the data of "b" [1, 3) overlaps the data of "a" [0, 2)');
    expect(overlap.details).toEqual({ names: ['a', 'b'] });
    // a covers [0, 4); b starts at 8: 4 unused bytes (8 - 4) before b.
    const gap = errorOf(file(json({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }), new Array(12).fill(0)));
    expect(gap.message).toContain('the data buffer has 4 unused bytes before "b" [8, 12); tensors are packed with no gaps');
    expect(gap.details).toEqual({ name: 'b' });
    // a covers [0, 4) of a 6-byte buffer: 2 trailing bytes.
    const trailing = errorOf(file(json({ a: entry('F32', [1], [0, 4]) }), new Array(6).fill(0)));
    expect(trailing.message).toContain('the file has 2 trailing bytes after the last tensor\'s data (ends at 4 of 6)');
    expect(trailing.details).toEqual({ trailingBytes: 2 });
  });

  it('refuses negative or fractional shapes and offsets, with the name and value in the details', () => {
    const negativeShape = errorOf(file(json({ w: entry('F32', [-1], [0, 4]) }), [0, 0, 0, 0]));
    expect(negativeShape.message).toContain('"w" has shape [-1]; a shape is a list of non-negative integers such as [64, 3, 7, 7]');
    expect(negativeShape.details).toEqual({ name: 'w', shape: [-1] });
    const negativeOffset = errorOf(file(json({ w: entry('F32', [2], [-1, 8]) }), new Array(8).fill(0)));
    expect(negativeOffset.message).toContain('"w" has data_offsets [-1,8]; data_offsets is [begin, end], two non-negative integers');
    expect(negativeOffset.details).toEqual({ name: 'w', offsets: [-1, 8] });
  });

  it('says the file is truncated when offsets pass the end with begin = end', () => {
    const error = errorOf(file(json({ w: entry('F32', [0], [12, 12]) }), new Array(8).fill(0)));
    expect(error.message).toContain('"w" has data_offsets [12, 12], outside the 8-byte data buffer (the file is truncated, or the offsets are wrong).');
    expect(error.details).toEqual({ name: 'w', offsets: [12, 12], bufferLength: 8 });
  });

  it('reports a span that does not match the shape, from a non-zero begin', () => {
    // b is [4, 10): 6 bytes, but shape [1, 2] of F16 is 2 x 2 = 4 bytes.
    const error = errorOf(file(json({ a: entry('F32', [1], [0, 4]), b: entry('F16', [1, 2], [4, 10]) }), new Array(10).fill(0)));
    expect(error.message).toContain('"b" spans 6 bytes [4, 10) but shape [1, 2] of F16 needs 2 x 2 = 4 bytes');
    expect(error.details).toEqual({ name: 'b', offsets: [4, 10], shape: [1, 2], dtype: 'F16' });
  });

  it('names the tensor and its shape when it has too many elements', () => {
    const error = errorOf(file(json({ big: entry('U8', [2 ** 14, 2 ** 14 + 1], [0, 1]) }), [0]), ErrorCodes.LIMIT_EXCEEDED);
    expect(error.message.startsWith(`safetensors tensor "big" (elements of shape [16384, 16385]): ${2 ** 28 + 2 ** 14} is above the limit`)).toBe(true);
  });

  it('decodes F8_E4M3 by hand: sign, bias 7, subnormals fraction x 2^-9, only S.1111.111 is NaN', () => {
    const bits = [0x38, 0x40, 0x3c, 0x3f, 0x78, 0x7e, 0x01, 0x03, 0x84, 0xb8, 0x80, 0x7f, 0xff];
    const expected = [
      1, // 0.0111.000: 2^(7-7)
      2, // 0.1000.000: 2^(8-7)
      1.5, // 0.0111.100: (1 + 4/8) x 2^0
      1.875, // 0.0111.111: (1 + 7/8) x 2^0, not NaN
      256, // 0.1111.000: 2^(15-7), not NaN
      448, // 0.1111.110: (1 + 6/8) x 2^8, the largest finite value
      2 ** -9, // 0.0000.001: 1 x 2^-9
      3 * 2 ** -9, // 0.0000.011
      -(2 ** -7), // 1.0000.100: -4 x 2^-9
      -1, // 1.0111.000
      -0, // 1.0000.000
    ];
    const { tensors } = readSafetensors(file(json({ e: entry('F8_E4M3', [bits.length], [0, bits.length]) }), bits));
    const values = Array.from(tensors.get('e')!.data);
    expect(values.slice(0, expected.length)).toEqual(expected);
    expect(Object.is(values[10], -0)).toBe(true);
    expect(values.slice(expected.length).map(Number.isNaN)).toEqual([true, true]);
  });

  it('decodes every integer width by value: I64, U64, U32, I16, U16 little-endian', () => {
    const bytes = new Uint8Array(16 + 16 + 8 + 4 + 4);
    const view = new DataView(bytes.buffer);
    view.setBigInt64(0, -3n, true);
    view.setBigInt64(8, 5004n, true);
    view.setBigUint64(16, 2n ** 63n, true);
    view.setBigUint64(24, 5n, true);
    view.setUint32(32, 3_000_000_000, true); // 3e9 = 11718750 x 2^8: exact in float32
    view.setUint32(36, 1, true);
    view.setInt16(40, -2, true);
    view.setInt16(42, 300, true);
    view.setUint16(44, 65535, true);
    view.setUint16(46, 2, true);
    const header = {
      i64: entry('I64', [2], [0, 16]),
      u64: entry('U64', [2], [16, 32]),
      u32: entry('U32', [2], [32, 40]),
      i16: entry('I16', [2], [40, 44]),
      u16: entry('U16', [2], [44, 48]),
    };
    const { tensors } = readSafetensors(file(json(header), Array.from(bytes)));
    expect(Array.from(tensors.get('i64')!.data)).toEqual([-3, 5004]);
    expect(Array.from(tensors.get('u64')!.data)).toEqual([2 ** 63, 5]);
    expect(Array.from(tensors.get('u32')!.data)).toEqual([3_000_000_000, 1]);
    expect(Array.from(tensors.get('i16')!.data)).toEqual([-2, 300]);
    expect(Array.from(tensors.get('u16')!.data)).toEqual([65535, 2]);
  });
});
