/**
 * GE: Gather-Excite. "Gather-Excite: Exploiting Feature Context in Convolutional Neural
 * Networks", Hu et al., NeurIPS 2018, arXiv 1810.12348; as timm's `GatherExcite` (create_attn
 * 'ge').
 *
 * Gather (Section 3), extent e: the parameter-free GE-theta- takes the global average (e = 0) or
 * an average pool of window 2e - 1, stride e, padding e - 1 that counts only valid positions;
 * the parametric GE-theta (extraParams) a depthwise featSize x featSize conv without bias + BN
 * (e = 0) or log2(e) depthwise 3x3 stride-2 convs without bias, each + BN, ReLU between them.
 * Excite: timm's ConvMlp fc2(relu(fc1(.))) with fc1 C -> rd, fc2 rd -> C (1x1 convs with bias),
 * rd = round(C/r); a gathered map larger than 1 x 1 is resized back to H x W (nearest);
 * out = x * sigmoid(.).
 * Parameters 2 C rd + rd + C, plus C featSize^2 + 2 C (extraParams, e = 0) or log2(e) (9 C + 2 C)
 * (extraParams, e > 0). MACs 2 C rd per gathered position, plus the depthwise convs.
 * NOTE: timm pads the parametric global gather by (featSize - 1) / 2, so it keeps H x W (the
 * paper's global GE-theta reduces to 1 x 1); we follow timm, with odd featSize only (an even
 * kernel shrinks the map and timm then interpolates). extent is 0 or a power of two (timm takes
 * int(log2(e)) convs for any even e).
 */
import { type AttentionOptions, AttnkitError, ErrorCodes, batchNormParams, batchNormValues, conv2dParams, defineAttention, makeDivisible, sameConv } from '@attnkit/core';

const pointwise = sameConv();

export const ge = defineAttention({
  id: 'ge',
  package: '@attnkit/ge',
  description: 'Gather-Excite (timm): average or depthwise-conv gather (global or extent 2, 4, 8, ...), 1x1 conv MLP, sigmoid gate',
  attributeName: 'se',
  options: {
    extent: { type: 'integer', default: 0, min: 0, description: '0: global gather; 2, 4, 8, ...: gather windows of stride e, the gate resized back (nearest)' },
    extraParams: { type: 'boolean', default: false, description: 'parametric gather (GE-theta): a depthwise featSize x featSize conv + BN' },
    featSize: { type: 'integer', default: 7, min: 1, description: 'extraParams: the gather kernel (odd; the feature map size in timm)' },
    reductionRatio: { type: 'integer', default: 16, min: 1, description: 'r: the MLP has round(C/r) hidden channels' },
  },
  configure: (channels, o) => {
    const featSize = o.featSize;
    const extent = o.extent;
    if (extent !== 0 && (extent < 2 || 2 ** Math.round(Math.log2(extent)) !== extent)) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `ge: option 'extent' is ${extent}; expected 0 (global) or a power of two >= 2`, { path: 'extent', value: extent });
    }
    if (o.extraParams && extent === 0 && featSize % 2 === 0) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, `ge: option 'featSize' is ${featSize}; expected an odd integer (timm pads (featSize-1)//2, so an even kernel shrinks the map)`, {
        path: 'featSize',
        value: featSize,
      });
    }
    return { reducedChannels: makeDivisible(channels / o.reductionRatio, 1, 0), extraParams: o.extraParams, featSize, extent };
  },
  parameters: (channels, config) => {
    const rd = config.reducedChannels;
    const extent = config.extent;
    const kernels = extent === 0 ? [config.featSize] : Array<number>(Math.log2(extent)).fill(3);
    const gather = config.extraParams
      ? kernels.flatMap((k, i) => [...conv2dParams(`gather.conv${i + 1}`, channels, channels, k, { groups: channels, bias: false }), ...batchNormParams(`gather.norm${i + 1}`, channels)])
      : [];
    return [...gather, ...conv2dParams('mlp.fc1', rd, channels, 1), ...conv2dParams('mlp.fc2', channels, rd, 1)];
  },
  forward: (ops, x, p, config) => {
    const [, channels, h, w] = ops.shape(x);
    const extent = config.extent;
    const batchNorm = { eps: 1e-5, momentum: 0.1 };
    let gathered: typeof x;
    if (!config.extraParams) {
      gathered = extent === 0 ? ops.globalAvgPool(x) : ops.avgPool2d(x, { kernel: [2 * extent - 1, 2 * extent - 1], stride: [extent, extent], padding: [extent - 1, extent - 1] });
    } else if (extent === 0) {
      const half = (config.featSize - 1) / 2;
      gathered = ops.batchNorm(ops.conv2d(x, p['gather.conv1.weight'], undefined, sameConv(half, { groups: channels })), batchNormValues(p, 'gather.norm1'), batchNorm);
    } else {
      const convs = Math.log2(extent);
      gathered = x;
      for (let i = 1; i <= convs; i++) {
        const conv = ops.conv2d(gathered, p[`gather.conv${i}.weight`], undefined, { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: channels });
        gathered = ops.batchNorm(conv, batchNormValues(p, `gather.norm${i}`), batchNorm);
        if (i < convs) gathered = ops.relu(gathered);
      }
    }
    const hidden = ops.relu(ops.conv2d(gathered, p['mlp.fc1.weight'], p['mlp.fc1.bias'], pointwise));
    const excite = ops.conv2d(hidden, p['mlp.fc2.weight'], p['mlp.fc2.bias'], pointwise);
    const [, , gh, gw] = ops.shape(excite);
    const gate = gh === 1 && gw === 1 ? excite : ops.resizeNearest(excite, [h, w]);
    return ops.mul(x, ops.sigmoid(gate));
  },
  testCases: [
    // C = 16, r = 4: rd = 4; 2*16*4 + 4 + 16 = 148 (at r = 16 the one hidden unit's weights get
    // gradients too small for the float32 finite differences the tfjs suite checks against)
    { label: 'ge r4', options: { reductionRatio: 4 }, channels: 16, trainable: 148, nonTrainable: 0 },
    { label: 'ge extent 2', options: { extent: 2 }, channels: 16, trainable: 49, nonTrainable: 0 },
    // GE-theta (extraParams), r = 8: rd = 2; MLP 2*16*2 + 2 + 16 = 82, depthwise 3x3 16*9 = 144, BN
    // weight and bias 2*16: 258; BN statistics 2*16 (at r = 4, a finite-difference step of the BN
    // weight crosses a ReLU kink of the MLP in the tfjs suite's gradient check)
    { label: 'ge extraParams extent 2', options: { reductionRatio: 8, extraParams: true, extent: 2 }, channels: 16, trainable: 258, nonTrainable: 32 },
  ],
});

/** ge's options (see the schema above). */
export type GatherExciteOptions = AttentionOptions<typeof ge>;
