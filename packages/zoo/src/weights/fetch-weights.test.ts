import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { type HubServer, startHubServer } from '@attnkit/tools/hub-server';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheStorageWeightsCache, fetchWeights, resolveWeightsUrls, type WeightsCache } from './fetch-weights.js';
import { defaultCacheDirectory, environmentFetchOptions, fileSystemWeightsCache } from './file-system-weights-cache.js';

/** Deterministic bytes (content does not matter to the loader; size and hash do). */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

const safetensors = bytesOf(200_000, 1);
const pytorchBin = bytesOf(50_000, 2);
const plain = bytesOf(1_000, 3);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function rejection(promise: Promise<unknown>): Promise<AttnkitError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AttnkitError)) throw new Error(`expected an AttnkitError, got ${String(error)}`);
  return error;
}

// Downloads on a loaded 2-core machine: generous per-test limits (nothing here asserts time).
describe('fetchWeights against a local Hub', { timeout: 30_000 }, () => {
  let hub: HubServer;
  let directory: string;
  let cache: WeightsCache;
  beforeAll(async () => {
    hub = await startHubServer(
      {
        'timm/ecaresnet50d.miil_in1k': { 'model.safetensors': { bytes: safetensors } },
        'official/eca_resnet50': { 'pytorch_model.bin': { bytes: pytorchBin } },
        'test/small': { 'model.safetensors': { bytes: plain, lfs: false } },
        'test/truncated': { 'model.safetensors': { bytes: safetensors, misbehave: 'truncate' } },
        'test/stalled': { 'model.safetensors': { bytes: safetensors, misbehave: 'stall' } },
        'test/tampered': { 'model.safetensors': { bytes: safetensors, misbehave: 'wrong-sha' } },
      },
      { 'w.safetensors': { bytes: plain } },
    );
  });
  afterAll(() => hub.close());
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'attnkit-cache-'));
    cache = fileSystemWeightsCache(directory);
    hub.requests.length = 0;
    return () => rm(directory, { recursive: true, force: true });
  });
  const options = () => ({ cache, hfEndpoint: hub.url, timeoutMs: 5_000 });

  it('resolves hf:// as huggingface_hub does: model.safetensors, then pytorch_model.bin; a revision and a file when given', () => {
    expect(resolveWeightsUrls('hf://timm/ecaresnet50d.miil_in1k')).toEqual([
      'https://huggingface.co/timm/ecaresnet50d.miil_in1k/resolve/main/model.safetensors',
      'https://huggingface.co/timm/ecaresnet50d.miil_in1k/resolve/main/pytorch_model.bin',
    ]);
    expect(resolveWeightsUrls('hf://a/b@v1.0/sub/x.pth', 'http://127.0.0.1:9/')).toEqual(['http://127.0.0.1:9/a/b/resolve/v1.0/sub/x.pth']);
    expect(resolveWeightsUrls('https://example.org/w.safetensors')).toEqual(['https://example.org/w.safetensors']);
    expect(thrownAttnkitError(() => resolveWeightsUrls('hf://only-owner'))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: 'weights' } });
  });

  it("downloads through the Hub's LFS redirect, checks x-linked-size and x-linked-etag, reports progress, caches; a second call makes no request", async () => {
    const progress: Array<[number, number | undefined]> = [];
    const first = await fetchWeights('hf://timm/ecaresnet50d.miil_in1k', { ...options(), onProgress: (received, total) => progress.push([received, total]) });
    expect(first).toMatchObject({ fromCache: false, sha256: sha256(safetensors), url: `${hub.url}/timm/ecaresnet50d.miil_in1k/resolve/main/model.safetensors` });
    expect(first.bytes).toEqual(safetensors);
    expect(progress.at(-1)).toEqual([200_000, 200_000]);
    expect(hub.requests).toEqual(['/timm/ecaresnet50d.miil_in1k/resolve/main/model.safetensors', '/cdn/timm/ecaresnet50d.miil_in1k/model.safetensors']);
    const second = await fetchWeights('hf://timm/ecaresnet50d.miil_in1k', options());
    expect(second).toMatchObject({ fromCache: true, sha256: sha256(safetensors) });
    expect(second.bytes).toEqual(safetensors);
    expect(hub.requests).toHaveLength(2);
  });

  it('falls back to pytorch_model.bin on a 404 for model.safetensors', async () => {
    const fetched = await fetchWeights('hf://official/eca_resnet50', options());
    expect(fetched.url.endsWith('/official/eca_resnet50/resolve/main/pytorch_model.bin')).toBe(true);
    expect(fetched.bytes).toEqual(pytorchBin);
    expect(hub.requests[0]).toBe('/official/eca_resnet50/resolve/main/model.safetensors');
    // Cached under the file that exists: offline finds it.
    expect((await fetchWeights('hf://official/eca_resnet50', { ...options(), offline: true })).fromCache).toBe(true);
  });

  it('gives NOT_FOUND listing both candidates when neither exists', async () => {
    const error = await rejection(fetchWeights('hf://nobody/nothing', options()));
    expect(error.code).toBe(ErrorCodes.NOT_FOUND);
    expect(error.details.tried).toEqual([`${hub.url}/nobody/nothing/resolve/main/model.safetensors`, `${hub.url}/nobody/nothing/resolve/main/pytorch_model.bin`]);
    expect((await rejection(fetchWeights(`${hub.url}/files/missing.bin`, options()))).code).toBe(ErrorCodes.NOT_FOUND);
  });

  it('serves non-LFS Hub files and plain URLs, checked by content-length (a sha1 etag is not taken for a sha256)', async () => {
    const small = await fetchWeights('hf://test/small', options());
    expect(small.bytes).toEqual(plain);
    expect(small.sha256).toBeUndefined();
    const direct = await fetchWeights(`${hub.url}/files/w.safetensors`, options());
    expect(direct.bytes).toEqual(plain);
  });

  it('gives DOWNLOAD_TRUNCATED for a connection that drops mid-file, and caches nothing', async () => {
    const error = await rejection(fetchWeights('hf://test/truncated', options()));
    expect(error.code).toBe(ErrorCodes.DOWNLOAD_TRUNCATED);
    expect(error.details).toMatchObject({ expected: 200_000 });
    expect(error.details.received as number).toBeLessThan(200_000);
    expect(await readdir(directory)).toEqual([]);
  });

  it('gives DOWNLOAD_TIMEOUT when no byte arrives in time, and caches nothing', async () => {
    const error = await rejection(fetchWeights('hf://test/stalled', { ...options(), timeoutMs: 300 }));
    expect(error.code).toBe(ErrorCodes.DOWNLOAD_TIMEOUT);
    expect(error.details).toMatchObject({ timeoutMs: 300 });
    expect(await readdir(directory)).toEqual([]);
  });

  it('gives INTEGRITY_MISMATCH when the bytes do not hash to the declared sha256, and caches nothing', async () => {
    const error = await rejection(fetchWeights('hf://test/tampered', options()));
    expect(error.code).toBe(ErrorCodes.INTEGRITY_MISMATCH);
    expect(error.details).toMatchObject({ actual: sha256(safetensors) });
    expect(await readdir(directory)).toEqual([]);
  });

  it('offline: a cached file without any request; an uncached one fails at once with DOWNLOAD_FAILED (offline)', async () => {
    await fetchWeights('hf://timm/ecaresnet50d.miil_in1k', options());
    hub.requests.length = 0;
    const offline = await fetchWeights('hf://timm/ecaresnet50d.miil_in1k', { ...options(), offline: true });
    expect(offline.fromCache).toBe(true);
    const error = await rejection(fetchWeights('hf://test/small', { ...options(), offline: true }));
    expect(error).toMatchObject({ code: ErrorCodes.DOWNLOAD_FAILED, details: { reason: 'offline' } });
    expect(hub.requests).toEqual([]);
  });

  it('uses the cached copy when a refresh meets a dead network; without one, DOWNLOAD_FAILED (network)', async () => {
    const dead = 'http://127.0.0.1:9/files/w.safetensors'; // discard port: connection refused
    await cache.put({ bytes: plain, url: dead });
    const fallback = await fetchWeights(dead, { ...options(), refresh: true });
    expect(fallback.fromCache).toBe(true);
    expect(fallback.bytes).toEqual(plain);
    const error = await rejection(fetchWeights('http://127.0.0.1:9/files/other.bin', options()));
    expect(error).toMatchObject({ code: ErrorCodes.DOWNLOAD_FAILED, details: { reason: 'network' } });
  });
});

describe('fileSystemWeightsCache', () => {
  it('drops an entry whose bytes changed on disk (size or sha256) instead of serving it', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'attnkit-cache-'));
    try {
      const cache = fileSystemWeightsCache(directory);
      await cache.put({ bytes: plain, url: 'https://x/w', sha256: sha256(plain) });
      expect((await cache.get('https://x/w'))?.sha256).toBe(sha256(plain));
      const data = (await readdir(directory)).find((name) => name.endsWith('.bin')) as string;
      const corrupt = plain.slice();
      corrupt[10] ^= 1;
      await writeFile(join(directory, data), corrupt);
      expect(await cache.get('https://x/w')).toBeUndefined();
      expect(await readdir(directory)).toEqual([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("puts the cache in the platform's cache folder unless ATTNKIT_CACHE_DIR says otherwise", () => {
    expect(defaultCacheDirectory({}, 'linux', '/home/u')).toBe('/home/u/.cache/attnkit');
    expect(defaultCacheDirectory({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/attnkit');
    expect(defaultCacheDirectory({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/attnkit');
    expect(defaultCacheDirectory({ LOCALAPPDATA: 'C:/Users/u/AppData/Local' }, 'win32', 'C:/Users/u').replaceAll('\\', '/')).toBe('C:/Users/u/AppData/Local/attnkit/Cache');
    expect(defaultCacheDirectory({ ATTNKIT_CACHE_DIR: '/tmp/c', XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/tmp/c');
    expect(environmentFetchOptions({ ATTNKIT_OFFLINE: '1', ATTNKIT_HF_ENDPOINT: 'http://127.0.0.1:1' })).toMatchObject({ offline: true, hfEndpoint: 'http://127.0.0.1:1' });
    expect(environmentFetchOptions({})).toMatchObject({ offline: false, hfEndpoint: 'https://huggingface.co' });
  });
});

describe('cacheStorageWeightsCache (the browser Cache API)', () => {
  /** The part of CacheStorage the cache uses, over a Map (Node has no `caches`). */
  function memoryCacheStorage(): CacheStorage {
    const entries = new Map<string, Response>();
    const cache = {
      match: async (url: string) => entries.get(url)?.clone(),
      put: async (url: string, response: Response) => void entries.set(url, response),
      delete: async (url: string) => entries.delete(url),
    };
    return { open: async () => cache } as unknown as CacheStorage;
  }

  it('round-trips bytes with their sha256 and drops an entry that fails it', async () => {
    const storage = memoryCacheStorage();
    const cache = cacheStorageWeightsCache('attnkit-weights', storage);
    expect(await cache.get('https://x/w')).toBeUndefined();
    await cache.put({ bytes: plain, url: 'https://x/w', sha256: sha256(plain) });
    const hit = await cache.get('https://x/w');
    expect(hit?.bytes).toEqual(plain);
    await cache.put({ bytes: plain, url: 'https://x/bad', sha256: sha256(safetensors) });
    expect(await cache.get('https://x/bad')).toBeUndefined();
    expect(await (await storage.open('attnkit-weights')).match('https://x/bad')).toBeUndefined();
  });
});
