/**
 * Coordinate attention. "Coordinate Attention for Efficient Mobile Network Design", Hou et al.,
 * CVPR 2021, arXiv 2103.02907; as the official code (houqb/CoordAttention, `CoordAtt(inp, oup =
 * inp, reduction = 32)`).
 *
 * z^h = mean over W (x) [N, C, H, 1], z^w = mean over H (x) [N, C, 1, W] (Eq. 4, 5);
 * f = h_swish(BN(conv1([z^h, z^w]))), conv1 a 1x1 conv C -> mip with bias, mip = max(8, C // r)
 * (Eq. 6); g^h = sigmoid(conv_h(f^h)), g^w = sigmoid(conv_w(f^w)), 1x1 convs mip -> C with bias
 * (Eq. 7, 8); out = x * g^w * g^h (Eq. 9).
 * Parameters 3 C mip + 3 mip + 2 C (conv1, BN weight and bias, conv_h, conv_w);
 * MACs 2 (H + W) C mip per image.
 * NOTE: the official code concatenates z^h and z^w along H, runs conv1 + BN + h_swish once and
 * splits; every one of those acts per position with BN's running statistics, so running them on
 * z^h and z^w separately (here, no concat/split and no permutes) gives the same values in
 * inference. In training, BN's batch statistics would be taken per direction instead of over
 * both.
 */
import { type AttentionOptions, batchNormParams, batchNormValues, conv2dParams, defineAttention, sameConv } from '@attnkit/core';

const pointwise = sameConv();

export const coordatt = defineAttention({
  id: 'coordatt',
  package: '@attnkit/coordatt',
  description: 'Coordinate attention: pools along H and W, shared 1x1 conv + BN + h_swish, a sigmoid gate per direction',
  attributeName: 'coordatt',
  options: {
    reductionRatio: { type: 'integer', default: 32, min: 1, description: 'r: the shared conv has max(minChannels, C // r) channels' },
    minChannels: { type: 'integer', default: 8, min: 1, description: 'the floor of the shared conv width (8 in the official code)' },
  },
  configure: (channels, o) => ({ reducedChannels: Math.max(o.minChannels, Math.floor(channels / o.reductionRatio)) }),
  parameters: (channels, config) => {
    const mip = config.reducedChannels;
    return [...conv2dParams('conv1', mip, channels, 1), ...batchNormParams('bn1', mip), ...conv2dParams('conv_h', channels, mip, 1), ...conv2dParams('conv_w', channels, mip, 1)];
  },
  forward: (ops, x, p) => {
    const shared = (z: typeof x) => ops.hardSwish(ops.batchNorm(ops.conv2d(z, p['conv1.weight'], p['conv1.bias'], pointwise), batchNormValues(p, 'bn1'), { eps: 1e-5, momentum: 0.1 }));
    const alongHeight = ops.sigmoid(ops.conv2d(shared(ops.axisMean(x, 'width')), p['conv_h.weight'], p['conv_h.bias'], pointwise));
    const alongWidth = ops.sigmoid(ops.conv2d(shared(ops.axisMean(x, 'height')), p['conv_w.weight'], p['conv_w.bias'], pointwise));
    return ops.mul(ops.mul(x, alongWidth), alongHeight);
  },
  testCases: [
    // C = 16: mip = max(8, 16 // 32) = 8; 3*16*8 + 3*8 + 2*16 = 440; BN statistics 2*8
    { label: 'coordatt', options: {}, channels: 16, trainable: 440, nonTrainable: 16 },
  ],
});

/** coordatt's options (see the schema above). */
export type CoordAttOptions = AttentionOptions<typeof coordatt>;
