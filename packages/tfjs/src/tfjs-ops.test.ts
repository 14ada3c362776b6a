/** tfjsOps on the ops the attention modules do not reach (the zoo's), against the reference. */
import { type Conv2dAttributes, type Tensor as CoreTensor, type DerivedOpName, type ParamSpec, derivedOps, maxAbsDiff, randomTensor, referenceOps } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendName, useBackend } from './backends.js';
import { toTfjsLayout } from './layout.js';
import { tfjsOps } from './tfjs-ops.js';

const nhwc = (x: CoreTensor) => tf.transpose(tf.tensor4d(x.data, x.shape as [number, number, number, number]), [0, 2, 3, 1]);
const nchw = (y: tf.Tensor) => tf.transpose(y, [0, 3, 1, 2]).dataSync();
const convSpec = (shape: number[]): ParamSpec => ({ name: 'weight', shape, layout: 'conv2d', trainable: true, init: { kind: 'constant', value: 0 } });
const kernel = (w: CoreTensor, groups = 1) => {
  const t = toTfjsLayout(convSpec([...w.shape]), w, { groups });
  return tf.tensor(t.data, [...t.shape]);
};
const attrs = (stride: number, padding: number, groups = 1): Conv2dAttributes => ({ stride: [stride, stride], padding: [padding, padding], dilation: [1, 1], groups });

describe.each(['cpu', 'wasm'] as BackendName[])('tfjsOps on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  const ops = tfjsOps();

  // Stride 2 is where TF's 'same' pads (0, 1) / (2, 3) and PyTorch (1, 1) / (3, 3).
  it.each([
    ['3x3 stride 2 pad 1', [6, 4, 3, 3], 2, 1, 1],
    ['7x7 stride 2 pad 3 (ResNet stem)', [4, 3, 7, 7], 2, 3, 1],
    ['depthwise 3x3 stride 2 pad 1', [4, 1, 3, 3], 2, 1, 4],
    ['grouped 3x3 (2 groups)', [6, 2, 3, 3], 1, 1, 2],
  ] as const)('conv2d %s matches the reference to 1e-5', (_label, shape, stride, padding, groups) => {
    const x = randomTensor([2, 4, 9, 8].map((d, i) => (i === 1 ? (groups > 1 ? 4 : shape[1]) : d)), 1);
    const w = randomTensor(shape, 2, 'w');
    const b = randomTensor([shape[0]], 3, 'b');
    const a = attrs(stride, padding, groups);
    const y = ops.conv2d(nhwc(x), kernel(w, groups), tf.tensor1d(b.data), a);
    const expected = referenceOps.conv2d(x, w, b, a);
    expect(ops.shape(y)).toEqual(expected.shape);
    expect(maxAbsDiff(nchw(y), expected.data)).toBeLessThan(1e-5);
  });

  it('conv2d filter gradient at stride 2 matches the reference (wasm: computed with forward convs)', () => {
    const x = randomTensor([2, 3, 7, 6], 4);
    const w = randomTensor([2, 3, 3, 3], 5, 'w');
    const a = attrs(2, 1);
    const r = randomTensor([2, 2, 4, 3], 6, 'r');
    const rs = tf.transpose(tf.tensor4d(r.data, [2, 2, 4, 3]), [0, 2, 3, 1]);
    const dw = tf.grad((k: tf.Tensor) => tf.sum(tf.mul(ops.conv2d(nhwc(x), k, undefined, a), rs)))(kernel(w));
    // d/dW[o, i, ky, kx] of sum(conv(x, W) * r) = sum over outputs of r * x at the tap: the conv of x with r.
    const fd = new Float32Array(w.data.length);
    const eps = 1e-2;
    for (let i = 0; i < fd.length; i++) {
      const f = (delta: number) => {
        const ww = { shape: w.shape, data: w.data.slice() };
        ww.data[i] += delta;
        const y = referenceOps.conv2d(x, ww, undefined, a).data;
        return y.reduce((s, v, j) => s + v * r.data[j], 0);
      };
      fd[i] = (f(eps) - f(-eps)) / (2 * eps);
    }
    expect(maxAbsDiff(kernel({ shape: w.shape, data: fd }).dataSync(), dw.dataSync())).toBeLessThan(2e-3);
  });

  it.each([
    ['3x3 stride 2 pad 1 (GE-theta)', 3, 2, 1],
    ['5x5 stride 1 pad 2', 5, 1, 2],
  ] as const)('depthwise conv2d %s: input and filter gradients match central differences of the reference (wasm: composed here)', (_label, k, stride, padding) => {
    const x = randomTensor([2, 3, 7, 6], 9);
    const w = randomTensor([3, 1, k, k], 10, 'w');
    const a = attrs(stride, padding, 3);
    const outShape = referenceOps.conv2d(x, w, undefined, a).shape;
    const r = randomTensor([...outShape], 11, 'r');
    const rs = nhwc(r);
    const f = (input: tf.Tensor, filter: tf.Tensor) => tf.sum(tf.mul(ops.conv2d(input, filter, undefined, a), rs));
    const [dx, dw] = tf.grads(f)([nhwc(x), kernel(w, 3)]);
    const objective = (xs: CoreTensor, ws: CoreTensor) => referenceOps.conv2d(xs, ws, undefined, a).data.reduce((sum, v, j) => sum + v * r.data[j], 0);
    const difference = (t: CoreTensor, i: number, other: (t: CoreTensor) => number) => {
      const eps = 1e-2;
      const at = (delta: number) => {
        const data = t.data.slice();
        data[i] += delta;
        return other({ shape: t.shape, data });
      };
      return (at(eps) - at(-eps)) / (2 * eps);
    };
    const fdX = Float32Array.from(x.data, (_, i) => difference(x, i, (xs) => objective(xs, w)));
    const fdW = Float32Array.from(w.data, (_, i) => difference(w, i, (ws) => objective(x, ws)));
    expect(maxAbsDiff(nchw(dx), fdX)).toBeLessThan(2e-3);
    expect(maxAbsDiff(dw.dataSync(), kernel({ shape: w.shape, data: fdW }, 3).dataSync())).toBeLessThan(2e-3);
  });

  it('globalMaxPool passes the gradient to the maximum of an all-negative plane (wasm 4.22 MaxPoolGrad gives it none)', () => {
    const x = randomTensor([2, 3, 4, 5], 12);
    const negative = { shape: x.shape, data: x.data.map((v) => v - 3) };
    const r = randomTensor([2, 3, 1, 1], 13, 'r');
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(ops.globalMaxPool(input), nhwc(r))))(nhwc(negative));
    // d/dx of sum(max(plane) * r) is r at the plane's maximum, 0 elsewhere.
    const expected = new Float32Array(negative.data.length);
    for (let plane = 0; plane < 6; plane++) {
      const values = negative.data.subarray(plane * 20, plane * 20 + 20);
      expected[plane * 20 + values.indexOf(Math.max(...values))] = r.data[plane];
    }
    expect(maxAbsDiff(nchw(dx), expected)).toBe(0);
  });

  it('maxPool2d 3x3 stride 2 pad 1 pads with -inf (all-negative input)', () => {
    const x = randomTensor([1, 2, 7, 8], 7);
    const negative = { shape: x.shape, data: x.data.map((v) => v - 2) };
    const a = { kernel: [3, 3], stride: [2, 2], padding: [1, 1] } as const;
    const expected = referenceOps.maxPool2d(negative, a);
    const y = ops.maxPool2d(nhwc(negative), a);
    expect(ops.shape(y)).toEqual([1, 2, 4, 4]);
    expect(maxAbsDiff(nchw(y), expected.data)).toBe(0);
  });

  it.each([
    ['8x8 (no window clipped)', 8, 8],
    ['5x7 (ceil mode clips the last row and column)', 5, 7],
  ])('avgPool2d 2x2 stride 2 ceil mode, %s, equals the reference', (_label, h, w) => {
    const x = randomTensor([2, 3, h, w], 8);
    const a = { kernel: [2, 2], stride: [2, 2], ceilMode: true } as const;
    const expected = referenceOps.avgPool2d(x, a);
    const y = ops.avgPool2d(nhwc(x), a);
    expect(ops.shape(y)).toEqual(expected.shape);
    expect(maxAbsDiff(nchw(y), expected.data)).toBeLessThan(1e-6);
  });

  // Overridden (sub, square, tanh: one tf kernel) or composed by core (hardSigmoid, hardSwish).
  it.each(Object.keys(derivedOps) as DerivedOpName[])('derived op %s matches the reference composition to 1e-6', (name) => {
    // Values in [-4, 4]: both sides of hardSigmoid's knees at -3 and 3.
    const x = randomTensor([2, 3, 4, 5], 12);
    const wide = { shape: x.shape, data: x.data.map((v) => 4 * v) };
    const y = randomTensor([2, 3, 4, 5], 13);
    // div's divisor in [1, 3], away from 0.
    const other = name === 'div' ? { shape: y.shape, data: y.data.map((v) => v + 2) } : y;
    const binary = name === 'sub' || name === 'div';
    const expected = binary ? referenceOps[name](wide, other) : referenceOps[name](wide);
    const actual = binary ? ops[name](nhwc(wide), nhwc(other)) : ops[name](nhwc(wide));
    expect(ops.shape(actual)).toEqual(expected.shape);
    expect(maxAbsDiff(nchw(actual), expected.data)).toBeLessThan(1e-6);
  });

  it('affine: x * scale + offset', () => {
    const x = randomTensor([1, 2, 3, 3], 14);
    const expected = referenceOps.affine(x, -0.5, 2);
    expect(maxAbsDiff(nchw(ops.affine(nhwc(x), -0.5, 2)), expected.data)).toBeLessThan(1e-7);
  });

  it('flatten keeps PyTorch C, H, W order; linear takes [in, out] weights', () => {
    const x = randomTensor([2, 3, 2, 4], 8);
    expect(maxAbsDiff(ops.flatten(nhwc(x)).dataSync(), referenceOps.flatten(x).data)).toBe(0);
    const v = randomTensor([2, 5], 9);
    const w = randomTensor([3, 5], 10, 'w');
    const wt = toTfjsLayout({ name: 'w', shape: [3, 5], layout: 'linear', trainable: true, init: { kind: 'constant', value: 0 } }, w);
    const y = ops.linear(tf.tensor2d(v.data, [2, 5]), tf.tensor(wt.data, [...wt.shape]), undefined);
    expect(maxAbsDiff(y.dataSync(), referenceOps.linear(v, w, undefined).data)).toBeLessThan(1e-6);
  });
});
