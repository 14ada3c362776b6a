import { AttnkitError, type AttentionSpec, ErrorCodes, isAttnkitError } from '@attnkit/core';

/**
 * Conventions every command follows: with `--json`, stdout is JSON alone; human text and
 * errors go to stderr; a typed error exits 2 (bad input) or 1 (anything else).
 */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** `eca`, or a JSON spec such as `{"type":"eca","kernelSize":[3,5,5,7]}`; `none` for no attention. */
export function parseAttentionArgument(value: string | undefined): AttentionSpec | undefined {
  if (value === undefined || value === 'none') return undefined;
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

export function parseInteger(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `${name} must be an integer >= ${min}, got '${value}'`, { path: name, value });
  }
  return n;
}

const inputErrorCodes = new Set<string>([
  ErrorCodes.UNKNOWN_MODULE,
  ErrorCodes.INVALID_OPTION,
  ErrorCodes.INVALID_KERNEL_SIZE,
  ErrorCodes.UNKNOWN_BACKBONE,
  ErrorCodes.INVALID_CONFIG,
  ErrorCodes.INVALID_FILE,
  ErrorCodes.WEIGHTS_MISMATCH,
  ErrorCodes.KERNEL_SIZE_MISMATCH,
  ErrorCodes.UNKNOWN_INSERTION_POINT,
  ErrorCodes.INVALID_INSERTION_POINT,
  ErrorCodes.UNSUPPORTED_OPSET,
]);

/** Runs a command body, turning errors into a message on stderr and an exit code. */
export async function runCommand(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (isAttnkitError(error)) {
      process.stderr.write(`attnkit: error ${error.code}: ${error.message}\n`);
      process.exitCode = inputErrorCodes.has(error.code) ? 2 : 1;
    } else {
      process.stderr.write(`attnkit: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
