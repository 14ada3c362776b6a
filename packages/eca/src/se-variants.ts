/**
 * The SE variants of the ECA-Net paper's ablation (Table 2, arXiv 1910.03151), which remove SE's
 * dimensionality reduction to show its cost:
 * - SE-Var1: a = sigmoid(y), no parameters.
 * - SE-Var2: a = sigmoid(w . y), one weight per channel (C parameters).
 * - SE-Var3: a = sigmoid(W y), one fully connected layer without reduction (C^2 parameters).
 * with y = GAP(x) [N, C, 1, 1] and out = x * a.
 */
import { defineAttention } from '@attnkit/core';
import { channelConvWeight } from './eca.js';

export const seVar1 = defineAttention({
  id: 'se-var1',
  package: '@attnkit/eca',
  description: 'SE-Var1 (ECA paper ablation): sigmoid of the pooled vector itself; no parameters',
  attributeName: 'eca',
  options: {},
  configure: () => ({}),
  parameters: () => [],
  forward: (ops, x) => ops.mul(x, ops.sigmoid(ops.globalAvgPool(x))),
  testCases: [{ label: 'se-var1', options: {}, channels: 16, trainable: 0, nonTrainable: 0 }],
});

export const seVar2 = defineAttention({
  id: 'se-var2',
  package: '@attnkit/eca',
  description: 'SE-Var2 (ECA paper ablation): one weight per channel, sigma(w . y); C parameters',
  attributeName: 'eca',
  options: {},
  configure: () => ({ kernelSize: 1 }),
  // A per-channel weight is a non-shared channel conv with k = 1: Conv1d(C, C, 1, groups=C).
  parameters: (channels) => [channelConvWeight(channels, 1)],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.channelConv1d(ops.globalAvgPool(x), p['conv.weight'], 'zeros'))),
  testCases: [{ label: 'se-var2', options: {}, channels: 16, kernelSize: 1, trainable: 16, nonTrainable: 0 }],
});

export const seVar3 = defineAttention({
  id: 'se-var3',
  package: '@attnkit/eca',
  description: 'SE-Var3 (ECA paper ablation): one C x C fully connected layer, sigma(W y); C^2 parameters',
  attributeName: 'eca',
  options: {},
  configure: () => ({}),
  parameters: (channels) => [
    { name: 'fc.weight', shape: [channels, channels], layout: 'linear', trainable: true, init: { kind: 'kaiming-uniform', fanIn: channels } },
  ],
  forward: (ops, x, p) => ops.mul(x, ops.sigmoid(ops.linear(ops.globalAvgPool(x), p['fc.weight'], undefined))),
  // C^2 = 256.
  testCases: [{ label: 'se-var3', options: {}, channels: 16, trainable: 256, nonTrainable: 0 }],
});
