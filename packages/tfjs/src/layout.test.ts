import { type ParamSpec, isAttnkitError, tensor } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { fromTfjsLayout, tfjsShape, toTfjsLayout } from './layout.js';

const spec = (layout: ParamSpec['layout'], shape: number[]): ParamSpec => ({ name: 'w', shape, layout, trainable: true, init: { kind: 'constant', value: 0 } });
/** Canonical data whose value is its own flat index, so every moved element names its origin. */
const indexed = (shape: number[]) => tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));

describe('toTfjsLayout / fromTfjsLayout', () => {
  it('conv2d OIHW [O, I, kh, kw] -> HWIO [kh, kw, I, O]: tfjs[y, x, i, o] = W[o, i, y, x]', () => {
    const [o, i, kh, kw] = [3, 2, 4, 5];
    const s = spec('conv2d', [o, i, kh, kw]);
    const t = toTfjsLayout(s, indexed(s.shape as number[]));
    expect(t.shape).toEqual([kh, kw, i, o]);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let c = 0; c < i; c++)
          for (let d = 0; d < o; d++) expect(t.data[((y * kw + x) * i + c) * o + d]).toBe(((d * i + c) * kh + y) * kw + x);
    // A hand-checked element: W[2, 1, 3, 4] (flat 2*40 + 1*20 + 3*5 + 4 = 119) sits at tfjs [3, 4, 1, 2].
    expect(t.data[((3 * kw + 4) * i + 1) * o + 2]).toBe(119);
    expect(fromTfjsLayout(s, t).data).toEqual(indexed(s.shape as number[]).data);
  });

  it('depthwise conv2d [C*m, 1, kh, kw] -> [kh, kw, C, m] with groups = C: tfjs[y, x, c, j] = W[c*m + j, 0, y, x]', () => {
    const [c, m, kh, kw] = [4, 2, 3, 3];
    const s = spec('conv2d', [c * m, 1, kh, kw]);
    const t = toTfjsLayout(s, indexed(s.shape as number[]), { groups: c });
    expect(t.shape).toEqual([kh, kw, c, m]);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let g = 0; g < c; g++)
          for (let j = 0; j < m; j++) expect(t.data[((y * kw + x) * c + g) * m + j]).toBe((g * m + j) * kh * kw + y * kw + x);
    // Same values in the same order as the HWIO kernel [kh, kw, 1, C*m]: only the shape differs.
    expect(toTfjsLayout(s, indexed(s.shape as number[])).data).toEqual(t.data);
    expect(fromTfjsLayout(s, t, { groups: c }).data).toEqual(indexed(s.shape as number[]).data);
  });

  it('conv1d [O, 1, k] -> [k, 1, O]: the ECA weight [1, 1, k] becomes tf.conv1d filter [k, 1, 1] unflipped', () => {
    const eca = spec('conv1d', [1, 1, 3]);
    const t = toTfjsLayout(eca, tensor([1, 1, 3], [0.2, -0.5, 0.3]));
    expect(t.shape).toEqual([3, 1, 1]);
    expect([...t.data]).toEqual([...new Float32Array([0.2, -0.5, 0.3])]);
    const ns = spec('conv1d', [4, 1, 3]);
    const u = toTfjsLayout(ns, indexed([4, 1, 3]));
    expect(u.shape).toEqual([3, 1, 4]);
    for (let tap = 0; tap < 3; tap++) for (let c = 0; c < 4; c++) expect(u.data[tap * 4 + c]).toBe(c * 3 + tap);
    expect(fromTfjsLayout(ns, u).data).toEqual(indexed([4, 1, 3]).data);
  });

  it('linear [out, in] -> [in, out]: tfjs[i, o] = W[o, i]', () => {
    const s = spec('linear', [3, 5]);
    const t = toTfjsLayout(s, indexed([3, 5]));
    expect(t.shape).toEqual([5, 3]);
    for (let i = 0; i < 5; i++) for (let o = 0; o < 3; o++) expect(t.data[i * 3 + o]).toBe(o * 5 + i);
    expect(fromTfjsLayout(s, t).data).toEqual(indexed([3, 5]).data);
  });

  it('vector is unchanged', () => {
    const s = spec('vector', [6]);
    expect(toTfjsLayout(s, indexed([6]))).toEqual({ shape: [6], data: indexed([6]).data });
    expect(tfjsShape(s)).toEqual([6]);
  });

  it('rejects a tensor whose shape is not the declared one, in both directions', () => {
    const s = spec('linear', [3, 5]);
    const wrong = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return isAttnkitError(error, 'SHAPE_MISMATCH');
      }
      return false;
    };
    expect(wrong(() => toTfjsLayout(s, indexed([5, 3])))).toBe(true);
    expect(wrong(() => fromTfjsLayout(s, indexed([3, 5])))).toBe(true);
  });
});
