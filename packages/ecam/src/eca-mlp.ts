/**
 * ECAM: ECA with an MLP over the channel sequence, timm's `EcaModule(use_mlp=True)` (create_attn
 * 'ecam'), a variant of ECA ("ECA-Net: Efficient Channel Attention for Deep Convolutional Neural
 * Networks", Wang et al., CVPR 2020, arXiv 1910.03151).
 *
 * The pooled vector y = GAP(x) is read as a 1-channel sequence of length C (as ECA's Conv1d
 * reads it): h = relu(conv(y)), conv a Conv1d(1, rd, 1) with bias, gives rd features at every
 * channel position; z = conv2(h), a Conv1d(rd, 1, k) with bias and zero padding (k-1)/2, mixes
 * k neighbouring positions across the rd features; out = x * sigmoid(z).
 * k as timm's EcaModule: paper Eq. 12 clamped to k >= 3 ('adaptive-min3'); rd = make_divisible(
 * C/8, 8) (round_limit 0.9).
 * Parameters rd (k + 2) + 1; MACs C rd (k + 1) per image.
 * NOTE: "'mlp' mode is a timm experiment, not in paper" (timm's own comment); followed exactly.
 */
import {
  type AttentionOptions,
  type ParamSpec,
  defineAttention,
  makeDivisible,
  resolveKernelSize,
} from '@attnkit/core';

/** PyTorch's Conv1d(in, out, k) weight and bias with their default initializers. */
function conv1dParams(name: string, out: number, inChannels: number, k: number): ParamSpec[] {
  const fanIn = inChannels * k;
  return [
    { name: `${name}.weight`, shape: [out, inChannels, k], layout: 'conv1d', trainable: true, init: { kind: 'kaiming-uniform', fanIn } },
    { name: `${name}.bias`, shape: [out], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) } },
  ];
}

export const ecam = defineAttention({
  id: 'ecam',
  package: '@attnkit/ecam',
  description: "ECA with an MLP (timm): Conv1d 1->rd (k 1), ReLU, Conv1d rd->1 (k) over the pooled channel sequence, sigmoid gate",
  attributeName: 'se',
  options: {
    kernelSize: { type: 'kernel-size', default: 'adaptive-min3', description: "k of the second Conv1d: 'adaptive-min3' (timm), 'adaptive' (Eq. 12), an odd k, or one k per stage" },
    reductionRatio: { type: 'integer', default: 8, min: 1, description: 'r: rd = make_divisible(C/r, 8) hidden features per channel position' },
  },
  configure: (channels, o, context) => ({
    kernelSize: resolveKernelSize(o.kernelSize, channels, context),
    reducedChannels: makeDivisible(channels / o.reductionRatio, 8, 0.9),
  }),
  parameters: (_channels, config) => {
    const rd = config.reducedChannels;
    return [...conv1dParams('conv', rd, 1, 1), ...conv1dParams('conv2', 1, rd, config.kernelSize)];
  },
  forward: (ops, x, p, config) => {
    const [n, c] = ops.shape(x);
    const sequence = ops.reshape(ops.globalAvgPool(x), [n, 1, c, 1]);
    const hidden = ops.relu(ops.conv1d(sequence, p['conv.weight'], p['conv.bias'], 0));
    const z = ops.conv1d(hidden, p['conv2.weight'], p['conv2.bias'], (config.kernelSize - 1) / 2);
    return ops.mul(x, ops.sigmoid(ops.reshape(z, [n, c, 1, 1])));
  },
  testCases: [
    // C = 24: k = max(3, Eq. 12 -> 3) = 3, rd = make_divisible(3, 8) = 8: 8*(3 + 2) + 1 = 41.
    // (rd x C ReLUs: at C = 16 and 32 the tfjs suite's finite differences cross a ReLU kink.)
    { label: 'ecam', options: {}, channels: 24, trainable: 41, nonTrainable: 0, kernelSize: 3 },
    // k = 5: 8*(5 + 2) + 1 = 57
    { label: 'ecam k5', options: { kernelSize: 5 }, channels: 16, trainable: 57, nonTrainable: 0, kernelSize: 5 },
  ],
});

/** ecam's options (see the schema above). */
export type EcaMlpOptions = AttentionOptions<typeof ecam>;
