import { AttnkitError, ErrorCodes } from './errors.js';

/**
 * The limits attnkit enforces on what files and options declare, checked before anything is
 * allocated. One table (the README of @attnkit/core) documents them; each check names the
 * limit it hit and the value it saw (`LIMIT_EXCEEDED`, `details.limit`, `details.value`).
 */
export const LIMITS = {
  /** Bytes of a safetensors JSON header: the reference implementation's `MAX_HEADER_SIZE`. */
  safetensorsHeaderBytes: 100_000_000,
  /** Bytes of one file read into memory (a model, a weights file, a tfjs model's shards together): protobuf's 2 GiB. */
  fileBytes: 2 ** 31,
  /** Elements of one tensor (1 GiB of float32). */
  tensorElements: 2 ** 28,
  /** Pixels per side of an input image or `--input-size`. */
  inputSize: 4096,
  /** Images per batch (`--batch`, a bench config's `batchSizes`). */
  batchSize: 1024,
  /** Elements of one input batch N x C x H x W. */
  inputElements: 2 ** 28,
  /** Estimated seconds of a bench run (cells x time budget) that starts without `--yes`. */
  benchSeconds: 30 * 60,
} as const;

export type LimitName = keyof typeof LIMITS;

/**
 * Throws LIMIT_EXCEEDED when `value` is above `LIMITS[limit]` or is not a safe integer (a
 * number above 2^53 cannot be counted exactly, so it is refused whatever the limit).
 * @param what the file or option at fault, e.g. `--input-size` or `weights.bin`.
 */
export function checkLimit(limit: LimitName, value: number, what: string): void {
  const bound = LIMITS[limit];
  if (Number.isSafeInteger(value) && value <= bound) return;
  const shown = Number.isSafeInteger(value) ? String(value) : `${value} (not an exact integer; at most 2^53 - 1 is)`;
  throw new AttnkitError(ErrorCodes.LIMIT_EXCEEDED, `${what}: ${shown} is above the limit '${limit}' of ${bound}; give a value up to ${bound} (limits: the @attnkit/core README)`, {
    limit,
    bound,
    value,
    path: what,
  });
}
