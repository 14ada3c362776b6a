import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AttnkitError, ErrorCodes } from '../errors.js';
import { checkLimit } from '../limits.js';
import { fileSystemError } from './file-system-error.js';

export interface ReadRegularFileOptions {
  /** What the file is, for messages: `'--weights'`, `'the model'`. */
  what?: string;
  /** Largest size accepted, in bytes (default `LIMITS.fileBytes`). */
  maxBytes?: number;
}

/**
 * Reads a whole regular file, its size checked before any allocation: a device file
 * (`/dev/zero`), a FIFO or a folder is refused instead of read forever, and a file above the
 * limit is refused before it is read. Reads exactly the size `stat` gave (a file that grows
 * meanwhile cannot grow the buffer).
 * @throws AttnkitError INVALID_FILE (missing, not a regular file), LIMIT_EXCEEDED, IO_ERROR.
 */
export async function readRegularFile(path: string, options: ReadRegularFileOptions = {}): Promise<Uint8Array> {
  const what = options.what ?? 'file';
  const size = await regularFileSize(path, what);
  if (options.maxBytes !== undefined && size > options.maxBytes) {
    throw new AttnkitError(ErrorCodes.LIMIT_EXCEEDED, `${what} ${path} is ${size} bytes, above the ${options.maxBytes} bytes allowed here`, {
      path,
      value: size,
      bound: options.maxBytes,
    });
  }
  checkLimit('fileBytes', size, `${what} ${path} (bytes)`);
  try {
    const handle = await open(path, 'r');
    try {
      const bytes = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled < size) {
        throw new AttnkitError(ErrorCodes.INVALID_FILE, `${what} ${path} shrank while it was read (${filled} of ${size} bytes); read it again when nothing writes to it`, { path });
      }
      return bytes;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileSystemError(error, path, `read ${what}`);
  }
}

/** The size of a regular file; INVALID_FILE for anything else (a device, a FIFO, a folder). */
export async function regularFileSize(path: string, what = 'file'): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileSystemError(error, path, `read ${what}`);
  }
  if (!info.isFile()) {
    const kind = info.isDirectory() ? 'a folder' : 'not a regular file (a device, a FIFO or a socket)';
    throw new AttnkitError(ErrorCodes.INVALID_FILE, `${what} ${path} is ${kind}; give the path of a regular file`, { path });
  }
  return info.size;
}

/**
 * Resolves a path written inside a file (a tfjs weight shard, an ONNX external-data location)
 * against that file's folder, and refuses it unless it stays inside: not absolute, no `..` out
 * of the folder, no symbolic link that leads out, and a regular file.
 * @param folder the folder of the file that names the path.
 * @param reference the path as the file writes it.
 * @param what the file and field it came from, for messages.
 * @returns the real path and its size.
 * @throws AttnkitError UNSAFE_PATH.
 */
export async function resolveInsideFolder(folder: string, reference: unknown, what: string): Promise<{ path: string; size: number }> {
  const refuse = (why: string): never => {
    throw new AttnkitError(
      ErrorCodes.UNSAFE_PATH,
      `${what} names ${JSON.stringify(reference)}, which ${why}; a path inside a model file must be relative and name a regular file inside ${folder}`,
      { path: reference, folder },
    );
  };
  if (typeof reference !== 'string' || reference === '' || reference.includes('\0')) return refuse('is not a file name');
  if (isAbsolute(reference) || /^[a-zA-Z]:[\\/]/.test(reference) || reference.startsWith('\\')) return refuse('is absolute');
  const base = resolve(folder);
  const joined = resolve(base, reference);
  if (leaves(base, joined)) return refuse('leaves the folder');
  let realBase: string;
  let realTarget: string;
  try {
    realBase = await realpath(base);
    realTarget = await realpath(joined);
  } catch {
    return refuse('does not exist');
  }
  if (leaves(realBase, realTarget)) return refuse('is a symbolic link that leads out of the folder');
  const info = await stat(realTarget);
  if (!info.isFile()) return refuse('is not a regular file');
  return { path: realTarget, size: info.size };
}

function leaves(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}
