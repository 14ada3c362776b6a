import { describe, expect, it } from 'vitest';
import { createRandom, initializeParameter, randomTensor } from './initializer.js';
import type { Initializer, ParamSpec } from './parameter.js';

/*
 * The stream a (seed, key) names is part of the contract: a seed written in a bench config or a
 * doc must give the same weights and inputs in every release. So the generator is checked against
 * an independent restatement of its definition (initializer.ts's doc: cyrb128-style hashing of
 * the key and seed into four words, eight warm-up steps, then xoshiro128**; uniforms from 53
 * bits of two outputs; Box-Muller normals, cos then sin), written with BigInt masks instead of
 * Math.imul and >>> so that it shares no code or tricks with the implementation.
 */
const M32 = 0xffffffffn;
const u32 = (x: number) => BigInt(x >>> 0);
const mul = (a: bigint, b: bigint) => (a * b) & M32;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;

function referenceStream(seed: number, key: string) {
  let h1 = 1779033703n ^ u32(seed);
  let h2 = 3144134277n ^ mul(u32(seed), 2654435761n);
  let h3 = 1013904242n;
  let h4 = 2773480762n;
  for (const char of key) {
    const c = BigInt(char.charCodeAt(0));
    h1 = h2 ^ mul(h1 ^ c, 597399067n);
    h2 = h3 ^ mul(h2 ^ c, 2869860233n);
    h3 = h4 ^ mul(h3 ^ c, 951274213n);
    h4 = h1 ^ mul(h4 ^ c, 2716044179n);
  }
  h1 = mul(h3 ^ (h1 >> 18n), 597399067n);
  h2 = mul(h4 ^ (h2 >> 22n), 2869860233n);
  h3 = mul(h1 ^ (h3 >> 17n), 951274213n);
  h4 = mul(h2 ^ (h4 >> 19n), 2716044179n);
  const s = [h1 ^ h2 ^ h3 ^ h4, h2 ^ h1, h3 ^ h1, h4 ^ h1 || 1n];
  const next = (): bigint => {
    const result = mul(rotl(mul(s[1], 5n), 7n), 9n);
    const t = (s[1] << 9n) & M32;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    return result;
  };
  for (let i = 0; i < 8; i++) next();
  const uniform = () => {
    const high = next();
    const low = next() >> 11n;
    return Number((high << 21n) + low) / 2 ** 53;
  };
  const normals: number[] = [];
  const normal = () => {
    if (normals.length === 0) {
      let u = 0;
      while (u === 0) u = uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      normals.push(r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v));
    }
    return normals.shift() as number;
  };
  return { uniform, normal };
}

const spec = (init: Initializer, shape: number[]): ParamSpec => ({ name: 'weight', shape, layout: 'vector', trainable: true, init });

describe('seeded streams match their definition', () => {
  it.each([
    [0, ''],
    [7, 'layer1.0.conv1.weight'],
    [123456, 'bootstrap'],
  ])('uniform() for seed %i, key %j', (seed, key) => {
    const random = createRandom(seed, key);
    const reference = referenceStream(seed, key);
    for (let i = 0; i < 200; i++) expect(random.uniform()).toBe(reference.uniform());
  });

  it('normal() gives Box-Muller pairs, cos then sin', () => {
    const random = createRandom(3, 'x');
    const reference = referenceStream(3, 'x');
    for (let i = 0; i < 200; i++) expect(random.normal()).toBe(reference.normal());
  });

  it("the default keys are '' for createRandom and 'input' for randomTensor", () => {
    const reference = referenceStream(5, '');
    const random = createRandom(5);
    for (let i = 0; i < 20; i++) expect(random.uniform()).toBe(reference.uniform());
    const input = referenceStream(5, 'input');
    expect(Array.from(randomTensor([2, 3], 5).data)).toEqual(Array.from({ length: 6 }, () => Math.fround(input.uniform() * 2 - 1)));
  });

  it('initializers scale and shift the stream as their formulas say', () => {
    const name = 'fc.weight';
    const uniform = referenceStream(1, name);
    // kaiming-uniform, fanIn 4: (2u - 1) / sqrt(4).
    expect(Array.from(initializeParameter(spec({ kind: 'kaiming-uniform', fanIn: 4 }, [8]), 1, name).data)).toEqual(
      Array.from({ length: 8 }, () => Math.fround((uniform.uniform() * 2 - 1) * 0.5)),
    );
    const normal = referenceStream(1, name);
    // normal(mean 3, std 0.5): 3 + 0.5 z, not 3 - 0.5 z (the same distribution, another stream).
    expect(Array.from(initializeParameter(spec({ kind: 'normal', mean: 3, std: 0.5 }, [8]), 1, name).data)).toEqual(
      Array.from({ length: 8 }, () => Math.fround(3 + normal.normal() * 0.5)),
    );
  });
});

describe('randomTensor', () => {
  it('fills every element with U(-1, 1): mean 0, variance 1/3, values near both ends', () => {
    // N = 10,000: SE of the mean sqrt(1/3) / 100 = 0.0058, tolerance 5 SE = 0.029.
    const { data } = randomTensor([10_000], 2);
    let sum = 0;
    let squares = 0;
    for (const v of data) {
      sum += v;
      squares += v * v;
    }
    expect(Math.abs(sum / data.length)).toBeLessThan(0.029);
    // Relative SE of a uniform's variance estimate sqrt(0.8 / N) = 0.0089; 5 SE = 4.5 %.
    expect(Math.abs(squares / data.length / (1 / 3) - 1)).toBeLessThan(0.045);
    expect(Math.min(...data)).toBeLessThan(-0.99);
    expect(Math.max(...data)).toBeGreaterThan(0.99);
  });
});
