/**
 * GC: the global context block. "GCNet: Non-local Networks Meet Squeeze-Excitation Networks and
 * Beyond", Cao et al., ICCV Workshops 2019, arXiv 1904.11492; as timm's `GlobalContext` with its
 * defaults (create_attn 'gc': attention pooling, fuse_scale, no fuse_add).
 *
 * The paper's global context block: context modeling by attention pooling (the simplified
 * non-local block), w = softmax over H*W of conv_attn(x) (1x1 conv C -> 1 with bias),
 * context = sum_hw x * w [N, C, 1, 1]; then a bottleneck transform and a fusion. Transform: fc2(relu(LN(fc1(context))))
 * with fc1 C -> rd, fc2 rd -> C (1x1 convs with bias), LN over the rd channels (eps 1e-6),
 * rd = round(C / r) (make_divisible(C/r, 1, round_limit=0)); out = x * sigmoid(transform).
 * Parameters C + 1 + 2 C rd + 3 rd + C; MACs C H W + 2 C rd per image (the weighted sum over
 * H*W is element-wise arithmetic in attnkit's count, like the matmul thop leaves uncounted).
 * NOTE: the paper's GC block adds the transform to x (timm's fuse_add, 'gca'); timm's 'gc'
 * default, followed here, scales x by its sigmoid instead.
 */
import { type AttentionOptions, conv2dParams, defineAttention, makeDivisible, vectorParam, sameConv } from '@attnkit/core';

const pointwise = sameConv();

export const gc = defineAttention({
  id: 'gc',
  package: '@attnkit/gc',
  description: 'Global context (GCNet, timm): softmax attention pooling, 1x1 conv MLP with LayerNorm, sigmoid gate',
  attributeName: 'se',
  options: {
    reductionRatio: { type: 'integer', default: 8, min: 1, description: 'r: the MLP has round(C/r) hidden channels' },
  },
  configure: (channels, o) => ({ reducedChannels: makeDivisible(channels / o.reductionRatio, 1, 0) }),
  parameters: (channels, config) => {
    const rd = config.reducedChannels;
    return [
      ...conv2dParams('conv_attn', 1, channels, 1),
      ...conv2dParams('mlp_scale.fc1', rd, channels, 1),
      vectorParam('mlp_scale.norm.weight', rd, 1),
      vectorParam('mlp_scale.norm.bias', rd, 0),
      ...conv2dParams('mlp_scale.fc2', channels, rd, 1),
    ];
  },
  forward: (ops, x, p) => {
    const [, , h, w] = ops.shape(x);
    const weights = ops.planeSoftmax(ops.conv2d(x, p['conv_attn.weight'], p['conv_attn.bias'], pointwise));
    const context = ops.affine(ops.globalAvgPool(ops.mul(x, weights)), h * w, 0);
    const hidden = ops.conv2d(context, p['mlp_scale.fc1.weight'], p['mlp_scale.fc1.bias'], pointwise);
    // LayerNorm over channels: (h - mean) / sqrt(var + eps) * weight + bias
    const centered = ops.sub(hidden, ops.channelMean(hidden));
    const normalized = ops.div(centered, ops.sqrt(ops.affine(ops.channelMean(ops.square(centered)), 1, 1e-6)));
    const layerNorm = ops.add(ops.mul(normalized, p['mlp_scale.norm.weight']), p['mlp_scale.norm.bias']);
    const transform = ops.conv2d(ops.relu(layerNorm), p['mlp_scale.fc2.weight'], p['mlp_scale.fc2.bias'], pointwise);
    return ops.mul(x, ops.sigmoid(transform));
  },
  testCases: [
    // C = 16, r = 8: rd = 2; (16 + 1) + 2*16*2 + 3*2 + 16 = 103
    { label: 'gc', options: {}, channels: 16, trainable: 103, nonTrainable: 0 },
  ],
});

/** gc's options (see the schema above). */
export type GlobalContextOptions = AttentionOptions<typeof gc>;
