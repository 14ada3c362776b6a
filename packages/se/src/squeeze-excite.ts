/**
 * SE: Squeeze-and-Excitation. "Squeeze-and-Excitation Networks", Hu et al., CVPR 2018,
 * arXiv 1709.01507.
 *
 * y = GAP(x); a = sigmoid(fc2(relu(fc1(y)))) with fc1: C -> C/r, fc2: C/r -> C; out = x * a.
 * Parameters 2C^2/r + C/r + C with bias.
 * NOTE: the original rounds C/r down (channelDivisor 1, our default); timm rounds it to a
 * multiple of 8 (`make_divisible(C/r, 8, round_limit=0.)`; channelDivisor 8: C = 64, r = 16
 * gives 8, not 4). The ECA paper's SENet parameter counts match bias: false.
 */
import { type AttentionOptions, type ParamSpec, defineAttention } from '@attnkit/core';

/** floor(C/r) for divisor 1; timm's make_divisible(C/r, divisor, round_limit=0.) otherwise. */
export function reducedChannels(channels: number, reductionRatio: number, divisor: number): number {
  const v = channels / reductionRatio;
  if (divisor === 1) return Math.max(1, Math.floor(v));
  return Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
}

export function linearParams(name: string, out: number, inF: number, bias: boolean): ParamSpec[] {
  const specs: ParamSpec[] = [{ name: `${name}.weight`, shape: [out, inF], layout: 'linear', trainable: true, init: { kind: 'kaiming-uniform', fanIn: inF } }];
  if (bias) specs.push({ name: `${name}.bias`, shape: [out], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 1 / Math.sqrt(inF) } });
  return specs;
}

export const se = defineAttention({
  id: 'se',
  package: '@attnkit/se',
  description: 'SE: GAP, FC C->C/r, ReLU, FC C/r->C, sigmoid gate; 2C^2/r + C/r + C parameters with bias',
  attributeName: 'se',
  options: {
    reductionRatio: { type: 'integer', default: 16, min: 1, description: 'r: the hidden layer has C/r units' },
    bias: { type: 'boolean', default: true, description: 'biases in both FC layers (the ECA paper counts SE without)' },
    channelDivisor: { type: 'integer', default: 1, min: 1, description: '1: floor(C/r) as the original; 8: rounded to a multiple of 8 as timm' },
  },
  configure: (channels, o) => ({ reducedChannels: reducedChannels(channels, o.reductionRatio, o.channelDivisor), bias: o.bias }),
  parameters: (channels, config) => {
    const cr = config.reducedChannels;
    return [...linearParams('fc1', cr, channels, config.bias), ...linearParams('fc2', channels, cr, config.bias)];
  },
  forward: (ops, x, p) => {
    const hidden = ops.relu(ops.linear(ops.globalAvgPool(x), p['fc1.weight'], p['fc1.bias']));
    return ops.mul(x, ops.sigmoid(ops.linear(hidden, p['fc2.weight'], p['fc2.bias'])));
  },
  testCases: [
    // r = 4 at C = 16: 2 * 16 * 4 + 4 + 16 = 148; without bias 2 * 16 * 4 = 128.
    { label: 'se r4', options: { reductionRatio: 4 }, channels: 16, trainable: 148, nonTrainable: 0 },
    { label: 'se r4 no bias', options: { reductionRatio: 4, bias: false }, channels: 16, trainable: 128, nonTrainable: 0 },
  ],
});

/** SE's options: reductionRatio, bias, channelDivisor (see the schema above). */
export type SeOptions = AttentionOptions<typeof se>;
