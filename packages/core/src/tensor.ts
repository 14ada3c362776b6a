import { AttnkitError, ErrorCodes } from './errors.js';

/** Shapes are plain number arrays; canonical layout is NCHW: `[N, C, H, W]`. */
export type Shape = readonly number[];

/** A dense float32 tensor in canonical (PyTorch) layout. */
export interface Tensor {
  readonly shape: Shape;
  readonly data: Float32Array;
}

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function tensor(shape: Shape, data?: ArrayLike<number>): Tensor {
  const size = sizeOf(shape);
  if (data !== undefined && data.length !== size) {
    throw new AttnkitError(
      ErrorCodes.SHAPE_MISMATCH,
      `tensor of shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`,
      { shape, length: data.length },
    );
  }
  return { shape: [...shape], data: data === undefined ? new Float32Array(size) : Float32Array.from(data) };
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** max |a - b| over all elements. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** ||a - b||_2 / ||b||_2 with b the reference. */
export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num) / Math.sqrt(den || 1);
}
