/**
 * Node-only file helpers around the byte-level safetensors functions (the CLI imports this;
 * the package entry does not, so browsers never see `node:fs`).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { readSafetensors, type SafetensorsContents } from './read-safetensors.js';
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
 * Writes tensors as a .safetensors file atomically: the bytes go to a temporary file in the
 * same folder (same file system, so the rename is atomic), which is flushed and then renamed
 * over `path`. On any failure the temporary file is removed and `path` is untouched.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: WriteSafetensorsOptions = {},
): Promise<void> {
  // Serialize first: invalid tensors throw before anything touches the disk.
  const bytes = writeSafetensors(tensors, options);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
