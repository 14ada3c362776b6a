import type { Shape } from './tensor.js';

/**
 * The shape `b` takes when it meets a 4-D `a` in `add` / `mul`: a 1-D per-channel vector [C]
 * (LayerNorm's weight) acts as [1, C, 1, 1]; any other shape is its own.
 */
export function asNchw(a: Shape, b: Shape): Shape {
  return a.length === 4 && b.length === 1 ? [1, b[0], 1, 1] : b;
}

/**
 * NumPy broadcasting of two shapes of one rank (after `asNchw`): in every axis the sizes are
 * equal or one is 1, and the result takes the larger. undefined when they do not broadcast.
 */
export function broadcastShape(a: Shape, b: Shape): Shape | undefined {
  const bb = asNchw(a, b);
  if (a.length !== bb.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== bb[i] && a[i] !== 1 && bb[i] !== 1) return undefined;
    out.push(Math.max(a[i], bb[i]));
  }
  return out;
}

/** Row-major strides of `shape` inside `out`'s index space, 0 along broadcast axes. */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = out.length - 1; i >= 0; i--) {
    strides[i] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}
