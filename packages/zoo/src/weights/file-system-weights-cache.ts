/**
 * Node-only: downloaded weights kept in a folder between runs, and the environment variables that
 * steer `fetchWeights` in Node (exported from `@attnkit/zoo/node`, never from the browser entry).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type CachedWeights, type FetchWeightsOptions, HF_DEFAULT_ENDPOINT, type WeightsCache } from './fetch-weights.js';
import { writeFileAtomic } from '@attnkit/core/node';

/**
 * The platform's cache folder for attnkit: `ATTNKIT_CACHE_DIR` when set; else
 * `$XDG_CACHE_HOME/attnkit` or `~/.cache/attnkit` (Linux and others), `~/Library/Caches/attnkit`
 * (macOS), `%LOCALAPPDATA%\attnkit\Cache` (Windows).
 */
export function defaultCacheDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.ATTNKIT_CACHE_DIR) return env.ATTNKIT_CACHE_DIR;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'attnkit');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'attnkit', 'Cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'attnkit');
}

/** `fetchWeights` options from the environment: the folder cache, `ATTNKIT_OFFLINE=1`, `ATTNKIT_HF_ENDPOINT`. */
export function environmentFetchOptions(env: NodeJS.ProcessEnv = process.env): FetchWeightsOptions {
  return {
    cache: fileSystemWeightsCache(join(defaultCacheDirectory(env), 'weights')),
    offline: env.ATTNKIT_OFFLINE === '1' || env.ATTNKIT_OFFLINE === 'true',
    hfEndpoint: env.ATTNKIT_HF_ENDPOINT || HF_DEFAULT_ENDPOINT,
  };
}

interface EntryRecord {
  url: string;
  size: number;
  sha256: string;
  /** The sha256 the server declared, if it did (the recorded sha256 is always the content's). */
  declaredSha256?: string;
}

/**
 * A folder of downloads: `<sha256 of the url>.bin` and a `.json` record (url, size, sha256 of the
 * content) written after it. Both are written to a temporary name and renamed, so an interrupted
 * download or write leaves no entry; a read checks size and sha256 and drops an entry that fails.
 */
export function fileSystemWeightsCache(directory: string): WeightsCache {
  const paths = (url: string) => {
    const key = createHash('sha256').update(url).digest('hex');
    return { data: join(directory, `${key}.bin`), record: join(directory, `${key}.json`) };
  };
  return {
    async get(url) {
      const { data, record } = paths(url);
      let entry: EntryRecord;
      let bytes: Uint8Array;
      try {
        entry = JSON.parse(await readFile(record, 'utf8')) as EntryRecord;
        bytes = new Uint8Array(await readFile(data));
      } catch {
        return undefined;
      }
      if (entry.url !== url || bytes.byteLength !== entry.size || createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
        await rm(record, { force: true });
        await rm(data, { force: true });
        return undefined;
      }
      const cached: CachedWeights = { bytes, url };
      if (entry.declaredSha256 !== undefined) cached.sha256 = entry.declaredSha256;
      return cached;
    },
    async put({ bytes, url, sha256 }) {
      const { data, record } = paths(url);
      await mkdir(directory, { recursive: true });
      const entry: EntryRecord = { url, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
      if (sha256 !== undefined) entry.declaredSha256 = sha256;
      // The record goes last: an entry without it is no entry.
      await writeFileAtomic(data, bytes);
      await writeFileAtomic(record, new TextEncoder().encode(`${JSON.stringify(entry)}\n`));
    },
  };
}
