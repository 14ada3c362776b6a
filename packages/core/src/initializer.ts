import type { ParamSpec } from './parameter.js';
import { type Tensor, sizeOf } from './tensor.js';

/**
 * Seeded, order-independent initialization: each parameter draws from its own stream, keyed by
 * (seed, full parameter name), so one seed gives the same weights on every backend and however
 * a network is traversed. Distributions follow PyTorch's defaults (see `Initializer`); the
 * streams are ours (xoshiro128**), so values differ from torch.manual_seed's.
 */
export function initializeParameter(spec: ParamSpec, seed: number, fullName: string): Tensor {
  const size = sizeOf(spec.shape);
  const data = new Float32Array(size);
  const init = spec.init;
  if (init.kind === 'constant') {
    data.fill(init.value);
    return { shape: [...spec.shape], data };
  }
  const random = createRandom(seed, fullName);
  switch (init.kind) {
    case 'kaiming-uniform': {
      const bound = 1 / Math.sqrt(init.fanIn);
      for (let i = 0; i < size; i++) data[i] = (random.uniform() * 2 - 1) * bound;
      break;
    }
    case 'uniform':
      for (let i = 0; i < size; i++) data[i] = (random.uniform() * 2 - 1) * init.bound;
      break;
    case 'kaiming-normal-fan-out': {
      const std = Math.sqrt(2 / init.fanOut);
      for (let i = 0; i < size; i++) data[i] = random.normal() * std;
      break;
    }
    case 'normal':
      for (let i = 0; i < size; i++) data[i] = (init.mean ?? 0) + random.normal() * init.std;
      break;
  }
  return { shape: [...spec.shape], data };
}

export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

/** A deterministic stream for (seed, key). Also used for seeded random inputs. */
export function createRandom(seed: number, key = ''): Random {
  // cyrb128-style hashing of the key and seed into four 32-bit words.
  let h1 = 1779033703 ^ seed;
  let h2 = 3144134277 ^ Math.imul(seed, 2654435761);
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ c, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ c, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ c, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ c, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  let s0 = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
  let s1 = (h2 ^ h1) >>> 0;
  let s2 = (h3 ^ h1) >>> 0;
  let s3 = (h4 ^ h1) >>> 0 || 1;
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  for (let i = 0; i < 8; i++) next();
  let spare: number | undefined;
  const uniform = (): number => (next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53;
  return {
    uniform,
    normal(): number {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      let u = 0;
      while (u === 0) u = uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seeded random input, U(-1, 1) by default: the same on every backend for the same seed. */
export function randomTensor(shape: readonly number[], seed: number, key = 'input'): Tensor {
  const random = createRandom(seed, key);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = random.uniform() * 2 - 1;
  return { shape: [...shape], data };
}
