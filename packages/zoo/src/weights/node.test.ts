import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSafetensorsFile, writeSafetensorsFile } from './node.js';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'attnkit-weights-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const weights = () => new Map([['layer1.0.eca.conv.weight', { shape: [1, 1, 3], data: Float32Array.of(0.2, -0.5, 0.3) }]]);

describe('safetensors files (Node)', () => {
  it('writes a file and reads it back, leaving no temporary file behind', async () => {
    const path = join(folder, 'eca.safetensors');
    await writeSafetensorsFile(path, weights(), { metadata: { format: 'pt' }, dtype: 'F32' });
    expect(await readdir(folder)).toEqual(['eca.safetensors']);
    const { tensors, metadata } = await readSafetensorsFile(path);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Array.from(tensors.get('layer1.0.eca.conv.weight')!.data)).toEqual([0.2, -0.5, 0.3].map(Math.fround));
  });

  it('replaces an existing file whole, and leaves it untouched when serialization fails', async () => {
    const path = join(folder, 'model.safetensors');
    await writeFile(path, 'previous contents');
    const bad = new Map([['w', { shape: [4], data: new Float32Array(3) }]]);
    await expect(writeSafetensorsFile(path, bad)).rejects.toMatchObject({ code: ErrorCodes.SHAPE_MISMATCH });
    expect(await readFile(path, 'utf8')).toBe('previous contents');
    expect(await readdir(folder)).toEqual(['model.safetensors']);
    await writeSafetensorsFile(path, weights());
    expect((await readSafetensorsFile(path)).tensors.size).toBe(1);
  });

  it('creates a missing folder, as every attnkit writer does', async () => {
    const path = join(folder, 'missing', 'model.safetensors');
    await writeSafetensorsFile(path, weights());
    expect(await readdir(join(folder, 'missing'))).toEqual(['model.safetensors']);
  });

  it('refuses a device file or a folder before reading it (no endless read)', async () => {
    await expect(readSafetensorsFile('/dev/zero')).rejects.toMatchObject({ code: ErrorCodes.INVALID_FILE, details: { path: '/dev/zero' } });
    await expect(readSafetensorsFile(folder)).rejects.toMatchObject({ code: ErrorCodes.INVALID_FILE });
  });

  it('names the path in read errors', async () => {
    const missing = join(folder, 'nope.safetensors');
    await expect(readSafetensorsFile(missing)).rejects.toMatchObject({ code: ErrorCodes.INVALID_FILE, details: { path: missing } });
    const corrupt = join(folder, 'corrupt.safetensors');
    await writeFile(corrupt, new Uint8Array([1, 2, 3]));
    const error = await readSafetensorsFile(corrupt).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).message).toContain(`${corrupt}: Invalid safetensors file: the file is 3 bytes long`);
  });
});
