/**
 * Typed errors. Every public entry of attnkit validates its input and throws an `AttnkitError`
 * whose `code` is stable (match on it, not on the message) and whose message says what was wrong
 * and what would be right.
 */
export const ErrorCodes = {
  /** An attention id that is not registered. `details.known` lists the ids that are. */
  UNKNOWN_MODULE: 'UNKNOWN_MODULE',
  /** A different definition registered under an id that is taken. */
  DUPLICATE_MODULE: 'DUPLICATE_MODULE',
  /** An option of a module, backbone or command with a bad value. `details.path`, `details.allowed`. */
  INVALID_OPTION: 'INVALID_OPTION',
  /** A kernel-size rule that cannot give a valid k (even k, k < 1, a list without a stage). */
  INVALID_KERNEL_SIZE: 'INVALID_KERNEL_SIZE',
  /** A tensor whose shape is not what the op or module needs. */
  SHAPE_MISMATCH: 'SHAPE_MISMATCH',
  /** An unknown backbone name. */
  UNKNOWN_BACKBONE: 'UNKNOWN_BACKBONE',
  /** A parameter name that the network does not declare, or a missing one. */
  UNKNOWN_PARAMETER: 'UNKNOWN_PARAMETER',
  /** A weights file that does not match the network (missing, unexpected or mis-shaped keys). */
  WEIGHTS_MISMATCH: 'WEIGHTS_MISMATCH',
  /** An ECA kernel size in a weights file that differs from the model's. */
  KERNEL_SIZE_MISMATCH: 'KERNEL_SIZE_MISMATCH',
  /** A file that cannot be parsed (truncated, corrupt, wrong format). */
  INVALID_FILE: 'INVALID_FILE',
  /** An insertion point that does not exist; `details.nearest` lists close names. */
  UNKNOWN_INSERTION_POINT: 'UNKNOWN_INSERTION_POINT',
  /** An insertion point whose tensor is not 4-D [N, C, H, W]. */
  INVALID_INSERTION_POINT: 'INVALID_INSERTION_POINT',
  /** An ONNX opset the emitter cannot meet. */
  UNSUPPORTED_OPSET: 'UNSUPPORTED_OPSET',
  /** An op, dtype or feature that a backend does not support. */
  UNSUPPORTED: 'UNSUPPORTED',
  /** No runtime backend could be loaded; `details.tried` lists each with its reason. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** A bench or CLI config that fails its schema; `details.issues` lists each bad field. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** A broken invariant inside attnkit (a bug, not bad input): please report it. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/**
 * Marks attnkit errors. `Symbol.for` is one symbol per process, so two copies of core (a
 * bundler's duplicate, two installed versions) recognize each other's errors, where
 * `instanceof` against one copy's class would miss the other's.
 */
const attnkitErrorMarker = Symbol.for('attnkit.error');

export interface AttnkitErrorOptions {
  /** The error this one was raised from (a parse failure, a runtime's exception), kept as `error.cause`. */
  cause?: unknown;
}

export class AttnkitError extends Error {
  override readonly name = 'AttnkitError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly [attnkitErrorMarker] = true;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options: AttnkitErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    this.details = details;
  }

  /** `error instanceof AttnkitError` holds for an AttnkitError of any copy of core. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [attnkitErrorMarker]?: unknown })[attnkitErrorMarker] === true;
  }
}

/** Whether `value` is an AttnkitError (of any copy of core), with the given code if one is given. */
export function isAttnkitError(value: unknown, code?: ErrorCode): value is AttnkitError {
  return value instanceof AttnkitError && (code === undefined || value.code === code);
}

/** Names in `candidates` closest to `name` (edit distance), for "did you mean" messages. */
export function nearestNames(name: string, candidates: Iterable<string>, count = 5): string[] {
  const scored: Array<[number, string]> = [];
  for (const candidate of candidates) scored.push([editDistance(name, candidate), candidate]);
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, count).map(([, candidate]) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
