/**
 * Node-only file helpers around the byte-level safetensors functions (the CLI imports this;
 * the package entry does not, so browsers never see `node:fs`).
 */
import { AttnkitError, type Tensor } from '@attnkit/core';
import { readRegularFile, writeFileAtomic } from '@attnkit/core/node';
import { readSafetensors, type SafetensorsContents } from './read-safetensors.js';
import { type WriteSafetensorsOptions, writeSafetensors } from './write-safetensors.js';

/**
 * Reads and parses a .safetensors file. Errors name the path. A device file, FIFO or folder is
 * refused before reading, and so is a file above `LIMITS.fileBytes`.
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  const bytes = await readRegularFile(path, { what: 'the safetensors file' });
  try {
    return readSafetensors(bytes);
  } catch (error) {
    if (error instanceof AttnkitError) throw new AttnkitError(error.code, `${path}: ${error.message}`, { ...error.details, path });
    throw error;
  }
}

/**
 * Writes tensors as a .safetensors file through core's atomic writer (temporary in the same
 * folder, fsync, rename): on any failure or signal `path` is as it was and no temporary is left.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  // Serialize first: invalid tensors throw before anything touches the disk.
  await writeFileAtomic(path, writeSafetensors(tensors, options));
}

export { defaultCacheDirectory, environmentFetchOptions, fileSystemWeightsCache } from './file-system-weights-cache.js';
