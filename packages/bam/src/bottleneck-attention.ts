/**
 * BAM: Bottleneck Attention Module. "BAM: Bottleneck Attention Module", Park et al., BMVC 2018,
 * arXiv 1807.06514; as the official code (Jongchan/attention-module, MODELS/bam.py).
 *
 * The paper's F' = F + F (x) M(F), M(F) = sigmoid(M_c(F) + M_s(F)) broadcast to C x H x W,
 * written F * (1 + M(F)).
 * Channel branch M_c: MLP(AvgPool(F)), Linear C -> C/r (bias), BatchNorm1d, ReLU, Linear C/r -> C
 * (bias) [N, C, 1, 1].
 * Spatial branch M_s: 1x1 conv C -> C/r (bias) + BN + ReLU, two 3x3 convs with dilation 4
 * (padding 4, bias) + BN + ReLU, 1x1 conv C/r -> 1 (bias) [N, 1, H, W].
 * Parameters, with m = C // r: 2 C m + 3 m + C (channel: two Linear, BN weight and bias) +
 * C m + 18 m^2 + 10 m + 1 (spatial: four convs with bias, three BNs); MACs per image
 * 2 C m + (C m + 18 m^2 + m) H W.
 * NOTE: the official code multiplies the two branches (`channel * spatial`) where the paper adds
 * them; we follow the code. It pools with an H x H window (`avg_pool2d(x, H, stride
 * H)`), the global average on the square maps BAM is used on; we take the global average for
 * any H x W. C < r keeps one hidden channel (the official C // r = 0 builds empty layers), as
 * attnkit's CBAM does.
 */
import { type AttentionOptions, type Conv2dAttributes, batchNormParams, batchNormValues, conv2dParams, defineAttention, linearParams, sameConv } from '@attnkit/core';

const batchNorm = { eps: 1e-5, momentum: 0.1 } as const;
const pointwise = sameConv();
const dilated = sameConv(4, { dilation: 4 });

export const bam = defineAttention({
  id: 'bam',
  package: '@attnkit/bam',
  description: 'BAM (official): x * (1 + sigmoid(channel MLP branch * dilated-conv spatial branch))',
  attributeName: 'bam',
  options: {
    reductionRatio: { type: 'integer', default: 16, min: 1, description: 'r: both branches narrow to C // r channels' },
  },
  configure: (channels, o) => ({ reducedChannels: Math.max(1, Math.floor(channels / o.reductionRatio)) }),
  parameters: (channels, config) => {
    const m = config.reducedChannels;
    return [
      ...linearParams('channel_att.gate_c.gate_c_fc_0', m, channels),
      ...batchNormParams('channel_att.gate_c.gate_c_bn_1', m),
      ...linearParams('channel_att.gate_c.gate_c_fc_final', channels, m),
      ...conv2dParams('spatial_att.gate_s.gate_s_conv_reduce0', m, channels, 1),
      ...batchNormParams('spatial_att.gate_s.gate_s_bn_reduce0', m),
      ...conv2dParams('spatial_att.gate_s.gate_s_conv_di_0', m, m, 3),
      ...batchNormParams('spatial_att.gate_s.gate_s_bn_di_0', m),
      ...conv2dParams('spatial_att.gate_s.gate_s_conv_di_1', m, m, 3),
      ...batchNormParams('spatial_att.gate_s.gate_s_bn_di_1', m),
      ...conv2dParams('spatial_att.gate_s.gate_s_conv_final', 1, m, 1),
    ];
  },
  forward: (ops, x, p) => {
    const c = 'channel_att.gate_c.';
    const hidden = ops.relu(ops.batchNorm(ops.linear(ops.globalAvgPool(x), p[`${c}gate_c_fc_0.weight`], p[`${c}gate_c_fc_0.bias`]), batchNormValues(p, `${c}gate_c_bn_1`), batchNorm));
    const channel = ops.linear(hidden, p[`${c}gate_c_fc_final.weight`], p[`${c}gate_c_fc_final.bias`]);
    const s = 'spatial_att.gate_s.';
    const layer = (input: typeof x, conv: string, bn: string, attributes: Conv2dAttributes) =>
      ops.relu(ops.batchNorm(ops.conv2d(input, p[`${s}${conv}.weight`], p[`${s}${conv}.bias`], attributes), batchNormValues(p, `${s}${bn}`), batchNorm));
    let spatial = layer(x, 'gate_s_conv_reduce0', 'gate_s_bn_reduce0', pointwise);
    spatial = layer(spatial, 'gate_s_conv_di_0', 'gate_s_bn_di_0', dilated);
    spatial = layer(spatial, 'gate_s_conv_di_1', 'gate_s_bn_di_1', dilated);
    spatial = ops.conv2d(spatial, p[`${s}gate_s_conv_final.weight`], p[`${s}gate_s_conv_final.bias`], pointwise);
    return ops.mul(x, ops.affine(ops.sigmoid(ops.mul(channel, spatial)), 1, 1));
  },
  testCases: [
    // C = 16, r = 16: m = 1; channel 2*16 + 3 + 16 = 51, spatial 16 + 18 + 10 + 1 = 45; BN statistics 2 * 4 BNs
    { label: 'bam', options: {}, channels: 16, trainable: 96, nonTrainable: 8 },
    // r = 8: m = 2; channel 2*32 + 6 + 16 = 86, spatial 32 + 72 + 20 + 1 = 125; statistics 2*2*4
    { label: 'bam r8', options: { reductionRatio: 8 }, channels: 16, trainable: 211, nonTrainable: 16 },
  ],
});

/** bam's options (see the schema above). */
export type BamOptions = AttentionOptions<typeof bam>;
