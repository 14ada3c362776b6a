import { AttnkitError, isAttnkitError } from '@attnkit/core';
import { readRegularFile } from '@attnkit/core/node';
import { fetchWeights, isRemoteWeights } from '@attnkit/zoo';
import { environmentFetchOptions } from '@attnkit/zoo/node';
import cliProgress from 'cli-progress';

/** The bytes behind a `--weights` argument and where they came from. */
export interface WeightsBytes {
  bytes: Uint8Array;
  /** The path, or the URL that served the bytes (for `hf://`, the file that exists). */
  location: string;
  fromCache: boolean;
}

// One process serves one command: a spec read twice (e.g. for metadata, then for the network)
// is read, or downloaded, once.
const read = new Map<string, Promise<WeightsBytes>>();

/**
 * `--weights <file | https://... | hf://owner/repo>`: a local file, or a download through the
 * cache (`ATTNKIT_CACHE_DIR`, `ATTNKIT_OFFLINE`, `ATTNKIT_HF_ENDPOINT`) with a progress bar on a
 * terminal's stderr. The bytes go to `loadWeights`, which tells the formats apart.
 */
export function readWeightsArgument(spec: string): Promise<WeightsBytes> {
  let pending = read.get(spec);
  if (pending === undefined) {
    pending = isRemoteWeights(spec) ? download(spec) : readLocal(spec);
    read.set(spec, pending);
    pending.catch(() => read.delete(spec));
  }
  return pending;
}

async function readLocal(path: string): Promise<WeightsBytes> {
  try {
    return { bytes: await readRegularFile(path, { what: '--weights' }), location: path, fromCache: false };
  } catch (error) {
    if (!isAttnkitError(error)) throw error;
    throw new AttnkitError(error.code, `${error.message}; give a weights file, an https:// URL or hf://<owner>/<repo>`, { ...error.details, path });
  }
}

async function download(spec: string): Promise<WeightsBytes> {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: ` ${spec} {bar} {percentage}% | {value}/{total} bytes | {eta_formatted} left`, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  try {
    const fetched = await fetchWeights(spec, {
      ...environmentFetchOptions(),
      onProgress(received, total) {
        if (bar === undefined) return;
        if (!started) {
          bar.start(total ?? received, received);
          started = true;
        } else {
          if (total === undefined) bar.setTotal(received);
          bar.update(received);
        }
      },
    });
    return { bytes: fetched.bytes, location: fetched.url, fromCache: fetched.fromCache };
  } finally {
    if (started) bar?.stop();
  }
}
