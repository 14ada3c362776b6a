/**
 * ECA: Efficient Channel Attention.
 * "ECA-Net: Efficient Channel Attention for Deep Convolutional Neural Networks",
 * Wang et al., CVPR 2020, arXiv 1910.03151.
 *
 * y = GAP(x) [N, C, 1, 1]; z = 1-D cross-correlation of y along C with one shared k-tap kernel,
 * zero padding (k-1)/2, no bias; out = x * sigmoid(z). Exactly k parameters.
 * k follows a kernel-size rule (paper Eq. 12 by default: gamma 2, b 1).
 * NOTE: the official code never computes k from C; it takes one k per stage (k3557 on the
 * released ResNet-50). Give `kernelSize: [3, 5, 5, 7]` in a zoo backbone for that.
 */
import { type KernelSizeContext, type OptionsInput, type ParamSpec, type ResolvedOptions, defineAttention, resolveKernelSize } from '@attnkit/core';

const kernelOptions = {
  kernelSize: { type: 'kernel-size', default: 'adaptive', description: "'adaptive' (Eq. 12), 'adaptive-min3' (timm), 'mobilenet-v2' (k13), an odd k, or one k per stage" },
  gamma: { type: 'number', default: 2, exclusiveMin: 0, description: 'gamma of Eq. 12' },
  beta: { type: 'number', default: 1, description: 'b of Eq. 12' },
} as const;

/** The options of eca, ceca and eca-ns: a kernel-size rule ('adaptive' is paper Eq. 12), its gamma and b. */
export type EcaOptions = OptionsInput<typeof kernelOptions>;

/** Shared by the ECA family: the kernel size decided once, in core. */
export function configureKernel(channels: number, options: ResolvedOptions<typeof kernelOptions>, context: KernelSizeContext) {
  return { kernelSize: resolveKernelSize(options.kernelSize, channels, { ...context, gamma: options.gamma, beta: options.beta }) };
}

/** PyTorch `Conv1d(out, 1, k, bias=False)` weight with its default init (fan_in = k). */
export const channelConvWeight = (out: number, k: number): ParamSpec => ({
  name: 'conv.weight',
  shape: [out, 1, k],
  layout: 'conv1d',
  trainable: true,
  init: { kind: 'kaiming-uniform', fanIn: k },
});

export const eca = defineAttention({
  id: 'eca',
  package: '@attnkit/eca',
  description: 'ECA: GAP, shared 1-D conv of kernel k across channels (zero padding), sigmoid gate; k parameters',
  attributeName: 'eca',
  options: kernelOptions,
  configure: configureKernel,
  parameters: (_channels, config) => [channelConvWeight(1, config.kernelSize)],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.channelConv1d(ops.globalAvgPool(x), p['conv.weight'], 'zeros'))),
  testCases: [
    // Eq. 12 at C = 16: floor((log2 16 + 1) / 2) = 2, even -> k = 3; k parameters.
    { label: 'eca', options: {}, channels: 16, kernelSize: 3, trainable: 3, nonTrainable: 0 },
    { label: 'eca k5', options: { kernelSize: 5 }, channels: 12, kernelSize: 5, trainable: 5, nonTrainable: 0 },
  ],
});

/**
 * CECA: ECA with circular padding of the channel axis (timm's `CecaModule`).
 * NOTE: not in the paper; timm's variant, for channels that wrap around.
 */
export const ceca = defineAttention({
  id: 'ceca',
  package: '@attnkit/eca',
  description: 'CECA (timm): ECA with circular instead of zero padding across channels; k parameters',
  attributeName: 'eca',
  options: kernelOptions,
  configure: configureKernel,
  parameters: (_channels, config) => [channelConvWeight(1, config.kernelSize)],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.channelConv1d(ops.globalAvgPool(x), p['conv.weight'], 'circular'))),
  // k = 5 wraps two channels around each end.
  testCases: [{ label: 'ceca k5', options: { kernelSize: 5 }, channels: 16, kernelSize: 5, trainable: 5, nonTrainable: 0 }],
});

/**
 * ECA-NS (paper Table 2): non-shared ECA, each channel with its own k-tap kernel over its k
 * neighbours, z_i = sum_t w[i, t] * y[i + t - (k-1)/2]; k * C parameters.
 */
export const ecaNs = defineAttention({
  id: 'eca-ns',
  package: '@attnkit/eca',
  description: 'ECA-NS (paper ablation): one k-tap kernel per channel over its neighbours; k*C parameters',
  attributeName: 'eca',
  options: kernelOptions,
  configure: configureKernel,
  parameters: (channels, config) => [channelConvWeight(channels, config.kernelSize)],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.channelConv1d(ops.globalAvgPool(x), p['conv.weight'], 'zeros'))),
  testCases: [
    // k * C = 3 * 16; 5 * 12 (k = 5 gathers two neighbours on each side).
    { label: 'eca-ns', options: {}, channels: 16, kernelSize: 3, trainable: 48, nonTrainable: 0 },
    { label: 'eca-ns k5', options: { kernelSize: 5 }, channels: 12, kernelSize: 5, trainable: 60, nonTrainable: 0 },
  ],
});
