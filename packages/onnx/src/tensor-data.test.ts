import { ErrorCodes } from '@attnkit/core';
import { describe, expect, test } from 'vitest';
import { DataType } from './onnx-model.js';
import { tensorFromFloat32, tensorFromInt64, tensorToFloat32, tensorToIntegers } from './tensor-data.js';

describe('tensor data', () => {
  test('tensorFromFloat32 writes little-endian IEEE 754 raw_data', () => {
    const tensor = tensorFromFloat32('w', [2], Float32Array.of(1, -2));
    // 1.0 = 0x3f800000, -2.0 = 0xc0000000, least significant byte first.
    expect([...tensor.rawData!]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
    expect(tensorToFloat32(tensor)).toEqual(Float32Array.of(1, -2));
  });

  test('tensorToFloat32 reads float_data, double_data, float16 and int64', () => {
    expect(tensorToFloat32({ name: 'a', dataType: DataType.FLOAT, dims: [3], floatData: [0.5, 1, -3] })).toEqual(Float32Array.of(0.5, 1, -3));
    expect(tensorToFloat32({ name: 'b', dataType: DataType.DOUBLE, dims: [1], doubleData: [0.25] })).toEqual(Float32Array.of(0.25));
    // float16 bits: 0x3c00 = 1, 0xc000 = -2, 0x3555 = 0.333251953125, 0x0001 = 2^-24 (smallest subnormal).
    const half = { name: 'h', dataType: DataType.FLOAT16, dims: [4], rawData: Uint8Array.of(0x00, 0x3c, 0x00, 0xc0, 0x55, 0x35, 0x01, 0x00) };
    expect(tensorToFloat32(half)).toEqual(Float32Array.of(1, -2, 0.333251953125, 2 ** -24));
    expect(tensorToFloat32(tensorFromInt64('shape', [2], [1, -1]))).toEqual(Float32Array.of(1, -1));
  });

  test('tensorToIntegers reads int64 raw_data and int64_data exactly', () => {
    const shape = tensorFromInt64('shape', [4], [1, -1, 2 ** 40, 0]);
    expect(shape.rawData!.length).toBe(32);
    expect(tensorToIntegers(shape)).toEqual([1, -1, 2 ** 40, 0]);
    expect(tensorToIntegers({ name: 'axes', dataType: DataType.INT64, dims: [2], int64Data: [2, 3] })).toEqual([2, 3]);
    expect(tensorToIntegers({ name: 'scalar', dataType: DataType.INT32, dims: [], int32Data: [7] })).toEqual([7]);
  });

  test('a raw_data of the wrong size is INVALID_FILE, external data and strings are UNSUPPORTED', () => {
    expect(() => tensorToFloat32({ name: 'w', dataType: DataType.FLOAT, dims: [3], rawData: new Uint8Array(8) })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_FILE, message: expect.stringMatching(/raw_data has 8 bytes, expected 12/) }),
    );
    const external = { name: 'w', dataType: DataType.FLOAT, dims: [3], dataLocation: 'external' as const, externalData: [{ key: 'location', value: 'w.bin' }] };
    expect(() => tensorToFloat32(external)).toThrow(expect.objectContaining({ code: ErrorCodes.UNSUPPORTED, message: expect.stringMatching(/'w\.bin'/) }));
    expect(() => tensorToIntegers({ name: 's', dataType: DataType.STRING, dims: [1], stringData: [new Uint8Array(1)] })).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNSUPPORTED }),
    );
    expect(() => tensorFromFloat32('w', [2, 2], new Float32Array(3))).toThrow(expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH }));
  });
});
