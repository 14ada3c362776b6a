/**
 * Node-only file helpers around the byte-level safetensors functions (the CLI imports this;
 * the package entry does not, so browsers never see `node:fs`).
 */
import { readFile } from 'node:fs/promises';
import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { readSafetensors, type SafetensorsContents } from './read-safetensors.js';
import { writeFileAtomically } from './write-file-atomically.js';
import { type WriteSafetensorsOptions, writeSafetensors } from './write-safetensors.js';

/** Reads and parses a .safetensors file. Errors name the path. */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `cannot read ${path}: ${(error as Error).message}`, {
      path,
      cause: (error as NodeJS.ErrnoException).code,
    });
  }
  try {
    return readSafetensors(bytes);
  } catch (error) {
    if (error instanceof AttnkitError) throw new AttnkitError(error.code, `${path}: ${error.message}`, { ...error.details, path });
    throw error;
  }
}

/**
 * Writes tensors as a .safetensors file atomically (`writeFileAtomically`). On any failure `path`
 * is untouched.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  // Serialize first: invalid tensors throw before anything touches the disk.
  await writeFileAtomically(path, writeSafetensors(tensors, options));
}


export { defaultCacheDirectory, environmentFetchOptions, fileSystemWeightsCache } from './file-system-weights-cache.js';
export { writeFileAtomically } from './write-file-atomically.js';
