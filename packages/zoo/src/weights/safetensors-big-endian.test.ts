import { describe, expect, it, vi } from 'vitest';
import { readSafetensors } from './read-safetensors.js';
import { writeSafetensors } from './write-safetensors.js';

// The portable paths for a big-endian host (every host today is little-endian, where F32 data
// is copied as-is): the same bytes must come out element by element through a DataView.
vi.mock('./safetensors-format.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./safetensors-format.js')>()),
  LITTLE_ENDIAN_PLATFORM: false,
}));

describe('safetensors F32 on a big-endian host', () => {
  it('writes F32 little-endian element by element and reads it back', () => {
    const bytes = writeSafetensors({ w: { shape: [3], data: Float32Array.from([1, -2, 0.5]) } });
    // Header {"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}} is 55 bytes, padded to 56.
    expect(bytes.length).toBe(8 + 56 + 12);
    // 1 = 0x3f800000, -2 = 0xc0000000, 0.5 = 0x3f000000, least significant byte first.
    expect(Array.from(bytes.subarray(64))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f]);
    const { tensors } = readSafetensors(bytes);
    expect(Array.from(tensors.get('w')!.data)).toEqual([1, -2, 0.5]);
  });
});
