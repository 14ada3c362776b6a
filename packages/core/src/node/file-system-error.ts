import { AttnkitError, ErrorCodes } from '../errors.js';

/** What a user can do about each file-system failure, by errno. */
const REMEDIES: Record<string, string> = {
  ENOENT: 'check the path (it does not exist)',
  EACCES: 'choose a path you may access, or change its permissions',
  EPERM: 'choose a path you may access, or change its permissions',
  EROFS: 'choose a path on a writable file system',
  EISDIR: 'give a file path, not a folder',
  ENOTDIR: 'a part of the path is a file, not a folder: choose another path',
  EEXIST: 'a file is in the way of a folder: choose another path',
  ENOSPC: 'free some disk space or choose another disk',
  EDQUOT: 'free some disk space or choose another disk',
  EMFILE: 'close other programs that hold many files open',
  ENAMETOOLONG: 'use a shorter path',
  ELOOP: 'the path has a symbolic-link loop: choose another path',
};

/** True for the errors Node's `fs` throws (they carry an errno string such as `EACCES`). */
export function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  // Duck-typed: errors from another realm (a vm context, a worker) fail `instanceof Error`.
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof error === 'object' && error !== null && typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (error as NodeJS.ErrnoException).message === 'string';
}

/**
 * A Node file-system error as a typed error: IO_ERROR naming the path and what was being done,
 * and what would fix it. A missing input file is INVALID_FILE (the user named a file that is not there).
 * An AttnkitError passes through unchanged.
 */
export function fileSystemError(error: unknown, path: string, action: string): unknown {
  if (error instanceof AttnkitError || !isFileSystemError(error)) return error;
  const errno = error.code!;
  const remedy = REMEDIES[errno] ?? 'check the path and the disk';
  const code = errno === 'ENOENT' && action.startsWith('read') ? ErrorCodes.INVALID_FILE : ErrorCodes.IO_ERROR;
  return new AttnkitError(code, `cannot ${action} ${path}: ${errno} (${error.message}); ${remedy}`, { path, errno });
}
