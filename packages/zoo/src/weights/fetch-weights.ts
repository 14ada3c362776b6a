/**
 * Weights from a URL or the Hugging Face Hub, with a cache, integrity checks and offline use. Runs
 * wherever `fetch` and WebCrypto exist (browsers, Node 20): file-system caching is in `./node`, the
 * browser's Cache API in `cacheStorageWeightsCache`.
 *
 * `hf://<owner>/<repo>[@<revision>][/<file>]` resolves as huggingface_hub does to
 * `<endpoint>/<owner>/<repo>/resolve/<revision>/<file>`; without a file it tries
 * `model.safetensors`, then `pytorch_model.bin` when the first is 404.
 *
 * Integrity: the Hub answers a file stored in LFS with a redirect that carries `x-linked-etag`
 * (the file's sha256) and `x-linked-size`; other servers give `content-length` and sometimes a
 * sha256 `etag`. Every declared size is checked, and the sha256 when one is declared; bytes that
 * fail either are never returned or cached.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';

/** A cached download: its bytes and what the server declared for them. */
export interface CachedWeights {
  bytes: Uint8Array;
  url: string;
  sha256?: string;
}

/** Where downloads are kept between runs (a folder in Node, the Cache API in browsers). */
export interface WeightsCache {
  /** The cached copy of `url`, or undefined when there is none (or it fails its own checks). */
  get(url: string): Promise<CachedWeights | undefined>;
  /** Keeps `weights` under its url; a failed put leaves no partial entry. */
  put(weights: CachedWeights): Promise<void>;
}

export interface FetchWeightsOptions {
  /** Default: none (every call downloads). */
  cache?: WeightsCache;
  /** Never touch the network: a cached copy or an error. Default false. */
  offline?: boolean;
  /** Download even when cached (the cached copy is still used when the network fails). */
  refresh?: boolean;
  /** Give up when no byte arrives for this long. Default 30,000 ms. */
  timeoutMs?: number;
  /** Refuse a download declaring more bytes than this before allocating. Default 4 GiB - 1. */
  maxBytes?: number;
  /** Base URL `hf://` resolves against. Default `https://huggingface.co`. */
  hfEndpoint?: string;
  /** Called as bytes arrive; `total` is undefined when the server declares no size. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** The fetch to use. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

export interface FetchedWeights {
  bytes: Uint8Array;
  /** The URL the bytes came from (for `hf://`, the candidate that exists). */
  url: string;
  fromCache: boolean;
  /** The sha256 the bytes were checked against, when the server declared one. */
  sha256?: string;
}

export const HF_DEFAULT_ENDPOINT = 'https://huggingface.co';
/** What `hf://owner/repo` tries, in order (huggingface_hub / timm's order). */
export const HF_WEIGHTS_FILES = ['model.safetensors', 'pytorch_model.bin'] as const;

const HF_SPEC = /^hf:\/\/([A-Za-z0-9][\w.-]*)\/([\w.-]+)(?:@([\w./-]+?))?(?:\/(.+))?$/;

/** True for `http(s)://` and `hf://` specs (anything else is a path). */
export function isRemoteWeights(spec: string): boolean {
  return /^(https?|hf):\/\//i.test(spec);
}

/** The URLs a spec may be served from, in the order they are tried. */
export function resolveWeightsUrls(spec: string, hfEndpoint = HF_DEFAULT_ENDPOINT): string[] {
  if (/^https?:\/\//i.test(spec)) return [spec];
  const match = HF_SPEC.exec(spec);
  if (match === null) {
    throw new AttnkitError(
      ErrorCodes.INVALID_OPTION,
      `'${spec}' is not a weights URL; use https://..., or hf://<owner>/<repo>[@<revision>][/<file>] (e.g. hf://timm/ecaresnet50d.miil_in1k)`,
      { path: 'weights', value: spec },
    );
  }
  const [, owner, repo, revision = 'main', file] = match;
  const base = `${hfEndpoint.replace(/\/+$/, '')}/${owner}/${repo}/resolve/${encodeURIComponent(revision)}/`;
  return (file !== undefined ? [file] : HF_WEIGHTS_FILES).map((name) => base + name.split('/').map(encodeURIComponent).join('/'));
}

/**
 * The bytes of a weights file named by `spec` (`https://...` or `hf://...`): the cached copy when
 * there is one, else a download (checked, then cached).
 *
 * @throws AttnkitError NOT_FOUND (404 for every candidate, listed in `details.tried`);
 *   DOWNLOAD_TIMEOUT; DOWNLOAD_TRUNCATED; INTEGRITY_MISMATCH; DOWNLOAD_FAILED (network error,
 *   other HTTP status, offline without a cached copy, a size above `maxBytes`).
 */
export async function fetchWeights(spec: string, options: FetchWeightsOptions = {}): Promise<FetchedWeights> {
  const urls = resolveWeightsUrls(spec, options.hfEndpoint);
  const { cache } = options;
  const cached = async (): Promise<FetchedWeights | undefined> => {
    for (const url of urls) {
      const hit = await cache?.get(url);
      if (hit !== undefined) return { ...hit, fromCache: true };
    }
    return undefined;
  };
  if (!options.refresh) {
    const hit = await cached();
    if (hit !== undefined) return hit;
  }
  if (options.offline) {
    const hit = await cached();
    if (hit !== undefined) return hit;
    throw new AttnkitError(ErrorCodes.DOWNLOAD_FAILED, `offline and ${spec} is not cached; go online once to cache it, or give a local file`, {
      reason: 'offline',
      url: urls[0],
      tried: urls,
    });
  }
  const tried: string[] = [];
  for (const url of urls) {
    tried.push(url);
    let downloaded: FetchedWeights | undefined;
    try {
      downloaded = await download(url, options);
    } catch (error) {
      if (error instanceof AttnkitError && error.code === ErrorCodes.NOT_FOUND) {
        if (tried.length < urls.length) continue;
        throw new AttnkitError(ErrorCodes.NOT_FOUND, `${spec}: not found (HTTP 404 for ${tried.join(' and ')}); check the repository and file name`, {
          url,
          tried,
        });
      }
      // The network failed: a copy cached earlier still serves (refresh or offline-ish use).
      const isNetwork = error instanceof AttnkitError && (error.code === ErrorCodes.DOWNLOAD_FAILED || error.code === ErrorCodes.DOWNLOAD_TIMEOUT);
      const hit = isNetwork ? await cached() : undefined;
      if (hit !== undefined) return hit;
      throw error;
    }
    await cache?.put({ bytes: downloaded.bytes, url: downloaded.url, sha256: downloaded.sha256 });
    return downloaded;
  }
  throw new AttnkitError(ErrorCodes.NOT_FOUND, `${spec}: no candidate file`, { tried });
}

/** A sha256 in an `etag` / `x-linked-etag` header (quoted, maybe weak), or undefined. */
function declaredSha256(value: string | null): string | undefined {
  const bare = value?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return bare !== undefined && /^[0-9a-f]{64}$/.test(bare) ? bare : undefined;
}

function declaredSize(value: string | null): number | undefined {
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const MAX_REDIRECTS = 5;

async function download(url: string, options: FetchWeightsOptions): Promise<FetchedWeights> {
  const { timeoutMs = 30_000, maxBytes = 2 ** 32 - 1, onProgress } = options;
  const fetchFunction = options.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const failure = (error: unknown, received?: number, expected?: number): AttnkitError => {
    if (timedOut) {
      return new AttnkitError(ErrorCodes.DOWNLOAD_TIMEOUT, `${url}: no data for ${timeoutMs} ms; retry, or raise the timeout`, { url, timeoutMs, received });
    }
    if (received !== undefined) {
      return new AttnkitError(
        ErrorCodes.DOWNLOAD_TRUNCATED,
        `${url}: the connection ended after ${received} of ${expected ?? 'an unknown number of'} bytes (${(error as Error).message}); nothing was cached, retry`,
        { url, received, expected },
      );
    }
    return new AttnkitError(ErrorCodes.DOWNLOAD_FAILED, `${url}: ${(error as Error).message}; check the network, or use a cached or local file`, {
      url,
      reason: 'network',
    });
  };

  // Redirects are followed by hand where the runtime shows them (Node), because the Hub puts the
  // LFS sha256 and size on the redirect, not on the CDN's answer. Browsers hide redirects
  // ('opaqueredirect'): there the final response's headers are all there is.
  let sha256: string | undefined;
  let size: number | undefined;
  let response: Response;
  let current = url;
  arm();
  try {
    for (let hop = 0; ; hop++) {
      response = await fetchFunction(current, { redirect: 'manual', signal: controller.signal });
      if (response.type === 'opaqueredirect') {
        response = await fetchFunction(current, { redirect: 'follow', signal: controller.signal });
      }
      sha256 ??= declaredSha256(response.headers.get('x-linked-etag'));
      size ??= declaredSize(response.headers.get('x-linked-size'));
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null || hop === MAX_REDIRECTS) break;
      await response.body?.cancel();
      current = new URL(location, current).href;
    }
  } catch (error) {
    clearTimeout(timer);
    throw failure(error);
  }
  if (response.status === 404) {
    clearTimeout(timer);
    await response.body?.cancel();
    throw new AttnkitError(ErrorCodes.NOT_FOUND, `${url}: not found (HTTP 404)`, { url, status: 404 });
  }
  if (!response.ok || response.body === null) {
    clearTimeout(timer);
    await response.body?.cancel();
    throw new AttnkitError(ErrorCodes.DOWNLOAD_FAILED, `${url}: HTTP ${response.status} ${response.statusText}; expected 200 with the file`, {
      url,
      status: response.status,
      reason: 'http-status',
    });
  }
  sha256 ??= declaredSha256(response.headers.get('etag'));
  // A compressed transfer's content-length counts compressed bytes, not the file's.
  if (response.headers.get('content-encoding') === null) size ??= declaredSize(response.headers.get('content-length'));
  if (size !== undefined && size > maxBytes) {
    clearTimeout(timer);
    await response.body.cancel();
    throw new AttnkitError(ErrorCodes.DOWNLOAD_FAILED, `${url}: declares ${size} bytes, above the limit of ${maxBytes}`, { url, reason: 'too-large', size, maxBytes });
  }

  // A declared size is allocated once (already checked against maxBytes); otherwise chunks are
  // joined at the end.
  const whole = size !== undefined ? new Uint8Array(size) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      arm();
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > (size ?? maxBytes)) {
        throw new AttnkitError(ErrorCodes.DOWNLOAD_FAILED, `${url}: sent more than the ${size ?? maxBytes} bytes it declared`, { url, reason: 'too-large', received });
      }
      if (whole !== undefined) whole.set(value, received - value.byteLength);
      else chunks.push(value);
      onProgress?.(received, size);
    }
  } catch (error) {
    if (error instanceof AttnkitError) throw error;
    throw failure(error, received, size);
  } finally {
    clearTimeout(timer);
  }
  if (size !== undefined && received !== size) throw failure(new Error('short body'), received, size);
  const bytes = whole ?? joinChunks(chunks, received);
  if (sha256 !== undefined) {
    const actual = await sha256Hex(bytes);
    if (actual !== sha256) {
      throw new AttnkitError(ErrorCodes.INTEGRITY_MISMATCH, `${url}: sha256 ${actual} differs from the declared ${sha256}; the file changed or was corrupted, nothing was cached`, {
        url,
        expected: sha256,
        actual,
      });
    }
  }
  return { bytes, url, fromCache: false, sha256 };
}

function joinChunks(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The browser's Cache API as a weights cache (`caches.open(name)`); the declared sha256 travels in
 * a header and is checked again on every read.
 */
export function cacheStorageWeightsCache(name = 'attnkit-weights', storage: CacheStorage = globalThis.caches): WeightsCache {
  const header = 'x-attnkit-sha256';
  return {
    async get(url) {
      const cache = await storage.open(name);
      const response = await cache.match(url);
      if (response === undefined) return undefined;
      const bytes = new Uint8Array(await response.arrayBuffer());
      const sha256 = response.headers.get(header) ?? undefined;
      if (sha256 !== undefined && (await sha256Hex(bytes)) !== sha256) {
        await cache.delete(url);
        return undefined;
      }
      return { bytes, url, sha256 };
    },
    async put({ bytes, url, sha256 }) {
      const cache = await storage.open(name);
      const headers: Record<string, string> = { 'content-length': String(bytes.byteLength) };
      if (sha256 !== undefined) headers[header] = sha256;
      // Cache.put stores the whole body or nothing.
      await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
    },
  };
}
