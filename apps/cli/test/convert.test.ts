import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPth, readSafetensors } from '@attnkit/zoo';
import { afterAll, describe, expect, it } from 'vitest';
import { convertWeights } from '../src/commands/convert.js';
import { rejection } from './test-support.js';

const FIXTURES = fileURLToPath(new URL('../../../tools/golden/fixtures/pth/', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'attnkit-convert-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('attnkit convert', () => {
  it.each(['state_dict_zip.pth', 'state_dict_legacy.pth'])('%s -> safetensors holding the same tensors, values and shapes', async (file) => {
    const out = join(directory, `${file}.safetensors`);
    const result = await convertWeights(`${FIXTURES}${file}`, { out });
    const source = readPth(new Uint8Array(readFileSync(`${FIXTURES}${file}`)));
    const written = readSafetensors(new Uint8Array(readFileSync(out)));
    expect(result).toMatchObject({ inputFormat: file.includes('zip') ? 'pth-zip' : 'pth-legacy', output: out, dtype: 'F32', tensors: 12 });
    expect(written.metadata).toMatchObject({ format: 'pt', source: file });
    expect([...written.tensors.keys()].sort()).toEqual([...source.tensors.keys()].sort());
    for (const [name, tensor] of source.tensors) {
      expect(written.tensors.get(name)!.shape, name).toEqual(tensor.shape);
      expect([...written.tensors.get(name)!.data], name).toEqual([...tensor.data]);
    }
  });

  it('a nested checkpoint: the state dict entry, named in the result and the metadata; --dtype F16', async () => {
    const out = join(directory, 'nested.safetensors');
    const result = await convertWeights(`${FIXTURES}checkpoint_nested.pth.tar`, { out, dtype: 'f16' });
    expect([result.stateDictKey, result.dtype]).toEqual(['state_dict', 'F16']);
    const written = readSafetensors(new Uint8Array(readFileSync(out)));
    expect(written.metadata.state_dict_key).toBe('state_dict');
    expect(written.dtypes.get('module.half.weight')).toBe('F16');
  });

  it('refuses the malicious checkpoint and writes nothing', async () => {
    const out = join(directory, 'x.safetensors');
    const before = readdirSync(directory);
    const error = await rejection(convertWeights(`${FIXTURES}malicious.pth`, { out }));
    expect(error.code).toBe('INVALID_FILE');
    expect(error.details.global).toBe('posix.system');
    expect(readdirSync(directory)).toEqual(before);
    expect(existsSync(out)).toBe(false);
  });

  it('bad options: no -o, an unknown dtype, a missing file', async () => {
    expect((await rejection(convertWeights(`${FIXTURES}state_dict_zip.pth`, {}))).code).toBe('INVALID_OPTION');
    const dtype = await rejection(convertWeights(`${FIXTURES}state_dict_zip.pth`, { out: join(directory, 'y.safetensors'), dtype: 'F8' }));
    expect(dtype.message).toContain("--dtype must be one of F32, F16, BF16, got 'F8'");
    expect((await rejection(convertWeights(join(directory, 'nope.pth'), { out: join(directory, 'z.safetensors') }))).code).toBe('INVALID_FILE');
  });
});
