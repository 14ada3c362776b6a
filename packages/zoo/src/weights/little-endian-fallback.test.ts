/**
 * The element loops that run where typed arrays are big-endian: this file pretends to be on such
 * a platform (LITTLE_ENDIAN_PLATFORM false), so the loops are checked on the little-endian
 * hosts the tests run on. They must give the same bytes and values as the typed-array fast paths.
 */
import type { Tensor } from '@attnkit/core';
import { describe, expect, it, vi } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import { writeSafetensors } from './write-safetensors.js';

vi.mock('./safetensors-format.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./safetensors-format.js')>()),
  LITTLE_ENDIAN_PLATFORM: false,
}));

const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });

describe('without the little-endian fast paths', () => {
  it('writes F32 element by element, little-endian, one tensor after another', () => {
    const bytes = writeSafetensors({ a: t([2], [1, -2]), b: t([1], [0.5]) });
    // Header {"a":...[0,8]},"b":...[8,12]}} is 107 characters, padded to 112.
    expect(Array.from(bytes.subarray(0, 8))).toEqual([112, 0, 0, 0, 0, 0, 0, 0]);
    // 1 = 0x3F800000, -2 = 0xC0000000, 0.5 = 0x3F000000.
    expect(Array.from(bytes.subarray(120))).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x3f]);
  });

  it('reads F32 element by element, also from an unaligned view', () => {
    const bytes = writeSafetensors({ a: t([2], [1, -2]), b: t([3], [0.5, 3, -0]) });
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    for (const view of [bytes, shifted.subarray(1)]) {
      const { tensors } = readSafetensors(view);
      expect(Array.from(tensors.get('a')!.data)).toEqual([1, -2]);
      expect(Array.from(tensors.get('b')!.data)).toEqual([0.5, 3, -0]);
      expect(tensors.get('b')!.data).toHaveLength(3);
    }
  });
});
