/**
 * CBAM: Convolutional Block Attention Module. "CBAM: Convolutional Block Attention Module",
 * Woo et al., ECCV 2018, arXiv 1807.06521; as the official code (Jongchan/attention-module).
 *
 * Channel gate: a = sigmoid(mlp(GAP(x)) + mlp(GMP(x))), shared mlp C -> C/r -> C with biases;
 * x1 = x * a. Spatial gate: s = sigmoid(BN(conv7x7([max_C(x1), mean_C(x1)]))); out = x1 * s.
 * Parameters 2C^2/r + C/r + C + 98 + 2 (conv 2*7*7, BN weight and bias).
 * NOTE: timm concatenates [mean, max] (poolOrder 'mean-max') and has no BN; we follow the
 * official code. The official ResNet init sets the spatial BN weight to 0; we do too.
 */
import { type AttentionOptions, AttnkitError, ErrorCodes, type Ops, type ParamValues, defineAttention } from '@attnkit/core';

const mlp = <T>(ops: Ops<T>, v: T, p: ParamValues<T>): T =>
  ops.linear(ops.relu(ops.linear(v, p['ChannelGate.mlp.1.weight'], p['ChannelGate.mlp.1.bias'])), p['ChannelGate.mlp.3.weight'], p['ChannelGate.mlp.3.bias']);

const vector = (name: string, channels: number, value: number, trainable: boolean) =>
  ({ name, shape: [channels], layout: 'vector', trainable, init: { kind: 'constant', value } }) as const;

export const cbam = defineAttention({
  id: 'cbam',
  package: '@attnkit/cbam',
  description: 'CBAM (official): channel gate (shared MLP on avg and max pool) then spatial gate (7x7 conv + BN on [max, mean])',
  attributeName: 'cbam',
  options: {
    reductionRatio: { type: 'integer', default: 16, min: 1, description: 'r: the channel MLP has C/r hidden units' },
    poolOrder: { type: 'enum', values: ['max-mean', 'mean-max'], default: 'max-mean', description: "spatial gate input order: 'max-mean' official, 'mean-max' timm" },
    channelGate: { type: 'boolean', default: true, description: 'apply the channel gate' },
    spatialGate: { type: 'boolean', default: true, description: 'apply the spatial gate' },
  },
  configure: (channels, o) => {
    if (!o.channelGate && !o.spatialGate) {
      throw new AttnkitError(ErrorCodes.INVALID_OPTION, 'cbam: channelGate and spatialGate are both false, which leaves nothing to compute; keep at least one gate', {
        path: 'channelGate',
        value: false,
      });
    }
    return {
      reducedChannels: Math.max(1, Math.floor(channels / o.reductionRatio)),
      poolOrder: o.poolOrder,
      channelGate: o.channelGate,
      spatialGate: o.spatialGate,
    };
  },
  parameters: (channels, config) => {
    const cr = config.reducedChannels;
    const specs = [];
    if (config.channelGate) {
      specs.push(
        { name: 'ChannelGate.mlp.1.weight', shape: [cr, channels], layout: 'linear', trainable: true, init: { kind: 'kaiming-uniform', fanIn: channels } } as const,
        { name: 'ChannelGate.mlp.1.bias', shape: [cr], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 1 / Math.sqrt(channels) } } as const,
        { name: 'ChannelGate.mlp.3.weight', shape: [channels, cr], layout: 'linear', trainable: true, init: { kind: 'kaiming-uniform', fanIn: cr } } as const,
        { name: 'ChannelGate.mlp.3.bias', shape: [channels], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 1 / Math.sqrt(cr) } } as const,
      );
    }
    if (config.spatialGate) {
      specs.push(
        { name: 'SpatialGate.spatial.conv.weight', shape: [1, 2, 7, 7], layout: 'conv2d', trainable: true, init: { kind: 'kaiming-uniform', fanIn: 98 } } as const,
        vector('SpatialGate.spatial.bn.weight', 1, 0, true),
        vector('SpatialGate.spatial.bn.bias', 1, 0, true),
        vector('SpatialGate.spatial.bn.running_mean', 1, 0, false),
        vector('SpatialGate.spatial.bn.running_var', 1, 1, false),
      );
    }
    return specs;
  },
  forward: (ops, x, p, config) => {
    let out = x;
    if (config.channelGate) out = ops.mul(out, ops.sigmoid(ops.add(mlp(ops, ops.globalAvgPool(out), p), mlp(ops, ops.globalMaxPool(out), p))));
    if (config.spatialGate) {
      const max = ops.channelMax(out);
      const mean = ops.channelMean(out);
      const pooled = ops.concatChannels(config.poolOrder === 'max-mean' ? [max, mean] : [mean, max]);
      const conv = ops.conv2d(pooled, p['SpatialGate.spatial.conv.weight'], undefined, { stride: [1, 1], padding: [3, 3], dilation: [1, 1], groups: 1 });
      const bn = ops.batchNorm(
        conv,
        { weight: p['SpatialGate.spatial.bn.weight'], bias: p['SpatialGate.spatial.bn.bias'], runningMean: p['SpatialGate.spatial.bn.running_mean'], runningVar: p['SpatialGate.spatial.bn.running_var'] },
        { eps: 1e-5, momentum: 0.01 },
      );
      out = ops.mul(out, ops.sigmoid(bn));
    }
    return out;
  },
  testCases: [
    // 148 (MLP at C = 16, r = 4) + 98 (conv 2*7*7) + 2 (BN weight, bias); BN running mean and var are buffers.
    { label: 'cbam max-mean', options: { reductionRatio: 4 }, channels: 16, trainable: 248, nonTrainable: 2 },
    { label: 'cbam mean-max', options: { reductionRatio: 4, poolOrder: 'mean-max' }, channels: 16, trainable: 248, nonTrainable: 2 },
    { label: 'cbam channel-only', options: { reductionRatio: 4, spatialGate: false }, channels: 16, trainable: 148, nonTrainable: 0 },
    // r = 16 at C = 16: MLP 2 * 16 + 1 + 16 = 49 is off; conv 98 + BN 2.
    { label: 'cbam spatial-only', options: { channelGate: false }, channels: 16, trainable: 100, nonTrainable: 2 },
  ],
});

/** CBAM's options: reductionRatio, poolOrder, channelGate, spatialGate (see the schema above). */
export type CbamOptions = AttentionOptions<typeof cbam>;
