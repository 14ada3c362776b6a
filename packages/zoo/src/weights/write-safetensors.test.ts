import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToBfloat16, float32ToFloat16, bfloat16ToFloat32 } from '@attnkit/core';
import { readSafetensors } from './read-safetensors.js';
import { writeSafetensors } from './write-safetensors.js';

const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });

function headerOf(bytes: Uint8Array): { length: number; text: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  return { length, text: new TextDecoder().decode(bytes.subarray(8, 8 + length)) };
}

describe('writeSafetensors', () => {
  it('writes the exact bytes of the reference implementation: sorted names, compact JSON padded with spaces to 8', () => {
    const bytes = writeSafetensors({ b: t([1], [2]), a: t([1], [1]) });
    const json = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const { length, text } = headerOf(bytes);
    expect(json.length).toBe(107);
    expect(length).toBe(112); // 107 rounded up to a multiple of 8
    expect(text).toBe(`${json}     `);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([112, 0, 0, 0, 0, 0, 0, 0]);
    // 1.0f = 0x3f800000 and 2.0f = 0x40000000, little-endian.
    expect(Array.from(bytes.subarray(120))).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40]);
    expect(bytes.length).toBe(128);
  });

  it('writes __metadata__ first and reads it back', () => {
    const bytes = writeSafetensors(new Map([['w', t([2], [1, 2])]]), { metadata: { format: 'pt', source: 'attnkit' } });
    expect(headerOf(bytes).text.startsWith('{"__metadata__":{"format":"pt","source":"attnkit"},"w":')).toBe(true);
    expect(readSafetensors(bytes).metadata).toEqual({ format: 'pt', source: 'attnkit' });
  });

  it('round-trips F32 bit-exactly, including -0, infinities, NaN and float32 subnormals', () => {
    const values = [0, -0, 1.5, -3.25, 1e-45, 3.4028234663852886e38, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
    const source = new Map([
      ['layer1.0.conv1.weight', t([3, 3], values)],
      ['fc.bias', t([2], [0.1, 0.2])],
      ['scalar', t([], [7])],
      ['empty', t([0], [])],
    ]);
    const { tensors, dtypes } = readSafetensors(writeSafetensors(source));
    expect([...tensors.keys()]).toEqual(['empty', 'fc.bias', 'layer1.0.conv1.weight', 'scalar']);
    for (const [name, value] of source) {
      expect(tensors.get(name)!.shape).toEqual(value.shape);
      expect(new Uint32Array(tensors.get(name)!.data.buffer)).toEqual(new Uint32Array(value.data.buffer));
      expect(dtypes.get(name)).toBe('F32');
    }
  });

  it('round-trips F16: 1 is stored as 0x3C00, -2 as 0xC000, other values rounded to nearest even', () => {
    const values = [1, -2, 2 ** -24, 65504, 0.1, 1 / 3, 70000, Number.NaN];
    const bytes = writeSafetensors({ w: t([8], values) }, { dtype: 'F16' });
    const dataStart = 8 + headerOf(bytes).length;
    const stored = new DataView(bytes.buffer, dataStart);
    expect(stored.getUint16(0, true)).toBe(0x3c00);
    expect(stored.getUint16(2, true)).toBe(0xc000);
    expect(stored.getUint16(4, true)).toBe(0x0001);
    expect(bytes.length - dataStart).toBe(16);
    const { tensors, dtypes } = readSafetensors(bytes);
    expect(dtypes.get('w')).toBe('F16');
    const read = Array.from(tensors.get('w')!.data);
    expect(read.slice(0, 4)).toEqual([1, -2, 2 ** -24, 65504]);
    expect(read[4]).toBe(0.0999755859375); // 0x2E66
    expect(read[5]).toBe(0.333251953125); // 0x3555
    expect(read[6]).toBe(Number.POSITIVE_INFINITY); // beyond 65504 + half a step
    expect(read[7]).toBeNaN();
    for (let i = 0; i < 7; i++) expect(read[i]).toBe(float16ToFloat32(float32ToFloat16(values[i])));
  });

  it('round-trips BF16: 1 is stored as 0x3F80, other values rounded to nearest even', () => {
    const values = [1, -2, 0.1, 1 / 3, 3e38, 1e-40];
    const bytes = writeSafetensors({ w: t([2, 3], values) }, { dtype: 'BF16' });
    const stored = new DataView(bytes.buffer, 8 + headerOf(bytes).length);
    expect(stored.getUint16(0, true)).toBe(0x3f80);
    expect(stored.getUint16(4, true)).toBe(0x3dcd);
    const { tensors, dtypes } = readSafetensors(bytes);
    expect(dtypes.get('w')).toBe('BF16');
    expect(tensors.get('w')!.shape).toEqual([2, 3]);
    const read = Array.from(tensors.get('w')!.data);
    expect(read.slice(0, 3)).toEqual([1, -2, 0.10009765625]);
    for (let i = 0; i < values.length; i++) expect(read[i]).toBe(bfloat16ToFloat32(float32ToBfloat16(values[i])));
  });

  it('validates its input', () => {
    const attempt = (run: () => unknown, code: string, text: string) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(AttnkitError);
        expect((error as AttnkitError).code).toBe(code);
        expect((error as AttnkitError).message).toContain(text);
        return;
      }
      throw new Error('expected an error');
    };
    attempt(() => writeSafetensors({ w: t([1], [1]) }, { dtype: 'F64' as 'F32' }), ErrorCodes.INVALID_OPTION, 'dtype must be one of F32, F16, BF16');
    attempt(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }), ErrorCodes.SHAPE_MISMATCH, 'shape [2, 2] (4 values) but 3 values');
    attempt(() => writeSafetensors({ __metadata__: t([1], [1]) }), ErrorCodes.INVALID_OPTION, 'reserved');
    attempt(() => writeSafetensors({ w: t([1], [1]) }, { metadata: { epochs: 90 as unknown as string } }), ErrorCodes.INVALID_OPTION, 'metadata.epochs must be a string');
    attempt(() => writeSafetensors({ w: { shape: [2], data: [1, 2] as unknown as Float32Array } }), ErrorCodes.INVALID_OPTION, 'must be { shape: number[], data: Float32Array }');
  });
});


describe('writeSafetensors: header bytes and layout', () => {
  it('adds no padding to a header that is already a multiple of 8 bytes', () => {
    // {"abc":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} is 56 = 7 x 8 characters.
    const bytes = writeSafetensors({ abc: t([1], [1]) });
    const json = '{"abc":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(json.length).toBe(56);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([56, 0, 0, 0, 0, 0, 0, 0]);
    expect(headerOf(bytes).text).toBe(json);
    expect(bytes.length).toBe(8 + 56 + 4);
    // Metadata only, no tensors: {"__metadata__":{"format":"pt"}} is 32 bytes, no data.
    const empty = writeSafetensors({}, { metadata: { format: 'pt' } });
    expect(Array.from(empty)).toEqual([32, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{"__metadata__":{"format":"pt"}}')]);
    expect(Array.from(writeSafetensors(new Map()))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]);
  });

  it('orders names by UTF-16 code units (upper case before lower case, "10" before "9"), whatever the input order', () => {
    const names = ['d', 'b', 'layer9', 'B', 'e', 'layer10', 'a', 'c'];
    const source = Object.fromEntries(names.map((name, i) => [name, t([1], [i])]));
    const { tensors } = readSafetensors(writeSafetensors(source));
    expect([...tensors.keys()]).toEqual(['B', 'a', 'b', 'c', 'd', 'e', 'layer10', 'layer9']);
    // Each value stayed with its name: 'B' was written at index 3.
    expect(Array.from(tensors.get('B')!.data)).toEqual([3]);
    expect(Array.from(tensors.get('layer10')!.data)).toEqual([5]);
  });

  it('places 16-bit tensors one after another: F16 data_offsets [0, 4], [4, 10]', () => {
    const bytes = writeSafetensors({ a: t([2], [1, 2]), b: t([3], [-1, 0.5, 4]) }, { dtype: 'F16' });
    const { text, length } = headerOf(bytes);
    expect(text.trimEnd()).toBe('{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[3],"data_offsets":[4,10]}}');
    // 1 = 0x3C00, 2 = 0x4000, -1 = 0xBC00, 0.5 = 0x3800, 4 = 0x4400, little-endian.
    expect(Array.from(bytes.subarray(8 + length))).toEqual([0x00, 0x3c, 0x00, 0x40, 0x00, 0xbc, 0x00, 0x38, 0x00, 0x44]);
    const bf16 = writeSafetensors({ a: t([2], [1, 2]), b: t([1], [-1]) }, { dtype: 'BF16' });
    // 1 = 0x3F80, 2 = 0x4000, -1 = 0xBF80.
    expect(Array.from(bf16.subarray(8 + headerOf(bf16).length))).toEqual([0x80, 0x3f, 0x00, 0x40, 0x80, 0xbf]);
  });

  it('writes F32 data from a view at an offset of a larger buffer', () => {
    const backing = Float32Array.of(9, 1, 2, 9);
    const bytes = writeSafetensors({ w: { shape: [2], data: backing.subarray(1, 3) } });
    expect(Array.from(bytes.subarray(8 + headerOf(bytes).length))).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40]);
  });

  it('copies the metadata it is given', () => {
    const metadata = { format: 'pt' };
    const bytes = writeSafetensors({}, { metadata });
    metadata.format = 'changed';
    expect(readSafetensors(bytes).metadata).toEqual({ format: 'pt' });
  });
});

describe('writeSafetensors: refusals with their details', () => {
  it('a dtype it cannot write', () => {
    const error = thrownAttnkitError(() => writeSafetensors({}, { dtype: 'I64' as 'F32' }));
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(error.message).toBe('dtype must be one of F32, F16, BF16, got "I64"');
    expect(error.details).toEqual({ path: 'dtype', allowed: ['F32', 'F16', 'BF16'] });
  });

  it('metadata that is not an object of strings', () => {
    for (const metadata of [null, ['pt'], 'pt']) {
      const error = thrownAttnkitError(() => writeSafetensors({}, { metadata: metadata as unknown as Record<string, string> }));
      expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
      expect(error.message).toBe('metadata must be an object of strings, e.g. { format: "pt" }');
      expect(error.details).toEqual({ path: 'metadata' });
    }
    const value = thrownAttnkitError(() => writeSafetensors({}, { metadata: { format: 'pt', epochs: 90 as unknown as string } }));
    expect(value.message).toBe('metadata.epochs must be a string (safetensors metadata maps strings to strings), got number');
    expect(value.details).toEqual({ path: 'metadata.epochs' });
  });

  it('a reserved or malformed tensor', () => {
    const empty = thrownAttnkitError(() => writeSafetensors({ '': t([1], [1]) }));
    expect(empty.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(empty.message).toBe('a tensor cannot be named "" (the empty name and "__metadata__" are reserved)');
    expect(empty.details).toEqual({ path: 'tensors', name: '' });
    expect(thrownAttnkitError(() => writeSafetensors({ __metadata__: t([1], [1]) })).details).toEqual({ path: 'tensors', name: '__metadata__' });
    for (const value of [null, undefined, 3, { shape: [1], data: [1] }, { shape: 1, data: Float32Array.of(1) }]) {
      const error = thrownAttnkitError(() => writeSafetensors({ w: value as unknown as Tensor }));
      expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
      expect(error.message).toBe('tensor "w" must be { shape: number[], data: Float32Array }');
      expect(error.details).toEqual({ path: 'tensors.w' });
    }
    for (const shape of [[-1], [2, 0.5], [2 ** 53]]) {
      const error = thrownAttnkitError(() => writeSafetensors({ w: { shape, data: new Float32Array(0) } }));
      expect(error.code).toBe(ErrorCodes.SHAPE_MISMATCH);
      expect(error.message).toBe(`tensor "w" has shape [${shape.join(', ')}]; dimensions must be non-negative integers`);
      expect(error.details).toEqual({ name: 'w', shape });
    }
    const size = thrownAttnkitError(() => writeSafetensors({ w: { shape: [2, 3], data: new Float32Array(5) } }));
    expect(size.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(size.message).toBe('tensor "w" has shape [2, 3] (6 values) but 5 values of data');
    expect(size.details).toEqual({ name: 'w', shape: [2, 3], length: 5 });
  });
});
