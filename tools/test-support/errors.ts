/**
 * Test helpers shared by the packages' suites (a private package: tests only).
 */
import { type AttnkitError, isAttnkitError } from '@attnkit/core';

/** Runs `f` and returns the AttnkitError it throws; rethrows anything else; fails if nothing is thrown. */
export function thrownAttnkitError(f: () => unknown): AttnkitError {
  try {
    f();
  } catch (error) {
    if (isAttnkitError(error)) return error;
    throw error;
  }
  throw new Error('expected an AttnkitError');
}
