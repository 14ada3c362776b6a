import { describe, expect, it } from 'vitest';
import { createRandom, initializeParameter, randomTensor } from './initializer.js';
import type { Initializer, ParamSpec } from './parameter.js';

const spec = (init: Initializer, shape: number[] = [100_000]): ParamSpec => ({ name: 'weight', shape, layout: 'vector', trainable: true, init });

function stats(data: Float32Array) {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of data) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / data.length;
  let squares = 0;
  for (const v of data) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / data.length), min, max };
}

/*
 * Tolerances, N = 100,000 draws, each at 5 standard errors (a false alarm about 1 in 1.7 million):
 * - mean: SE = sigma / sqrt(N) = sigma / 316.2 -> tolerance 5 * sigma / 316.2 = 0.0158 sigma.
 * - std: the relative SE of a sample std is sqrt((kurtosis - 1) / (4N)); uniform (kurtosis 1.8):
 *   sqrt(0.8 / 400,000) = 0.00141 -> 0.71 % at 5 SE; normal (kurtosis 3): sqrt(2 / 400,000) =
 *   0.00224 -> 1.12 % at 5 SE.
 * - fraction of a normal within one sigma: p = 0.6827, SE sqrt(p(1-p)/N) = 0.00147 -> 0.0074.
 * The streams are deterministic, so these tests cannot flake; the tolerances say how far off a
 * correct sampler could be, so that a wrong scale (e.g. fan_in for fan_out) fails.
 */
describe('initializers: distributions', () => {
  it('kaiming-uniform is U(-1/sqrt(fanIn), 1/sqrt(fanIn)): fanIn 9 -> bound 1/3, std 1/(3 sqrt 3)', () => {
    const bound = 1 / 3;
    const sigma = bound / Math.sqrt(3);
    const s = stats(initializeParameter(spec({ kind: 'kaiming-uniform', fanIn: 9 }), 1, 'a').data);
    expect(Math.abs(s.mean)).toBeLessThan(0.0158 * sigma);
    expect(Math.abs(s.std / sigma - 1)).toBeLessThan(0.0071);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeLessThanOrEqual(bound);
    // Some draw comes within 0.1 % of each bound: P(none in a 0.05 % slice) = 0.9995^100000 = e^-50.
    expect(s.min).toBeLessThan(-bound * 0.999);
    expect(s.max).toBeGreaterThan(bound * 0.999);
  });

  it('uniform(bound 0.5)', () => {
    const sigma = 0.5 / Math.sqrt(3);
    const s = stats(initializeParameter(spec({ kind: 'uniform', bound: 0.5 }), 1, 'b').data);
    expect(Math.abs(s.mean)).toBeLessThan(0.0158 * sigma);
    expect(Math.abs(s.std / sigma - 1)).toBeLessThan(0.0071);
    expect(s.min).toBeGreaterThanOrEqual(-0.5);
    expect(s.max).toBeLessThanOrEqual(0.5);
  });

  it('kaiming-normal-fan-out is N(0, sqrt(2 / fanOut)): fanOut 50 -> std 0.2', () => {
    const data = initializeParameter(spec({ kind: 'kaiming-normal-fan-out', fanOut: 50 }), 1, 'c').data;
    const s = stats(data);
    expect(Math.abs(s.mean)).toBeLessThan(0.0158 * 0.2);
    expect(Math.abs(s.std / 0.2 - 1)).toBeLessThan(0.0112);
    const within = data.filter((v) => Math.abs(v) < 0.2).length / data.length;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.0074);
  });

  it('normal(mean 3, std 0.01)', () => {
    const s = stats(initializeParameter(spec({ kind: 'normal', mean: 3, std: 0.01 }), 1, 'd').data);
    // float32 spacing near 3 is 2.4e-7, far below the 1.6e-4 tolerance.
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.0158 * 0.01);
    expect(Math.abs(s.std / 0.01 - 1)).toBeLessThan(0.0112);
  });

  it('normal without a mean is centred at 0', () => {
    const s = stats(initializeParameter(spec({ kind: 'normal', std: 0.01 }), 1, 'e').data);
    expect(Math.abs(s.mean)).toBeLessThan(0.0158 * 0.01);
  });

  it('constant', () => {
    const t = initializeParameter(spec({ kind: 'constant', value: 0.25 }, [2, 3]), 1, 'f');
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
  });
});

describe('initializers: seeding', () => {
  const s = spec({ kind: 'kaiming-uniform', fanIn: 4 }, [64]);
  it('same seed and name give identical values', () => {
    expect(initializeParameter(s, 7, 'layer1.0.conv1.weight').data).toEqual(initializeParameter(s, 7, 'layer1.0.conv1.weight').data);
    expect(randomTensor([2, 3], 5).data).toEqual(randomTensor([2, 3], 5).data);
  });

  it('different names or seeds give different streams', () => {
    const a = initializeParameter(s, 7, 'layer1.0.conv1.weight').data;
    const b = initializeParameter(s, 7, 'layer1.0.conv2.weight').data;
    const c = initializeParameter(s, 8, 'layer1.0.conv1.weight').data;
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(c);
    // Not merely shifted or scaled: the streams are uncorrelated (|r| < 5 / sqrt(64) = 0.625 for
    // independent draws; a real collision would give r = 1).
    const r = correlation(a, b);
    expect(Math.abs(r)).toBeLessThan(0.625);
  });

  it('uniform() is in [0, 1) and normal() is finite', () => {
    const random = createRandom(0, 'x');
    for (let i = 0; i < 10_000; i++) {
      const u = random.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      expect(Number.isFinite(random.normal())).toBe(true);
    }
  });

  it('randomTensor is U(-1, 1)', () => {
    const t = randomTensor([4, 8, 8], 0);
    expect(t.shape).toEqual([4, 8, 8]);
    for (const v of t.data) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });
});

function correlation(a: Float32Array, b: Float32Array): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
