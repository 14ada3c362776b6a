import type { AttnkitError } from '@attnkit/core';
import { type SpawnSyncOptions, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The built command, as `pnpm exec attnkit` runs it. `pnpm test` builds it before the tests. */
export const builtCli = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** The package directory of a workspace package, e.g. `packages/core/`. */
export const packageDir = (name: string): string => fileURLToPath(new URL(`../../../packages/${name}/`, import.meta.url));

/** Fails (never skips) when something a test needs has not been built. */
export function requireBuilt(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run 'pnpm build' first ('pnpm test' does)`);
}

/** Runs the built CLI with `args` and returns its exit status, stdout and stderr. */
export function attnkit(args: readonly string[], options: SpawnSyncOptions = {}): SpawnSyncReturns<string> {
  requireBuilt(builtCli);
  return spawnSync(process.execPath, [builtCli, ...args], { encoding: 'utf8', timeout: 120_000, ...options }) as SpawnSyncReturns<string>;
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<AttnkitError> {
  try {
    await promise;
  } catch (error) {
    return error as AttnkitError;
  }
  throw new Error('expected a rejection');
}

/** A fresh folder under the OS temp dir, removed after the file's tests. Call at file or describe level. */
export function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
