import { AttnkitError, type AttentionSpec, checkLimit, ErrorCodes, isAttnkitError, type LimitName } from '@attnkit/core';
import { fileSystemError } from '@attnkit/core/node';

/**
 * Conventions every command follows: with `--json`, stdout is JSON alone; human text and
 * errors go to stderr; a typed error exits 2 (bad input), a defect of ours exits 1; a stack
 * trace is printed only with `--debug`.
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `eca`, or a JSON spec such as `{"type":"eca","kernelSize":[3,5,5,7]}`; `none` is `null`: no
 * attention at all, also for a network with its own (timm's `ecaresnet50d` without ECA is
 * `resnet50d`, as timm's `attn_layer=None`). Absent (`undefined`) keeps the network's default.
 */
export function parseAttentionArgument(value: string | undefined): AttentionSpec | null | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'none') return null;
  const trimmed = value.trim();
  // An id from the command line: createAttention checks it against the registry.
  if (!trimmed.startsWith('{')) return trimmed as AttentionSpec;
  try {
    return JSON.parse(trimmed) as AttentionSpec;
  } catch (error) {
    throw new AttnkitError(
      ErrorCodes.INVALID_OPTION,
      `--attention ${value} is neither an id nor valid JSON (${(error as Error).message}); give e.g. --attention eca or --attention '{"type":"eca","kernelSize":5}'`,
      { value },
      { cause: error },
    );
  }
}

/** The stated limit (core's LIMITS) of each integer option that sizes an allocation. */
const OPTION_LIMITS: Record<string, LimitName> = {
  '--input-size': 'inputSize',
  '--input': 'inputSize',
};

/**
 * An integer option: at least `min`, exact (numbers above 2^53 are refused) and, for options that
 * size an allocation, within their limit.
 */
export function parseInteger(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `${name} must be an integer >= ${min}, got '${value}'`, { path: name, value });
  }
  const limit = OPTION_LIMITS[name];
  if (limit !== undefined || !Number.isSafeInteger(n)) checkLimit(limit ?? 'tensorElements', n, name);
  return n;
}

/** Set by `--debug` (main.ts): print stack traces and causes. */
let debug = false;

export function setDebug(value: boolean): void {
  debug = value;
}

/**
 * Prints an error and sets the exit code: every AttnkitError is the user's to fix (exit 2) except
 * INTERNAL, a defect of ours (exit 1); a file-system error becomes IO_ERROR (exit 2); anything else
 * is a defect (exit 1), shown as one line unless `--debug`.
 */
export function reportError(error: unknown): void {
  const typed = fileSystemError(error, (error as { path?: string })?.path ?? 'a file', 'use');
  if (isAttnkitError(typed)) {
    process.stderr.write(`attnkit: error ${typed.code}: ${typed.message}\n`);
    if (debug && typed.stack) process.stderr.write(`${typed.stack}\n`);
    process.exitCode = (typed.code as string) === 'INTERNAL' ? 1 : 2;
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    debug
      ? `attnkit: internal error: ${(error as Error)?.stack ?? message}\n`
      : `attnkit: internal error: ${message}\nThis is a defect of attnkit, not of your input: rerun with --debug for the stack trace and report it.\n`,
  );
  process.exitCode = 1;
}

/** Runs a command body, turning errors into a message on stderr and an exit code. */
export async function runCommand(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (error) {
    reportError(error);
  }
}
