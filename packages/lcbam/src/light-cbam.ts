/**
 * Light CBAM: timm's `LightCbamModule` (create_attn 'lcbam'), a lighter variant of CBAM
 * ("CBAM: Convolutional Block Attention Module", Woo et al., ECCV 2018, arXiv 1807.06521).
 *
 * Channel gate: p = 0.5 GAP(x) + 0.5 GMP(x) (pooled first, so the MLP runs once, where CBAM runs
 * it on each pool); a = sigmoid(fc2(relu(fc1(p)))), fc1 C -> rd, fc2 rd -> C, 1x1 convs without
 * bias, rd = round(C / r) (timm's make_divisible(C/r, 1, round_limit=0)); x1 = x * a.
 * Spatial gate on x1: s = 0.5 mean_C(x1) + 0.5 max_C(x1) (one plane, where CBAM concatenates
 * two); out = x1 * sigmoid(BN(conv_kxk(s))), conv 1 -> 1 without bias, padding (k-1)/2.
 * Parameters 2 C rd + k^2 + 2; MACs 2 C rd + k^2 H W per image.
 * NOTE: not in the CBAM paper; timm's own experiment, followed exactly (BN eps 1e-5).
 */
import { type AttentionOptions, AttnkitError, ErrorCodes, batchNormParams, batchNormValues, conv2dParams, defineAttention, makeDivisible, sameConv } from '@attnkit/core';

const pointwise = sameConv();

export const lcbam = defineAttention({
  id: 'lcbam',
  package: '@attnkit/lcbam',
  description: "Light CBAM (timm): MLP on 0.5 (avg + max) pool, then a kxk conv + BN on 0.5 (mean + max) over channels",
  attributeName: 'se',
  options: {
    reductionRatio: { type: 'integer', default: 16, min: 1, description: 'r: the channel MLP has round(C/r) hidden units' },
    spatialKernelSize: { type: 'integer', default: 7, min: 1, description: 'k: the spatial conv is k x k (odd), padding (k-1)/2' },
  },
  configure: (channels, o) => ({
    reducedChannels: makeDivisible(channels / o.reductionRatio, 1, 0),
    spatialKernelSize: oddKernel(o.spatialKernelSize),
  }),
  parameters: (channels, config) => {
    const rd = config.reducedChannels;
    const k = config.spatialKernelSize;
    return [
      ...conv2dParams('channel.fc1', rd, channels, 1, { bias: false }),
      ...conv2dParams('channel.fc2', channels, rd, 1, { bias: false }),
      ...conv2dParams('spatial.conv.conv', 1, 1, k, { bias: false }),
      ...batchNormParams('spatial.conv.bn', 1),
    ];
  },
  forward: (ops, x, p, config) => {
    const k = config.spatialKernelSize;
    const pooled = ops.affine(ops.add(ops.globalAvgPool(x), ops.globalMaxPool(x)), 0.5, 0);
    const hidden = ops.relu(ops.conv2d(pooled, p['channel.fc1.weight'], undefined, pointwise));
    const x1 = ops.mul(x, ops.sigmoid(ops.conv2d(hidden, p['channel.fc2.weight'], undefined, pointwise)));
    const plane = ops.affine(ops.add(ops.channelMean(x1), ops.channelMax(x1)), 0.5, 0);
    const half = (k - 1) / 2;
    const conv = ops.conv2d(plane, p['spatial.conv.conv.weight'], undefined, sameConv(half));
    return ops.mul(x1, ops.sigmoid(ops.batchNorm(conv, batchNormValues(p, 'spatial.conv.bn'), { eps: 1e-5, momentum: 0.1 })));
  },
  testCases: [
    // C = 16, r = 16: rd = 1; 2*16*1 + 7*7 + 2 = 83; BN running mean and var are buffers
    { label: 'lcbam', options: {}, channels: 16, trainable: 83, nonTrainable: 2 },
    // r = 4: rd = 4; 2*16*4 + 3*3 + 2 = 139
    { label: 'lcbam r4 k3', options: { reductionRatio: 4, spatialKernelSize: 3 }, channels: 16, trainable: 139, nonTrainable: 2 },
  ],
});

function oddKernel(k: number): number {
  if (k % 2 === 1) return k;
  throw new AttnkitError(ErrorCodes.INVALID_OPTION, `lcbam: option 'spatialKernelSize' is ${k}; expected an odd integer (timm pads (k-1)/2 on both sides, which keeps H x W only for odd k)`, {
    path: 'spatialKernelSize',
    value: k,
  });
}

/** lcbam's options (see the schema above). */
export type LightCbamOptions = AttentionOptions<typeof lcbam>;
