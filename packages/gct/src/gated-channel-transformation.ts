/**
 * GCT: Gated Channel Transformation. "Gated Channel Transformation for Visual Recognition",
 * Yang et al., CVPR 2020, arXiv 1909.11519; as the official PyTorch code (z-x-yang/GCT, GCT.py).
 *
 * Global context embedding (Eq. 1): s_c = alpha_c * sqrt(sum_hw x^2 + eps) ('l2'), or
 * alpha_c * sum_hw |x| ('l1'; x itself with afterRelu). Channel normalization (Eq. 2):
 * s_c * gamma_c / sqrt(mean_c(s^2) + eps) ('l2'), or gamma_c / (mean_c |s| + eps) ('l1').
 * Gating (Eq. 3): out = x * (1 + tanh(. + beta_c)).
 * Parameters 3C (alpha, gamma, beta, each [1, C, 1, 1]); no multiply-accumulates in attnkit's
 * count (only element-wise arithmetic). Init as official: alpha 1, gamma 0, beta 0 (the gate
 * starts at 1, an identity).
 * NOTE: sum_hw is H*W times the plane mean and s * (gamma / norm) is computed as
 * (s / norm) * gamma: equal to the official arithmetic up to float rounding.
 */
import { type AttentionOptions, type ParamSpec, defineAttention } from '@attnkit/core';

const channelParam = (name: string, channels: number, value: number): ParamSpec => ({
  name,
  shape: [1, channels, 1, 1],
  layout: 'channels',
  trainable: true,
  init: { kind: 'constant', value },
});

export const gct = defineAttention({
  id: 'gct',
  package: '@attnkit/gct',
  description: 'GCT: l2 embedding * alpha, channel normalization * gamma, gate 1 + tanh(. + beta); 3C parameters',
  attributeName: 'gct',
  options: {
    epsilon: { type: 'number', default: 1e-5, exclusiveMin: 0, description: 'epsilon inside the square roots (l2) or the normalizer (l1)' },
    mode: { type: 'enum', values: ['l2', 'l1'], default: 'l2', description: "embedding norm: 'l2' (the paper) or 'l1'" },
    afterRelu: { type: 'boolean', default: false, description: "l1 only: the input is non-negative (after a ReLU), so |x| is x" },
  },
  configure: (_channels, o) => ({ epsilon: o.epsilon, mode: o.mode, afterRelu: o.afterRelu }),
  parameters: (channels) => [channelParam('alpha', channels, 1), channelParam('gamma', channels, 0), channelParam('beta', channels, 0)],
  forward: (ops, x, p, config) => {
    const [, , h, w] = ops.shape(x);
    const eps = config.epsilon;
    const normalize = (): typeof x => {
      if (config.mode === 'l2') {
        const embedding = ops.mul(ops.sqrt(ops.affine(ops.globalAvgPool(ops.square(x)), h * w, eps)), p.alpha);
        return ops.div(embedding, ops.sqrt(ops.affine(ops.channelMean(ops.square(embedding)), 1, eps)));
      }
      const magnitude = config.afterRelu ? x : ops.abs(x);
      const embedding = ops.mul(ops.affine(ops.globalAvgPool(magnitude), h * w, 0), p.alpha);
      return ops.div(embedding, ops.affine(ops.channelMean(ops.abs(embedding)), 1, eps));
    };
    const normalized = normalize();
    const gate = ops.affine(ops.tanh(ops.add(ops.mul(normalized, p.gamma), p.beta)), 1, 1);
    return ops.mul(x, gate);
  },
  testCases: [
    // 3 * 16 = 48 (alpha, gamma, beta)
    { label: 'gct l2', options: {}, channels: 16, trainable: 48, nonTrainable: 0 },
    { label: 'gct l1', options: { mode: 'l1' }, channels: 16, trainable: 48, nonTrainable: 0 },
  ],
});

/** gct's options (see the schema above). */
export type GctOptions = AttentionOptions<typeof gct>;
