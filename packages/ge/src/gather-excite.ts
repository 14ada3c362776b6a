/**
 * GE: Gather-Excite. "Gather-Excite: Exploiting Feature Context in Convolutional Neural
 * Networks", Hu et al., NeurIPS 2018, arXiv 1810.12348; as timm's `GatherExcite` (create_attn
 * 'ge') with global extent.
 *
 * Gather: the parameter-free GE-theta- takes the global average (extent 0); the parametric
 * GE-theta (extraParams) a depthwise featSize x featSize conv without bias + BN. Excite: timm's
 * ConvMlp fc2(relu(fc1(.))) with fc1 C -> rd, fc2 rd -> C (1x1 convs with bias), rd = round(C/r);
 * out = x * sigmoid(.).
 * Parameters 2 C rd + rd + C (+ C featSize^2 + 2 C with extraParams); MACs 2 C rd per image
 * (with extraParams: (featSize^2 + 2 rd) C H W, the MLP running at every position).
 * NOTE: timm pads the parametric gather conv by (featSize - 1) / 2, so its output keeps H x W
 * (the paper's global GE-theta reduces to 1 x 1); we follow timm. featSize must be odd (an even
 * kernel shrinks the map and timm then interpolates). Only the global extent (0) is here: timm's
 * extent 2/4/8 (strided gathers and nearest upsampling) are not.
 */
import { type AttentionDefinition, AttnkitError, ErrorCodes, batchNormParams, batchNormValues, conv2dParams, defineAttention, makeDivisible, sameConv } from '@attnkit/core';

export interface GatherExciteOptions {
  extraParams?: boolean;
  featSize?: number;
  reductionRatio?: number;
}

const pointwise = sameConv();

export const ge: AttentionDefinition = defineAttention({
  id: 'ge',
  package: '@attnkit/ge',
  description: 'Gather-Excite (timm, global extent): average or depthwise-conv gather, 1x1 conv MLP, sigmoid gate',
  attributeName: 'se',
  options: {
    extraParams: { type: 'boolean', default: false, description: 'parametric gather (GE-theta): a depthwise featSize x featSize conv + BN' },
    featSize: { type: 'integer', default: 7, min: 1, description: 'extraParams: the gather kernel (odd; the feature map size in timm)' },
    reductionRatio: { type: 'integer', default: 16, min: 1, description: 'r: the MLP has round(C/r) hidden channels' },
  },
  configure: (channels, o) => {
    const featSize = o.featSize as number;
    if (o.extraParams && featSize % 2 === 0) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `ge: option 'featSize' is ${featSize}; expected an odd integer (timm pads (featSize-1)//2, so an even kernel shrinks the map)`, {
        path: 'featSize',
        value: featSize,
      });
    }
    return { reducedChannels: makeDivisible(channels / (o.reductionRatio as number), 1, 0), extraParams: o.extraParams as boolean, featSize };
  },
  parameters: (channels, config) => {
    const rd = config.reducedChannels as number;
    const gather = config.extraParams
      ? [...conv2dParams('gather.conv1', channels, channels, config.featSize as number, { groups: channels, bias: false }), ...batchNormParams('gather.norm1', channels)]
      : [];
    return [...gather, ...conv2dParams('mlp.fc1', rd, channels, 1), ...conv2dParams('mlp.fc2', channels, rd, 1)];
  },
  forward: (ops, x, p, config) => {
    const [, channels] = ops.shape(x);
    const half = ((config.featSize as number) - 1) / 2;
    const gathered = config.extraParams
      ? ops.batchNorm(ops.conv2d(x, p['gather.conv1.weight'], undefined, sameConv(half, { groups: channels })), batchNormValues(p, 'gather.norm1'), {
          eps: 1e-5,
          momentum: 0.1,
        })
      : ops.globalAvgPool(x);
    const hidden = ops.relu(ops.conv2d(gathered, p['mlp.fc1.weight'], p['mlp.fc1.bias'], pointwise));
    return ops.mul(x, ops.sigmoid(ops.conv2d(hidden, p['mlp.fc2.weight'], p['mlp.fc2.bias'], pointwise)));
  },
});
