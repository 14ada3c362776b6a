import type { BatchNormParams, Conv2dAttributes } from './ops.js';
import type { ParamSpec } from './parameter.js';

/**
 * Parameter declarations of the PyTorch layers attention modules are built from, with
 * PyTorch's names, shapes and default initializers, so a definition lists its layers instead of
 * spelling out every spec.
 */

/** `nn.Conv2d(inChannels, out, kernel, groups, bias)`: `<name>.weight` [out, in/groups, k, k] and `<name>.bias` [out]. */
export function conv2dParams(name: string, out: number, inChannels: number, kernel: number, options: { groups?: number; bias?: boolean } = {}): ParamSpec[] {
  const fanIn = (inChannels / (options.groups ?? 1)) * kernel * kernel;
  const specs: ParamSpec[] = [{ name: `${name}.weight`, shape: [out, inChannels / (options.groups ?? 1), kernel, kernel], layout: 'conv2d', trainable: true, init: { kind: 'kaiming-uniform', fanIn } }];
  if (options.bias ?? true) specs.push({ name: `${name}.bias`, shape: [out], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) } });
  return specs;
}

/** `nn.Linear(inFeatures, out, bias)`: `<name>.weight` [out, in] and `<name>.bias` [out]. */
export function linearParams(name: string, out: number, inFeatures: number, bias = true): ParamSpec[] {
  const specs: ParamSpec[] = [{ name: `${name}.weight`, shape: [out, inFeatures], layout: 'linear', trainable: true, init: { kind: 'kaiming-uniform', fanIn: inFeatures } }];
  if (bias) specs.push({ name: `${name}.bias`, shape: [out], layout: 'vector', trainable: true, init: { kind: 'uniform', bound: 1 / Math.sqrt(inFeatures) } });
  return specs;
}

/** A per-channel vector [C] (`nn.LayerNorm(C)`'s weight 1 and bias 0, BatchNorm's statistics). */
export function vectorParam(name: string, channels: number, value: number, trainable = true): ParamSpec {
  return { name, shape: [channels], layout: 'vector', trainable, init: { kind: 'constant', value } };
}

/** `nn.BatchNorm1d/2d(C)`: weight, bias (parameters) and running_mean, running_var (buffers). */
export function batchNormParams(name: string, channels: number): ParamSpec[] {
  return [
    vectorParam(`${name}.weight`, channels, 1),
    vectorParam(`${name}.bias`, channels, 0),
    vectorParam(`${name}.running_mean`, channels, 0, false),
    vectorParam(`${name}.running_var`, channels, 1, false),
  ];
}

/** The values of a `batchNormParams(name, ...)` block, as `Ops.batchNorm` takes them. */
export function batchNormValues<T>(params: Readonly<Record<string, T>>, name: string): BatchNormParams<T> {
  return { weight: params[`${name}.weight`], bias: params[`${name}.bias`], runningMean: params[`${name}.running_mean`], runningVar: params[`${name}.running_var`] };
}

/** timm's `make_divisible(v, divisor, round_limit)` with min_value = divisor. */
export function makeDivisible(value: number, divisor: number, roundLimit: number): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < roundLimit * value) rounded += divisor;
  return rounded;
}

/** Stride-1 `Conv2dAttributes` with symmetric `padding` (0: a 1x1 conv keeps H x W). */
export function sameConv(padding = 0, options: { dilation?: number; groups?: number } = {}): Conv2dAttributes {
  const dilation = options.dilation ?? 1;
  return { stride: [1, 1], padding: [padding, padding], dilation: [dilation, dilation], groups: options.groups ?? 1 };
}
