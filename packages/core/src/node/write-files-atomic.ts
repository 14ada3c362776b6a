/**
 * The one writer every attnkit output goes through (CLI, zoo, tfjs, onnx): each file is written
 * to a temporary name in its target folder (same file system, so the rename is atomic), flushed
 * with fsync, then renamed over the target. A multi-file output (tfjs model.json + shards, an
 * ONNX model + its external data) appears whole or not at all: every file is staged before the
 * first rename, and a failure while renaming puts the previous files back. Temporaries are
 * removed on error, on SIGINT / SIGTERM, and on exit; an existing target is never damaged
 * (it is replaced by a rename, or left as it was).
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmdirSync, rmSync } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { AttnkitError, ErrorCodes } from '../errors.js';
import { fileSystemError } from './file-system-error.js';

export interface OutputFile {
  /** Where the file goes; missing folders are created (and removed again on failure). */
  path: string;
  data: Uint8Array | string;
}

/** One write in flight: what a signal must undo. */
interface Transaction {
  temporaries: Set<string>;
  /** target -> hard link (or copy) of the file it held before, while renames are under way. */
  backups: Map<string, string>;
  /** Targets already renamed into place, with whether they existed before. */
  committed: Map<string, boolean>;
  createdFolders: string[];
}

const inFlight = new Set<Transaction>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Writes one file atomically. See `writeFilesAtomic`. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await writeFilesAtomic([{ path, data }]);
}

/**
 * Writes every file or none. Content must be fully serialized before the call, so nothing reaches
 * the disk for an output that fails to build.
 * @throws AttnkitError IO_ERROR (naming the path and the errno) or INVALID_OPTION for a repeated
 *   or folder target; the targets are then as they were and no temporary is left.
 */
export async function writeFilesAtomic(files: readonly OutputFile[]): Promise<void> {
  const targets = files.map((file) => resolve(file.path));
  if (new Set(targets).size !== targets.length) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `an output names one file twice (${targets.join(', ')}); give each output its own path`, { paths: targets });
  }
  const transaction: Transaction = { temporaries: new Set(), backups: new Map(), committed: new Map(), createdFolders: [] };
  begin(transaction);
  let step = { path: targets[0] ?? '', action: 'write' };
  try {
    for (const target of targets) {
      step = { path: target, action: 'write' };
      await refuseNonFileTarget(target);
      await createFolder(dirname(target), transaction);
    }
    const staged: Array<[string, string]> = [];
    for (const [index, target] of targets.entries()) {
      step = { path: target, action: 'write' };
      const temporary = temporaryName(target, 'tmp');
      transaction.temporaries.add(temporary);
      await writeAndSync(temporary, files[index].data);
      staged.push([temporary, target]);
    }
    for (const [temporary, target] of staged) {
      step = { path: target, action: 'replace' };
      const existed = await keepBackup(target, transaction);
      await rename(temporary, target);
      transaction.temporaries.delete(temporary);
      transaction.committed.set(target, existed);
    }
    for (const backup of transaction.backups.values()) await rm(backup, { force: true });
    transaction.backups.clear();
  } catch (error) {
    undo(transaction);
    throw fileSystemError(error, step.path, step.action);
  } finally {
    end(transaction);
  }
}

async function refuseNonFileTarget(target: string): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (info !== undefined && !info.isFile()) {
    throw new AttnkitError(
      ErrorCodes.IO_ERROR,
      `cannot write ${target}: it is ${info.isDirectory() ? 'a folder' : 'not a regular file'}; give a file path (a folder is never replaced)`,
      { path: target, errno: 'EISDIR' },
    );
  }
}

/** Creates the folder and its missing parents, remembering each one made (to remove on failure). */
async function createFolder(folder: string, transaction: Transaction): Promise<void> {
  const missing: string[] = [];
  for (let current = folder; ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info !== undefined) break;
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) {
    await mkdir(path);
    transaction.createdFolders.push(path);
  }
}

async function writeAndSync(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A second name for the file at `target` (a hard link; a copy where links fail), so a failed rename can put it back. */
async function keepBackup(target: string, transaction: Transaction): Promise<boolean> {
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (!exists) return false;
  const backup = temporaryName(target, 'bak');
  transaction.backups.set(target, backup);
  await link(target, backup).catch(() => copyFile(target, backup));
  return true;
}

function temporaryName(target: string, kind: 'tmp' | 'bak'): string {
  return resolve(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.${kind}`);
}

/** Puts every committed target back as it was and removes every temporary; synchronous, so signal handlers can call it. */
function undo(transaction: Transaction): void {
  for (const [target, existed] of transaction.committed) {
    const backup = transaction.backups.get(target);
    try {
      if (existed && backup !== undefined) {
        renameSync(backup, target);
        transaction.backups.delete(target);
      } else if (!existed) {
        removeQuietly(target);
      }
    } catch {
      // Best effort: the backup stays under its temporary name rather than being lost.
    }
  }
  transaction.committed.clear();
  for (const path of [...transaction.temporaries, ...transaction.backups.values()]) removeQuietly(path);
  transaction.temporaries.clear();
  transaction.backups.clear();
  for (const folder of transaction.createdFolders.reverse()) {
    try {
      rmdirSync(folder);
    } catch {
      // Not empty: something else wrote there meanwhile; leave it.
    }
  }
  transaction.createdFolders = [];
}

/** rm that never throws: a temporary that was never created (its folder is a file, say) is no error. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing there to remove.
  }
}

function onSignal(signal: NodeJS.Signals): void {
  for (const transaction of inFlight) undo(transaction);
  inFlight.clear();
  removeHandlers();
  // Default action now that our handler is gone: the process ends as the signal asks (exit 128 + n).
  process.kill(process.pid, signal);
}

function onExit(): void {
  for (const transaction of inFlight) undo(transaction);
}

function begin(transaction: Transaction): void {
  if (inFlight.size === 0) {
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on('exit', onExit);
  }
  inFlight.add(transaction);
}

function end(transaction: Transaction): void {
  inFlight.delete(transaction);
  if (inFlight.size === 0) removeHandlers();
}

function removeHandlers(): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off('exit', onExit);
}

