import { describe, expect, it } from 'vitest';
import { network, values } from '../test/definitions.js';
import { AttnkitError, ErrorCodes } from './errors.js';
import type { Conv2dAttributes } from './ops.js';
import { referenceOps as ops, runReference } from './reference.js';
import { sizeOf, type Tensor, tensor } from './tensor.js';

/*
 * Index arithmetic that a single image with a single channel cannot show: every op on a batch of
 * 2 with 3 channels (H 4 != W 5, so swapped axes show) must equal the same op on each image,
 * and each plane-wise op the same op on each [1, 1, H, W] plane alone, where the batch and
 * channel offsets are all 0. The single-plane results carry the hand-checked tests in
 * reference.test.ts over to any batch and channel count.
 */

/** Small integers (-11..11) in an order with no period that lines up with H, W or C. */
const filled = (shape: number[], salt = 0): Tensor => tensor(shape, Array.from({ length: sizeOf(shape) }, (_, i) => (((i + salt) * 37) % 23) - 11));
/** `x` cut into `count` equal runs of its data, each of shape `shape` (one image by default). */
const slices = (x: Tensor, count: number, shape = [1, ...x.shape.slice(1)]): Tensor[] => {
  const size = x.data.length / count;
  return Array.from({ length: count }, (_, i) => tensor(shape, x.data.subarray(i * size, (i + 1) * size)));
};
/** The results of `parts` stacked along the batch axis, as one tensor of shape `shape`. */
const stacked = (shape: number[], parts: Tensor[]): Tensor => tensor(shape, parts.flatMap((p) => values(p)));
const conv = (a: Partial<Conv2dAttributes> = {}): Conv2dAttributes => ({ stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, ...a });

const N = 2;
const C = 3;
const H = 4;
const W = 5;
const x = filled([N, C, H, W]);
const planes = slices(x, N * C, [1, 1, H, W]);
const images = slices(x, N);

/** `op` on the whole batch equals `op` on each [1, 1, H, W] plane, and has no NaN (no read out of range). */
function expectPlaneWise(op: (t: Tensor, plane: number) => Tensor): void {
  const whole = op(x, -1);
  const parts = planes.map((p, i) => op(p, i));
  expect(whole.shape).toEqual([N, C, ...parts[0].shape.slice(2)]);
  expect(values(whole)).toEqual(parts.flatMap((p) => values(p)));
  expect(values(whole).every(Number.isFinite)).toBe(true);
}

/** `op` on the whole batch equals `op` on each image. */
function expectImageWise(op: (t: Tensor, image: number) => Tensor, input = x): void {
  const whole = op(input, -1);
  const parts = slices(input, N).map((p, i) => op(p, i));
  expect(whole.shape).toEqual([N, ...parts[0].shape.slice(1)]);
  expect(values(whole)).toEqual(parts.flatMap((p) => values(p)));
  expect(values(whole).every(Number.isFinite)).toBe(true);
}

describe('reference ops on a batch of 2 with 3 channels, H 4, W 5', () => {
  it('conv2d (3x3, padding 1, bias; stride 2 with dilation) per image', () => {
    const weight = filled([4, C, 3, 3], 5);
    const bias = tensor([4], [1, -2, 3, -4]);
    expectImageWise((t) => ops.conv2d(t, weight, bias, conv({ padding: [1, 1] })));
    expectImageWise((t) => ops.conv2d(t, weight, undefined, conv({ stride: [2, 1], padding: [2, 1], dilation: [2, 1] })));
  });

  it('depthwise conv2d per plane, with each plane its own channel of the weight', () => {
    const weight = filled([C, 1, 3, 3], 3);
    const bias = tensor([C], [0.5, -1, 2]);
    const channel = (i: number) => i % C;
    expectPlaneWise((t, p) =>
      p < 0
        ? ops.conv2d(t, weight, bias, conv({ padding: [1, 1], groups: C }))
        : ops.conv2d(t, slices(weight, C)[channel(p)], tensor([1], [bias.data[channel(p)]]), conv({ padding: [1, 1] })),
    );
  });

  it('batchNorm per plane, with a non-zero running mean and a scale other than 1', () => {
    const params = { weight: tensor([C], [3, -0.5, 2]), bias: tensor([C], [1, 0, -2]), runningMean: tensor([C], [2, -3, 0.5]), runningVar: tensor([C], [1, 4, 0.25]) };
    const channel = (p: number) => {
      const c = p % C;
      const one = (t: Tensor) => tensor([1], [t.data[c]]);
      return { weight: one(params.weight), bias: one(params.bias), runningMean: one(params.runningMean), runningVar: one(params.runningVar) };
    };
    expectPlaneWise((t, p) => ops.batchNorm(t, p < 0 ? params : channel(p), { eps: 0, momentum: 0.1 }));
  });

  it('batchNorm shifts by mean * scale: weight 3, var 1, mean 2, bias 1 maps 4 to (4 - 2) * 3 + 1 = 7', () => {
    const params = { weight: tensor([1], [3]), bias: tensor([1], [1]), runningMean: tensor([1], [2]), runningVar: tensor([1], [1]) };
    expect(values(ops.batchNorm(tensor([1, 1, 1, 2], [4, 0]), params, { eps: 0, momentum: 0.1 }))).toEqual([7, -5]);
  });

  it('mul and add with per-plane, spatial and channel gates', () => {
    const spatial = filled([N, 1, H, W], 7);
    const channelGate = tensor([N, C, 1, 1], [1, -2, 3, -4, 5, -6]);
    expectPlaneWise((t, p) => ops.mul(t, p < 0 ? spatial : slices(spatial, N)[Math.floor(p / C)]));
    expectPlaneWise((t, p) => ops.mul(t, p < 0 ? channelGate : tensor([1, 1, 1, 1], [channelGate.data[p]])));
    expectPlaneWise((t, p) => ops.add(t, p < 0 ? channelGate : tensor([1, 1, 1, 1], [channelGate.data[p]])));
    expectImageWise((t, i) => ops.mul(t, i < 0 ? spatial : slices(spatial, N)[i]));
  });

  it('global pools per plane; channel mean and max per image', () => {
    expectPlaneWise((t) => ops.globalAvgPool(t));
    expectPlaneWise((t) => ops.globalMaxPool(t));
    expectImageWise((t) => ops.channelMean(t));
    expectImageWise((t) => ops.channelMax(t));
  });

  it('maxPool2d (3x3, stride 2, padding 1) and avgPool2d (2x2, stride 2, ceil mode; 3x3 padding 1) per plane', () => {
    expectPlaneWise((t) => ops.maxPool2d(t, { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }));
    expectPlaneWise((t) => ops.maxPool2d(t, { kernel: [2, 3], stride: [1, 2], padding: [0, 1] }));
    expectPlaneWise((t) => ops.avgPool2d(t, { kernel: [2, 2], stride: [2, 2], ceilMode: true }));
    expectPlaneWise((t) => ops.avgPool2d(t, { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }));
  });

  it('resizeNearest and axisMean per plane', () => {
    expectPlaneWise((t) => ops.resizeNearest(t, [7, 3]));
    expectPlaneWise((t) => ops.resizeNearest(t, [2, 9]));
    expectPlaneWise((t) => ops.axisMean(t, 'height'));
    expectPlaneWise((t) => ops.axisMean(t, 'width'));
  });

  it('conv1d along H, channelConv1d and linear per image', () => {
    const sequence = filled([N, C, 6, 1], 2);
    expectImageWise((t) => ops.conv1d(t, filled([2, C, 3], 4), tensor([2], [1, -1]), 1), sequence);
    const vector = filled([N, 5, 1, 1], 1);
    expectImageWise((t) => ops.channelConv1d(t, tensor([1, 1, 3], [1, 10, 100]), 'zeros'), vector);
    expectImageWise((t) => ops.channelConv1d(t, tensor([1, 1, 3], [1, 10, 100]), 'circular'), vector);
    expectImageWise((t) => ops.linear(t, filled([4, 5], 9), tensor([4], [1, 2, 3, 4])), vector);
    expectImageWise((t) => ops.linear(t, filled([4, 5], 9), undefined), tensor([N, 5], vector.data));
  });

  it('concatChannels and flatten per image', () => {
    const other = filled([N, 2, H, W], 11);
    expectImageWise((t, i) => ops.concatChannels([t, i < 0 ? other : slices(other, N)[i], t]));
    expectImageWise((t) => ops.flatten(t));
    expect(ops.flatten(x).shape).toEqual([N, C * H * W]);
    expect(stacked([N, C * H * W], images.map((i) => ops.flatten(i))).data).toEqual(ops.flatten(x).data);
  });
});

describe('reference edge values', () => {
  it('maxPool2d windows that hang over the bottom and right edge read nothing past them', () => {
    // Two 3x3 planes 1..9 and 10..18; 3x3 windows, stride 2, padding 1: rows/columns {0, 1} and
    // {1, 2}. Plane 0: 5, 6, 8, 9; plane 1: 14, 15, 17, 18. A window reading row 3 or column 3
    // would see the next row or plane, whose values are larger.
    const out = ops.maxPool2d(tensor([1, 2, 3, 3], Array.from({ length: 18 }, (_, i) => i + 1)), { kernel: [3, 3], stride: [2, 2], padding: [1, 1] });
    expect(values(out)).toEqual([5, 6, 8, 9, 14, 15, 17, 18]);
  });

  it('channelMax of all-negative channels is the largest value, not 0', () => {
    expect(values(ops.channelMax(tensor([1, 2, 1, 2], [-3, -8, -2, -9])))).toEqual([-2, -8]);
  });

  it('conv1d with two output channels reads each its own kernel row: [[1, 10], [100, 1000]] on (1, 2) -> 21, 2100', () => {
    expect(values(ops.conv1d(tensor([1, 2, 1, 1], [1, 2]), tensor([2, 2, 1], [1, 10, 100, 1000]), undefined, 0))).toEqual([21, 2100]);
  });

  it('avgPool2d padding along H counts only the rows inside: [1, 2, 3, 4] (4 x 1), window 3, stride 2, padding 1 -> [(1+2)/2, (2+3+4)/3]', () => {
    const y = ops.avgPool2d(tensor([1, 1, 4, 1], [1, 2, 3, 4]), { kernel: [3, 1], stride: [2, 1], padding: [1, 0] });
    expect([y.shape, values(y)]).toEqual([
      [1, 1, 2, 1],
      [1.5, 3],
    ]);
  });

  it('add and mul name themselves in their shape errors; mul needs a 4-D x', () => {
    const x = tensor([1, 2, 1, 2], [1, 2, 3, 4]);
    expect(() => ops.add(x, tensor([1, 3, 1, 1], [1, 2, 3]))).toThrow('add: shapes [1, 2, 1, 2] and [1, 3, 1, 1] do not broadcast');
    expect(() => ops.mul(tensor([2], [1, 2]), tensor([2], [1, 2]))).toThrow(new AttnkitError(ErrorCodes.SHAPE_MISMATCH, 'mul: x must be 4-D [N, C, H, W], got [2]'));
  });

  it('flatten and reshape copy: writing to the result leaves the input as it was', () => {
    const input = tensor([1, 2, 1, 1], [1, 2]);
    ops.flatten(input).data[0] = 99;
    ops.reshape(input, [1, 1, 2, 1]).data[1] = 99;
    expect(values(input)).toEqual([1, 2]);
  });
});

describe('runReference parameter errors', () => {
  const net = network((scope, input) =>
    scope.ops.mul(input, scope.param({ name: 'block.gate', shape: [1, 2, 1, 1], layout: 'vector', trainable: true, init: { kind: 'constant', value: 1 } })),
  );
  const input = tensor([1, 2, 1, 1], [3, 4]);
  const thrown = (weights: Map<string, Tensor>): AttnkitError => {
    try {
      runReference(net, weights, input);
    } catch (error) {
      if (error instanceof AttnkitError) return error;
    }
    throw new Error('runReference did not throw an AttnkitError');
  };

  it('a missing parameter names it, with its shape, and what to do', () => {
    const error = thrown(new Map());
    expect(error.code).toBe(ErrorCodes.UNKNOWN_PARAMETER);
    expect(error.message).toBe("no value for parameter 'block.gate' [1, 2, 1, 1]: initialize the network's parameters (initializeWeights) or load a checkpoint that has it");
    expect(error.details).toEqual({ name: 'block.gate' });
  });

  it('a misshaped parameter gives the expected and the actual shape', () => {
    const error = thrown(new Map([['block.gate', tensor([2], [1, 1])]]));
    expect(error.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(error.details).toEqual({ name: 'block.gate', expected: [1, 2, 1, 1], actual: [2] });
  });

  it('a network returning several tensors gives them all, in order', () => {
    const pair = network((scope, t) => [scope.ops.relu(t), scope.ops.affine(t, -1, 0)]);
    const outputs = runReference(pair, new Map(), tensor([1, 1, 1, 2], [-1, 2]));
    expect(outputs.map(values)).toEqual([
      [0, 2],
      [1, -2],
    ]);
  });
});
