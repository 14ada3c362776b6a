/**
 * SimAM: a simple, parameter-free attention module. "SimAM: A Simple, Parameter-Free Attention
 * Module for Convolutional Neural Networks", Yang et al., ICML 2021 (PMLR 139); as the official
 * code (ZjjConan/SimAM, `simam_module`).
 *
 * Per channel, with n = H*W - 1, mu the plane mean and d = (x - mu)^2, the inverse of the
 * paper's minimal energy is 1/e* = d / (4 (sum(d) / n + lambda)) + 0.5 (lambda the regularizer of
 * its energy function, Eqn (5) in the official README); out = x * sigmoid(1/e*), the paper's
 * refinement X~ = sigmoid(1/E) (.) X.
 * No parameters; no multiply-accumulates in attnkit's count (only element-wise arithmetic).
 * NOTE: the plane sum is taken as H*W times the plane mean (one average pool), which equals the
 * official `sum` up to float rounding. A 1 x 1 plane (n = 0) divides 0 by 0 in the official code
 * (NaN); here its variance is taken as 0, so its gate is sigmoid(0.5) (a ResNet's last stage is
 * 1 x 1 on 32 x 32 inputs).
 */
import { type AttentionOptions, defineAttention } from '@attnkit/core';

export const simam = defineAttention({
  id: 'simam',
  package: '@attnkit/simam',
  description: 'SimAM: parameter-free energy-based 3-D weights, sigmoid(d / (4 (var + lambda)) + 0.5)',
  attributeName: 'simam',
  options: {
    lambda: { type: 'number', default: 1e-4, exclusiveMin: 0, description: 'e_lambda: the energy regularizer (1e-4 in the paper)' },
  },
  configure: (_channels, o) => ({ lambda: o.lambda }),
  parameters: () => [],
  forward: (ops, x, _p, config) => {
    const [, , h, w] = ops.shape(x);
    // A 1 x 1 plane has d = 0: its variance is taken as 0 (divisor 1), so the gate is sigmoid(0.5).
    const n = Math.max(1, h * w - 1);
    const d = ops.square(ops.sub(x, ops.globalAvgPool(x)));
    // 4 * (sum(d) / n + lambda), with sum(d) = H*W * mean(d)
    const denominator = ops.affine(ops.globalAvgPool(d), (4 * h * w) / n, 4 * config.lambda);
    return ops.mul(x, ops.sigmoid(ops.affine(ops.div(d, denominator), 1, 0.5)));
  },
  testCases: [
    // no parameters at any C
    { label: 'simam', options: {}, channels: 16, trainable: 0, nonTrainable: 0 },
    { label: 'simam lambda 0.1', options: { lambda: 0.1 }, channels: 16, trainable: 0, nonTrainable: 0 },
  ],
});

/** simam's options (see the schema above). */
export type SimamOptions = AttentionOptions<typeof simam>;
