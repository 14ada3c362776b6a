/**
 * ESE: effective Squeeze-Excitation. "CenterMask: Real-Time Anchor-Free Instance Segmentation",
 * Lee and Park, CVPR 2020, arXiv 1911.06667 (the eSE of VoVNetV2); as timm's
 * `EffectiveSEModule` (create_attn 'ese').
 *
 * s = GAP(x) (with addMaxPool: 0.5 GAP(x) + 0.5 GMP(x)); a = hard_sigmoid(fc(s)), fc a 1x1 conv
 * C -> C with bias; out = x * a. One FC keeps all C channels (SE's two FCs reduce to C/r).
 * Parameters C^2 + C; MACs C^2 per image.
 * NOTE: hard_sigmoid is relu6(x + 3) / 6 (timm, PyTorch's Hardsigmoid); addMaxPool is timm's
 * experimental option, not in the paper.
 */
import { type AttentionOptions, conv2dParams, defineAttention, sameConv } from '@attnkit/core';

export const ese = defineAttention({
  id: 'ese',
  package: '@attnkit/ese',
  description: 'eSE (CenterMask / VoVNetV2, timm): GAP, one 1x1 conv C->C, hard-sigmoid gate; C^2 + C parameters',
  attributeName: 'se',
  options: {
    addMaxPool: { type: 'boolean', default: false, description: "pool 0.5 * (avg + max) instead of avg (timm's experimental add_maxpool)" },
  },
  configure: (_channels, o) => ({ addMaxPool: o.addMaxPool }),
  parameters: (channels) => conv2dParams('fc', channels, channels, 1),
  forward: (ops, x, p, config) => {
    const pooled = config.addMaxPool ? ops.affine(ops.add(ops.globalAvgPool(x), ops.globalMaxPool(x)), 0.5, 0) : ops.globalAvgPool(x);
    const fc = ops.conv2d(pooled, p['fc.weight'], p['fc.bias'], sameConv());
    return ops.mul(x, ops.hardSigmoid(fc));
  },
  testCases: [
    // C = 16: fc 16*16 + 16 = 272
    { label: 'ese', options: {}, channels: 16, trainable: 272, nonTrainable: 0 },
    { label: 'ese addMaxPool', options: { addMaxPool: true }, channels: 16, trainable: 272, nonTrainable: 0 },
  ],
});

/** ese's options (see the schema above). */
export type EseOptions = AttentionOptions<typeof ese>;
