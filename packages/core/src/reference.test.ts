import { describe, expect, it } from 'vitest';
import { network, values } from '../test/definitions.js';
import { type AttnkitError, ErrorCodes } from './errors.js';
import type { Conv2dAttributes } from './ops.js';
import { referenceOps as ops, runReference } from './reference.js';
import { type Tensor, tensor } from './tensor.js';

const t = (shape: number[], data: number[]): Tensor => tensor(shape, data);
const conv = (a: Partial<Conv2dAttributes> = {}): Conv2dAttributes => ({ stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, ...a });
const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

// x = 1..9 as a 3x3 image:
//   1 2 3
//   4 5 6
//   7 8 9
const x3 = t([1, 1, 3, 3], range(9));

describe('reference conv2d', () => {
  it('a 2x2 diagonal kernel sums x[i][j] + x[i+1][j+1]; bias adds', () => {
    const w = t([1, 1, 2, 2], [1, 0, 0, 1]);
    const out = ops.conv2d(x3, w, undefined, conv());
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect(values(out)).toEqual([1 + 5, 2 + 6, 4 + 8, 5 + 9]);
    expect(values(ops.conv2d(x3, w, t([1], [0.5]), conv()))).toEqual([6.5, 8.5, 12.5, 14.5]);
  });

  it('stride 2, padding 1: a 3x3 box sum over the zero-padded image', () => {
    // Output 2x2 (floor((3 + 2 - 3) / 2) + 1). Windows centred on (0,0), (0,2), (2,0), (2,2):
    // 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28.
    const out = ops.conv2d(x3, t([1, 1, 3, 3], Array(9).fill(1)), undefined, conv({ stride: [2, 2], padding: [1, 1] }));
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect(values(out)).toEqual([12, 16, 24, 28]);
  });

  it('asymmetric padding and stride per axis', () => {
    // padding (0, 1), stride (1, 3), 1x1 kernel of weight 2: output width floor((3 + 2 - 1) / 3) + 1
    // = 2, reading columns -1 (padding: 0) and 2 (3, 6, 9 doubled) of each row.
    const out = ops.conv2d(x3, t([1, 1, 1, 1], [2]), undefined, conv({ stride: [1, 3], padding: [0, 1] }));
    expect(out.shape).toEqual([1, 1, 3, 2]);
    expect(values(out)).toEqual([0, 6, 0, 12, 0, 18]);
  });

  it('dilation 2 turns a 2x2 kernel into the four corners', () => {
    const out = ops.conv2d(x3, t([1, 1, 2, 2], [1, 1, 1, 1]), undefined, conv({ dilation: [2, 2] }));
    expect(out.shape).toEqual([1, 1, 1, 1]);
    expect(values(out)).toEqual([1 + 3 + 7 + 9]);
  });

  it('groups: each output channel sees only its group of input channels', () => {
    // x [1, 4, 1, 1] = 1, 2, 3, 4; groups 2, weight [2, 2, 1, 1] = [[1, 10], [100, 1000]]:
    // out0 = 1*1 + 2*10 = 21 (group 0: channels 0, 1), out1 = 3*100 + 4*1000 = 4300.
    const out = ops.conv2d(t([1, 4, 1, 1], [1, 2, 3, 4]), t([2, 2, 1, 1], [1, 10, 100, 1000]), t([2], [0.5, -0.5]), conv({ groups: 2 }));
    expect(values(out)).toEqual([21.5, 4299.5]);
  });

  it('depthwise (groups = C) with batch 2', () => {
    // Channel 0 [[1, 2], [3, 4]] * ones = 10; channel 1 [[5, 6], [7, 8]] * [[1, 0], [0, 0]] = 5.
    // Batch 1 is batch 0 negated.
    const x = t([2, 2, 2, 2], [...range(8), ...range(8).map((v) => -v)]);
    const w = t([2, 1, 2, 2], [1, 1, 1, 1, 1, 0, 0, 0]);
    const out = ops.conv2d(x, w, undefined, conv({ groups: 2 }));
    expect(out.shape).toEqual([2, 2, 1, 1]);
    expect(values(out)).toEqual([10, 5, -10, -5]);
  });

  it('a full conv mixes channels: out[o] = sum_c w[o, c] * x[c]', () => {
    const out = ops.conv2d(t([1, 2, 1, 1], [2, 3]), t([3, 2, 1, 1], [1, 1, 1, -1, 10, 0]), undefined, conv());
    expect(values(out)).toEqual([5, -1, 20]);
  });
});

describe('reference batchNorm', () => {
  it('is (x - mean) / sqrt(var + eps) * weight + bias per channel', () => {
    // channel 0: weight 2, bias 0, mean 2, var 4 -> (x - 2) / 2 * 2 = x - 2: [1, 3] -> [-1, 1]
    // channel 1: weight 1, bias 1, mean 0, var 0.25 -> x / 0.5 + 1: [2, 4] -> [5, 9]
    const x = t([1, 2, 1, 2], [1, 3, 2, 4]);
    const params = { weight: t([2], [2, 1]), bias: t([2], [0, 1]), runningMean: t([2], [2, 0]), runningVar: t([2], [4, 0.25]) };
    expect(values(ops.batchNorm(x, params, { eps: 0, momentum: 0.1 }))).toEqual([-1, 1, 5, 9]);
    // eps is added to the variance: var 3 + eps 1 -> divide by 2.
    const eps = ops.batchNorm(t([1, 1, 1, 1], [4]), { weight: t([1], [1]), bias: t([1], [0]), runningMean: t([1], [0]), runningVar: t([1], [3]) }, { eps: 1, momentum: 0.1 });
    expect(values(eps)).toEqual([2]);
  });
});

describe('reference activations, add', () => {
  it('relu, relu6, sigmoid', () => {
    expect(values(ops.relu(t([4], [-1, 0, 2, -0.5])))).toEqual([0, 0, 2, 0]);
    expect(values(ops.relu6(t([4], [-1, 3, 6, 7])))).toEqual([0, 3, 6, 6]);
    // sigmoid(0) = 1/2, sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4, sigmoid(-ln 3) = 1/4.
    const s = values(ops.sigmoid(t([3], [0, Math.log(3), -Math.log(3)])));
    expect(s[0]).toBe(0.5);
    expect(s[1]).toBeCloseTo(0.75, 7);
    expect(s[2]).toBeCloseTo(0.25, 7);
  });

  it('relu propagates NaN as PyTorch does', () => {
    expect(values(ops.relu(t([1], [Number.NaN])))).toEqual([Number.NaN]);
  });

  it('add', () => {
    expect(values(ops.add(t([1, 1, 1, 3], [1, 2, 3]), t([1, 1, 1, 3], [10, 20, 30])))).toEqual([11, 22, 33]);
  });
});

describe('reference catalog primitives (values by hand)', () => {
  it('sqrt, exp, reciprocal', () => {
    expect(values(ops.sqrt(t([1, 1, 1, 3], [4, 0.25, 0])))).toEqual([2, 0.5, 0]);
    expect(values(ops.exp(t([1, 1, 1, 2], [0, 1])))).toEqual([1, Math.fround(Math.E)]);
    expect(values(ops.reciprocal(t([1, 1, 1, 3], [4, -0.5, 0.125])))).toEqual([0.25, -2, 8]);
  });
  it('reshape keeps NCHW order: [1, 2, 1, 1] channel vector -> [1, 1, 2, 1] sequence', () => {
    const y = ops.reshape(t([1, 2, 1, 1], [3, 4]), [1, 1, 2, 1]);
    expect([y.shape, values(y)]).toEqual([[1, 1, 2, 1], [3, 4]]);
  });
  it('conv1d along H: [1, 2, 3] * [1, 0, -1] with padding 1 -> [-2, -2, 2]; + bias 0.5; two in, one out', () => {
    // z_i = sum_t w[t] x[i + t - 1]: z_0 = 0*1 + 1*... = 1*0 + 0*1 + -1*2 = -2, z_1 = 1 - 3 = -2, z_2 = 2 - 0 = 2
    const x = t([1, 1, 3, 1], [1, 2, 3]);
    expect(values(ops.conv1d(x, t([1, 1, 3], [1, 0, -1]), undefined, 1))).toEqual([-2, -2, 2]);
    expect(values(ops.conv1d(x, t([1, 1, 3], [1, 0, -1]), t([1], [0.5]), 1))).toEqual([-1.5, -1.5, 2.5]);
    // Cin = 2, k = 1: out = 2 * x0 + 10 * x1 per position
    expect(values(ops.conv1d(t([1, 2, 2, 1], [1, 2, 3, 4]), t([1, 2, 1], [2, 10]), undefined, 0))).toEqual([32, 44]);
  });
  it('avgPool2d counts only valid positions: [1, 2, 3, 4] (1 x 4), window 3, stride 2, padding 1 -> [(1+2)/2, (2+3+4)/3]', () => {
    const y = ops.avgPool2d(t([1, 1, 1, 4], [1, 2, 3, 4]), { kernel: [1, 3], stride: [1, 2], padding: [0, 1] });
    expect([y.shape, values(y)]).toEqual([[1, 1, 1, 2], [1.5, 3]]);
  });
  it('resizeNearest reads floor(i * h / H): [1, 2] (1 x 2) to 1 x 5 -> [1, 1, 1, 2, 2]; 2 x 1 to 3 x 1 -> rows 0, 0, 1', () => {
    expect(values(ops.resizeNearest(t([1, 1, 1, 2], [1, 2]), [1, 5]))).toEqual([1, 1, 1, 2, 2]);
    expect(values(ops.resizeNearest(t([1, 1, 2, 1], [7, 8]), [3, 1]))).toEqual([7, 7, 8]);
  });
  it("axisMean: [[1, 2, 3], [4, 5, 6]] over 'height' -> [2.5, 3.5, 4.5], over 'width' -> [2, 5]", () => {
    const plane = t([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
    expect(values(ops.axisMean(plane, 'height'))).toEqual([2.5, 3.5, 4.5]);
    expect(ops.axisMean(plane, 'height').shape).toEqual([1, 1, 1, 3]);
    expect(values(ops.axisMean(plane, 'width'))).toEqual([2, 5]);
    expect(ops.axisMean(plane, 'width').shape).toEqual([1, 1, 2, 1]);
  });
});

describe('reference mul broadcasts', () => {
  // x [2, 2, 1, 2]: batch 0 channels [1, 2], [3, 4]; batch 1 channels [5, 6], [7, 8].
  const x = t([2, 2, 1, 2], range(8));
  it('channel gate [N, C, 1, 1] scales whole planes', () => {
    const gate = t([2, 2, 1, 1], [10, 100, -1, 0]);
    expect(values(ops.mul(x, gate))).toEqual([10, 20, 300, 400, -5, -6, 0, 0]);
  });
  it('spatial gate [N, 1, H, W] scales each position of every channel', () => {
    const gate = t([2, 1, 1, 2], [10, 100, -1, 0]);
    expect(values(ops.mul(x, gate))).toEqual([10, 200, 30, 400, -5, 0, -7, 0]);
  });
  it('a gate of the shape of x multiplies element-wise', () => {
    expect(values(ops.mul(x, x))).toEqual(range(8).map((v) => v * v));
  });
  it('a per-image scalar [N, 1, 1, 1], a per-channel parameter [1, C, 1, 1] or [C], a row gate [N, C, 1, W] broadcast', () => {
    expect(values(ops.mul(x, t([2, 1, 1, 1], [2, -1])))).toEqual([2, 4, 6, 8, -5, -6, -7, -8]);
    expect(values(ops.mul(x, t([1, 2, 1, 1], [1, 10])))).toEqual([1, 2, 30, 40, 5, 6, 70, 80]);
    expect(values(ops.mul(x, t([2], [1, 10])))).toEqual([1, 2, 30, 40, 5, 6, 70, 80]);
    expect(values(ops.add(x, t([2, 2, 1, 1], [1, 2, 3, 4])))).toEqual([2, 3, 5, 6, 8, 9, 11, 12]);
  });
  it('a channel vector times a spatial map gives the full [N, C, H, W] (both sides broadcast)', () => {
    // [1, 2, 1, 1] x [1, 1, 1, 3] -> [[1, 2, 3], [10, 20, 30]]
    expect(values(ops.mul(t([1, 2, 1, 1], [1, 10]), t([1, 1, 1, 3], [1, 2, 3])))).toEqual([1, 2, 3, 10, 20, 30]);
  });
  it('refuses shapes that do not broadcast (SHAPE_MISMATCH)', () => {
    expect(() => ops.mul(x, t([1, 3, 1, 1], [1, 2, 3]))).toThrow('mul: shapes [2, 2, 1, 2] and [1, 3, 1, 1] do not broadcast');
    expect(() => ops.add(x, t([2, 2, 1, 3], range(12)))).toThrow(expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH }));
  });
  it('C = 1: a [N, 1, 1, 1] gate scales the single channel', () => {
    expect(values(ops.mul(t([2, 1, 1, 2], [1, 2, 3, 4]), t([2, 1, 1, 1], [10, -1])))).toEqual([10, 20, -3, -4]);
  });
});

describe('reference pools', () => {
  // channel 0 [[1, 2], [3, 4]]; channel 1 [[-1, -5], [0, 2]]
  const x = t([1, 2, 2, 2], [1, 2, 3, 4, -1, -5, 0, 2]);
  it('global average and max pool per plane -> [N, C, 1, 1]', () => {
    const avg = ops.globalAvgPool(x);
    expect(avg.shape).toEqual([1, 2, 1, 1]);
    expect(values(avg)).toEqual([2.5, -1]);
    expect(values(ops.globalMaxPool(x))).toEqual([4, 2]);
  });
  it('channel mean and max per position -> [N, 1, H, W]', () => {
    const mean = ops.channelMean(x);
    expect(mean.shape).toEqual([1, 1, 2, 2]);
    expect(values(mean)).toEqual([0, -1.5, 1.5, 3]);
    expect(values(ops.channelMax(x))).toEqual([1, 2, 3, 4]);
  });
  it('global max of an all-negative plane is its largest value, not 0', () => {
    expect(values(ops.globalMaxPool(t([1, 1, 1, 2], [-3, -2])))).toEqual([-2]);
  });

  it('maxPool2d 2x2 stride 2', () => {
    const out = ops.maxPool2d(t([1, 1, 4, 4], range(16)), { kernel: [2, 2], stride: [2, 2], padding: [0, 0] });
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect(values(out)).toEqual([6, 8, 14, 16]);
  });

  it('maxPool2d pads with -inf (the ResNet stem: 3x3, stride 2, padding 1)', () => {
    // x = -(1..16) as 4x4. Windows (rows, cols) clipped to the image: (0..1, 0..1) -> -1,
    // (0..1, 1..3) -> -2, (1..3, 0..1) -> -5, (1..3, 1..3) -> -6. Zero padding would give 0s.
    const out = ops.maxPool2d(t([1, 1, 4, 4], range(16).map((v) => -v)), { kernel: [3, 3], stride: [2, 2], padding: [1, 1] });
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect(values(out)).toEqual([-1, -2, -5, -6]);
  });
});

describe('reference avgPool2d (timm avg_down: 2x2, stride 2, ceil mode)', () => {
  it('5x5 -> 3x3: the last row and column of windows are clipped and average only what they cover', () => {
    // x = 1..25 as 5x5. Full windows: (1+2+6+7)/4 = 4, (3+4+8+9)/4 = 6, (11+12+16+17)/4 = 14,
    // (13+14+18+19)/4 = 16; right column (5+10)/2 = 7.5, (15+20)/2 = 17.5; bottom row
    // (21+22)/2 = 21.5, (23+24)/2 = 23.5; corner 25 alone. Counting the hanging zeros would give 3.75, ... 6.25.
    const out = ops.avgPool2d(t([1, 1, 5, 5], range(25)), { kernel: [2, 2], stride: [2, 2], ceilMode: true });
    expect(out.shape).toEqual([1, 1, 3, 3]);
    expect(values(out)).toEqual([4, 6, 7.5, 14, 16, 17.5, 21.5, 23.5, 25]);
  });

  it('floor mode drops the partial windows: 5x5 -> 2x2', () => {
    const out = ops.avgPool2d(t([1, 1, 5, 5], range(25)), { kernel: [2, 2], stride: [2, 2], ceilMode: false });
    expect(values(out)).toEqual([4, 6, 14, 16]);
  });
});

describe('reference channelConv1d', () => {
  // v = [1, 2, 3, 4]; z_i = sum_t w[t] * v[i + t - 1]
  const v = t([1, 4, 1, 1], [1, 2, 3, 4]);
  const w = t([1, 1, 3], [1, 10, 100]);
  it('shared kernel, zero padding', () => {
    // z0 = 0 + 10 + 200, z1 = 1 + 20 + 300, z2 = 2 + 30 + 400, z3 = 3 + 40 + 0
    const z = ops.channelConv1d(v, w, 'zeros');
    expect(z.shape).toEqual([1, 4, 1, 1]);
    expect(values(z)).toEqual([210, 321, 432, 43]);
  });
  it('shared kernel, circular padding (CECA)', () => {
    // z0 = v3 * 1 + 10 + 200 = 214, z3 = 3 + 40 + v0 * 100 = 143
    expect(values(ops.channelConv1d(v, w, 'circular'))).toEqual([214, 321, 432, 143]);
  });
  it('per-channel kernels [C, 1, k] (ECA-NS)', () => {
    // ch0 [1, 1, 1]: 0 + 1 + 2; ch1 [0, 1, 0]: 2; ch2 [1, 0, 0]: v1 = 2; ch3 [0, 0, 1]: v4 -> pad.
    const wns = t([4, 1, 3], [1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
    expect(values(ops.channelConv1d(v, wns, 'zeros'))).toEqual([3, 2, 2, 0]);
    expect(values(ops.channelConv1d(v, wns, 'circular'))).toEqual([7, 2, 2, 1]);
  });
  it('k = 1 scales, k = 5 reaches two neighbours, batches stay apart', () => {
    const vb = t([2, 3, 1, 1], [1, 2, 3, -1, -2, -3]);
    expect(values(ops.channelConv1d(vb, t([1, 1, 1], [2]), 'zeros'))).toEqual([2, 4, 6, -2, -4, -6]);
    // k = 5 of ones: every channel sees all 3 (the rest is padding): sums 6 and -6.
    expect(values(ops.channelConv1d(vb, t([1, 1, 5], [1, 1, 1, 1, 1]), 'zeros'))).toEqual([6, 6, 6, -6, -6, -6]);
  });
});

describe('reference linear, concat, flatten', () => {
  it('linear on [N, F] and [N, F, 1, 1] is x W^T + b', () => {
    // rows [1, 2, 3], [4, 5, 6]; W = [[1, 0, -1], [0.5, 0.5, 0.5]]; b = [10, 0]
    const x = t([2, 3], range(6));
    const w = t([2, 3], [1, 0, -1, 0.5, 0.5, 0.5]);
    const out = ops.linear(x, w, t([2], [10, 0]));
    expect(out.shape).toEqual([2, 2]);
    expect(values(out)).toEqual([8, 3, 8, 7.5]);
    const out4 = ops.linear(t([2, 3, 1, 1], range(6)), w, undefined);
    expect(out4.shape).toEqual([2, 2, 1, 1]);
    expect(values(out4)).toEqual([-2, 3, -2, 7.5]);
  });

  it('concatChannels keeps each batch together', () => {
    const a = t([2, 1, 1, 2], [1, 2, 3, 4]);
    const b = t([2, 2, 1, 2], [5, 6, 7, 8, 9, 10, 11, 12]);
    const out = ops.concatChannels([a, b]);
    expect(out.shape).toEqual([2, 3, 1, 2]);
    expect(values(out)).toEqual([1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
  });

  it('flatten is [N, C*H*W] in NCHW order', () => {
    const out = ops.flatten(t([2, 2, 1, 2], range(8)));
    expect(out.shape).toEqual([2, 4]);
    expect(values(out)).toEqual(range(8));
  });
});

describe('runReference', () => {
  const net = network((scope, x) => scope.ops.mul(x, scope.param({ name: 'g', shape: [1, 1, 1, 1], layout: 'vector', trainable: true, init: { kind: 'constant', value: 1 } })));
  const input = t([1, 1, 1, 1], [3]);

  it('feeds weights by full name', () => {
    expect(values(runReference(net, new Map([['g', t([1, 1, 1, 1], [2])]]), input)[0])).toEqual([6]);
  });

  it('a missing weight is UNKNOWN_PARAMETER, a mis-shaped one SHAPE_MISMATCH', () => {
    expect(() => runReference(net, new Map(), input)).toThrow(expect.objectContaining({ code: ErrorCodes.UNKNOWN_PARAMETER }));
    const err = (() => {
      try {
        runReference(net, new Map([['g', t([1], [2])]]), input);
      } catch (e) {
        return e as AttnkitError;
      }
    })();
    expect(err?.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(err?.message).toBe("parameter 'g' has shape [1] but the network declares [1, 1, 1, 1]");
  });
});
