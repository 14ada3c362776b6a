import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
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
