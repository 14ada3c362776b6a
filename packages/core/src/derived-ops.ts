import type { DerivedOpName, DerivedOps, OpName, Ops, PrimitiveOps } from './ops.js';

/**
 * Each derived op written once over the other ops. A definition receives the completed ops,
 * so it may use other derived ops (without cycles) and picks up a backend's overrides.
 */
type DerivedOpDefinitions = { [K in DerivedOpName]: <T>(ops: Ops<T>) => DerivedOps<T>[K] };

export const derivedOps = {
  sub: (ops) => (a, b) => ops.add(a, ops.affine(b, -1, 0)),
  square: (ops) => (x) => ops.mul(x, x),
  hardSigmoid: (ops) => (x) => ops.affine(ops.relu6(ops.affine(x, 1, 3)), 1 / 6, 0),
  hardSwish: (ops) => (x) => ops.mul(x, ops.hardSigmoid(x)),
  // tanh(x) = (1 - e^-2x) / (1 + e^-2x) = 2 / (1 + e^-2x) - 1 = 2 sigmoid(2x) - 1.
  tanh: (ops) => (x) => ops.affine(ops.sigmoid(ops.affine(x, 2, 0)), 2, -1),
  div: (ops) => (a, b) => ops.mul(a, ops.reciprocal(b)),
  abs: (ops) => (x) => ops.add(ops.relu(x), ops.relu(ops.affine(x, -1, 0))),
  planeSoftmax: (ops) => (x) => {
    const [, , h, w] = ops.shape(x);
    const e = ops.exp(ops.sub(x, ops.globalMaxPool(x)));
    return ops.div(e, ops.affine(ops.globalAvgPool(e), h * w, 0));
  },
} as const satisfies DerivedOpDefinitions;

/** Every primitive by name: the list `withDerivedOps` binds (a missing name fails to compile). */
const primitiveNames = Object.keys({
  shape: true,
  conv2d: true,
  batchNorm: true,
  relu: true,
  relu6: true,
  sigmoid: true,
  affine: true,
  sqrt: true,
  exp: true,
  reciprocal: true,
  axisMean: true,
  avgPool2d: true,
  resizeNearest: true,
  reshape: true,
  conv1d: true,
  add: true,
  mul: true,
  globalAvgPool: true,
  globalMaxPool: true,
  channelMean: true,
  channelMax: true,
  maxPool2d: true,
  channelConv1d: true,
  linear: true,
  concatChannels: true,
  flatten: true,
} satisfies Record<OpName | 'shape', true>) as Array<keyof PrimitiveOps<unknown>>;

/**
 * A backend's primitives completed with every derived op: `overrides` replaces the composition
 * of the ops a backend computes faster (tfjs has `tf.tanh`). The primitives are bound to their
 * object, so a class instance (the tracer) works as well as an object literal.
 */
export function withDerivedOps<T>(primitives: PrimitiveOps<T>, overrides: Partial<DerivedOps<T>> = {}): Ops<T> {
  const ops = {} as Ops<T>;
  for (const name of primitiveNames) Object.assign(ops, { [name]: (primitives[name] as (...args: unknown[]) => unknown).bind(primitives) });
  for (const name of Object.keys(derivedOps) as DerivedOpName[]) Object.assign(ops, { [name]: overrides[name] ?? derivedOps[name](ops) });
  return ops;
}
