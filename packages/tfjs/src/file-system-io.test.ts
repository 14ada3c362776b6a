import '@attnkit/eca';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAttnkitError } from '@attnkit/core';
import { io } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttentionLayer } from './attention-layer.js';
import { useBackend } from './backends.js';
import { fileSystem, registerFileSystemScheme } from './file-system-io.js';

describe('fileSystem IOHandler', () => {
  let dir: string;
  let model: tfl.LayersModel;
  beforeAll(async () => {
    await useBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'attnkit-fs-'));
    const input = tfl.input({ shape: [3, 4, 8] });
    model = tfl.model({ inputs: input, outputs: new AttentionLayer({ attention: 'eca', seed: 1 }).apply(input) as tfl.SymbolicTensor });
  });
  afterAll(async () => {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes model.json + weights.bin as tfjs-node does, creating the directory, and reads them back', async () => {
    const path = join(dir, 'nested', 'model.json');
    const result = await model.save(fileSystem(path));
    // One ECA weight [3, 1, 1] in float32: 12 bytes.
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(12);
    expect((await readdir(join(dir, 'nested'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await readFile(join(dir, 'nested', 'weights.bin'))).byteLength).toBe(12);
    const json = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(json).sort()).toEqual(['convertedBy', 'format', 'generatedBy', 'modelTopology', 'weightsManifest']);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights[0]).toMatchObject({ shape: [3, 1, 1], dtype: 'float32' });
    const loaded = await tfl.loadLayersModel(fileSystem(path));
    expect(loaded.getWeights()[0].dataSync()).toEqual(model.getWeights()[0].dataSync());
    loaded.dispose();
  });

  it('writes nothing when saving fails, and leaves no temporary files', async () => {
    const target = join(dir, 'blocked');
    await mkdir(join(target, 'weights.bin', 'occupied'), { recursive: true });
    const error = await model.save(fileSystem(join(target, 'model.json'))).catch((e: unknown) => e);
    expect(isAttnkitError(error, 'IO_ERROR')).toBe(true);
    expect(await readdir(target)).toEqual(['weights.bin']);
    expect(await readdir(join(target, 'weights.bin'))).toEqual(['occupied']);
  });

  it('overwrites an earlier save completely', async () => {
    const path = join(dir, 'again', 'model.json');
    await model.save(fileSystem(path));
    await model.save(fileSystem(path));
    expect((await readdir(join(dir, 'again'))).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('takes a directory (model.json inside), as tfjs-node does', async () => {
    await model.save(fileSystem(join(dir, 'as-directory')));
    expect((await readdir(join(dir, 'as-directory'))).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'as-directory')));
    expect(loaded.getWeights()[0].dataSync()).toEqual(model.getWeights()[0].dataSync());
    loaded.dispose();
  });

  it('answers file:// URLs in model.save and tf.loadLayersModel once registered (on import), and registers only once', async () => {
    await model.save(`file://${join(dir, 'by-url')}`);
    expect((await readdir(join(dir, 'by-url'))).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await tfl.loadLayersModel(`file://${join(dir, 'by-url', 'model.json')}`);
    expect(loaded.getWeights()[0].dataSync()).toEqual(model.getWeights()[0].dataSync());
    loaded.dispose();
    expect(registerFileSystemScheme()).toBe(false);
    expect(io.getSaveHandlers('file://x')).toHaveLength(1);
  });

  it('rejects an empty path, and a model JSON without a topology', async () => {
    expect(() => fileSystem('file://')).toThrow(/needs a path: a model JSON file such as 'out\/model.json' or a directory/);
    expect(() => fileSystem(undefined as unknown as string)).toThrow(/takes a path string/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"format": "layers-model"}');
    const error = await tfl.loadLayersModel(fileSystem(bad)).catch((e: unknown) => e);
    expect(isAttnkitError(error, 'INVALID_FILE')).toBe(true);
    expect((error as Error).message).toMatch(/has no modelTopology/);
  });
});

describe('fileSystem loading a stranger\'s model.json', () => {
  let dir: string;
  let goodJson: io.ModelJSON;
  beforeAll(async () => {
    await useBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'attnkit-fs-untrusted-'));
    const input = tfl.input({ shape: [3, 4, 8] });
    const model = tfl.model({ inputs: input, outputs: new AttentionLayer({ attention: 'eca', seed: 1 }).apply(input) as tfl.SymbolicTensor });
    await model.save(fileSystem(join(dir, 'good')));
    model.dispose();
    goodJson = JSON.parse(await readFile(join(dir, 'good', 'model.json'), 'utf8'));
    await writeFile(join(dir, 'outside.bin'), new Uint8Array(12));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the good model whose manifest says `paths`, in folder `name` beside weights.bin. */
  async function tampered(name: string, paths: unknown[], weightsBytes = 12): Promise<string> {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'weights.bin'), new Uint8Array(weightsBytes));
    const json = { ...goodJson, weightsManifest: [{ ...goodJson.weightsManifest[0], paths }] };
    await writeFile(join(folder, 'model.json'), JSON.stringify(json));
    return join(folder, 'model.json');
  }
  const loadError = (path: string) => tfl.loadLayersModel(fileSystem(path)).then(() => undefined, (e: unknown) => e);

  it.each([
    ['a path out of the folder', ['../outside.bin'], 'UNSAFE_PATH'],
    ['an absolute path', ['/etc/hostname'], 'UNSAFE_PATH'],
    ['a device file (endless)', ['/dev/zero'], 'UNSAFE_PATH'],
    ['a missing shard', ['nope.bin'], 'UNSAFE_PATH'],
    ['a non-string path', [42], 'UNSAFE_PATH'],
    ['one shard named 3000 times', Array.from({ length: 3000 }, () => 'weights.bin'), 'INVALID_FILE'],
  ])('refuses %s before reading (%s)', async (name, paths, code) => {
    const error = await loadError(await tampered(name.replace(/\W+/g, '-'), paths));
    expect(isAttnkitError(error, code as 'UNSAFE_PATH')).toBe(true);
  });

  it('refuses a symbolic link that leads out of the folder (UNSAFE_PATH)', async () => {
    const path = await tampered('symlink', ['link.bin']);
    await symlink(join(dir, 'outside.bin'), join(dir, 'symlink', 'link.bin'));
    expect(isAttnkitError(await loadError(path), 'UNSAFE_PATH')).toBe(true);
  });

  it('refuses short weights and trailing bytes with both sizes (INVALID_FILE)', async () => {
    const short = await loadError(await tampered('short', ['weights.bin'], 8));
    expect(isAttnkitError(short, 'INVALID_FILE') && short.details).toMatchObject({ declaredBytes: 12, realBytes: 8 });
    const long = await loadError(await tampered('long', ['weights.bin'], 20));
    expect(isAttnkitError(long, 'INVALID_FILE') && long.message).toContain('trailing bytes');
  });

  it('refuses a model.json that is a device file or a folder', async () => {
    await symlink('/dev/zero', join(dir, 'device.json'));
    const device = await loadError(join(dir, 'device.json'));
    expect(isAttnkitError(device, 'INVALID_FILE') && device.message).toContain('not a regular file');
    await mkdir(join(dir, 'folder.json'));
    expect(isAttnkitError(await loadError(join(dir, 'folder.json')), 'INVALID_FILE')).toBe(true);
  });
});
