/**
 * MobileNetV2, "MobileNetV2: Inverted Residuals and Linear Bottlenecks", Sandler et al., CVPR
 * 2018, arXiv 1801.04381, exactly as torchvision's `mobilenetv2.py`: the settings table below,
 * `_make_divisible` channel rounding under `widthMultiplier`, PyTorch module names
 * (`features.{i}.conv.{j}`, `classifier.1`; `classifier.0` is Dropout, identity at inference),
 * torchvision's init (convs kaiming normal fan-out, BatchNorm 1/0, classifier N(0, 0.01), bias 0).
 *
 * Attention, as the official ECA-MobileNetV2: on the residual branch after the project BN, as
 * the next entry of the block's `conv` Sequential, whatever the module: `conv.4`
 * (`features.1.conv.3`, since block 1 has no expand conv). Stages are the 7 settings rows: a
 * per-stage kernel-size list has 7 entries, `placement: 'stage'` takes the last block of each row,
 * and `kernelSize: 'mobilenet-v2'` (k = 1 if c < 96 else 3) reads the row's UNSCALED c, as the
 * official code does (k = 3 in blocks 11-17 at any width).
 * Features mode returns the outputs of blocks 3, 6, 13 and 17 (24, 32, 96, 320 channels at width
 * 1.0; strides 4, 8, 16, 32), timm's `features_only` levels 1-4; the final 1x1 conv
 * (`features.18`) and the classifier are not built.
 * NOTE: the official ECA-MobileNetV2 trains with Dropout 0.25; at inference Dropout is identity.
 */
import type { Scope } from '@attnkit/core';
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { type Backbone, type BackboneOptions, resolveBackboneOptions, toBackbone } from './backbone.js';
import { type BlockAttention, resolveBlockAttention } from './placement.js';

export interface MobileNetV2Options extends BackboneOptions {
  /** Channel multiplier; 1.0 by default. Channels are rounded by torchvision's `_make_divisible`. */
  widthMultiplier?: number;
}

/** torchvision's inverted-residual settings: expansion t, output channels c, repeats n, stride s. */
export const MOBILENET_V2_SETTINGS = [
  { expansion: 1, channels: 16, repeats: 1, stride: 1 },
  { expansion: 6, channels: 24, repeats: 2, stride: 2 },
  { expansion: 6, channels: 32, repeats: 3, stride: 2 },
  { expansion: 6, channels: 64, repeats: 4, stride: 2 },
  { expansion: 6, channels: 96, repeats: 3, stride: 1 },
  { expansion: 6, channels: 160, repeats: 3, stride: 2 },
  { expansion: 6, channels: 320, repeats: 1, stride: 1 },
] as const;

/** Blocks (`features.{i}`) whose outputs features mode returns: strides 4, 8, 16, 32. */
export const MOBILENET_V2_FEATURE_BLOCKS = [3, 6, 13, 17] as const;

/** torchvision's `_make_divisible`: nearest multiple of `divisor`, never more than 10% below v. */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

interface InvertedResidualBlock {
  index: number;
  stage: number;
  inChannels: number;
  outChannels: number;
  hidden: number;
  stride: number;
  expand: boolean;
  attention?: BlockAttention;
}

const KAIMING = 'kaiming-normal-fan-out' as const;

/** torchvision's Conv2dNormActivation: conv (no bias) `name.0`, BN `name.1`, ReLU6 `name.2`. */
function convBnRelu6<T>(scope: Scope<T>, name: string, x: T, outChannels: number, kernel: number, stride = 1, groups = 1): T {
  const layer = scope.child(name);
  const conv = layer.conv2d('0', x, { outChannels, kernel, stride, padding: (kernel - 1) / 2, groups, init: KAIMING });
  const normalized = layer.batchNorm('1', conv);
  return layer.module('2', () => scope.ops.relu6(normalized));
}

/** [expand 1x1-bn-relu6], depthwise 3x3-bn-relu6, project 1x1-bn, [attention], (+ x). */
function invertedResidual<T>(scope: Scope<T>, x: T, block: InvertedResidualBlock): T {
  let index = 0;
  const conv = scope.child('conv');
  let out = x;
  if (block.expand) out = convBnRelu6(conv, String(index++), out, block.hidden, 1);
  out = convBnRelu6(conv, String(index++), out, block.hidden, 3, block.stride, block.hidden);
  out = conv.conv2d(String(index++), out, { outChannels: block.outChannels, kernel: 1, init: KAIMING });
  // Stryker disable next-line UpdateOperator: index is not read after the project BN, and index-- names it the same
  out = conv.batchNorm(String(index++), out);
  const { attention } = block;
  if (attention?.position === 'residual') out = scope.attention(attention.instance, out, attention.name);
  if (block.stride === 1 && block.inChannels === block.outChannels) out = scope.ops.add(x, out);
  if (attention?.position === 'output') out = scope.attention(attention.instance, out, attention.name);
  return out;
}

export function mobilenetV2(options: MobileNetV2Options = {}): Backbone {
  const name = 'mobilenet_v2';
  const resolved = resolveBackboneOptions(name, options, ['widthMultiplier']);
  const widthMultiplier = options.widthMultiplier ?? 1;
  if (typeof widthMultiplier !== 'number' || !Number.isFinite(widthMultiplier) || widthMultiplier <= 0) {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `${name}: option 'widthMultiplier' is ${JSON.stringify(widthMultiplier)}; expected a number > 0`, {
      path: 'widthMultiplier',
      value: widthMultiplier,
    });
  }
  const stemChannels = makeDivisible(32 * widthMultiplier);
  const lastChannels = makeDivisible(1280 * Math.max(1, widthMultiplier));

  const blocks: InvertedResidualBlock[] = [];
  let inChannels = stemChannels;
  MOBILENET_V2_SETTINGS.forEach((row, stage) => {
    const outChannels = makeDivisible(row.channels * widthMultiplier);
    for (let i = 0; i < row.repeats; i++) {
      const index = blocks.length + 1;
      const stride = i === 0 ? row.stride : 1;
      const expand = row.expansion !== 1;
      const info = { backbone: name, stage, index: i, last: i === row.repeats - 1, channels: outChannels, nominalChannels: row.channels, stride };
      // The project BN is conv.3 after an expand conv, conv.2 without: the module comes next.
      const residualName = () => `conv.${expand ? 4 : 3}`;
      blocks.push({
        index,
        stage,
        inChannels,
        outChannels,
        hidden: Math.round(inChannels * row.expansion),
        stride,
        expand,
        attention: resolveBlockAttention(resolved, `features.${index}`, info, residualName, { nominalChannels: row.channels }),
      });
      inChannels = outChannels;
    }
  });

  return toBackbone(
    {
      name,
      defaultInputShape: [1, 3, 224, 224],
      forward<T>(scope: Scope<T>, input: T): T | T[] {
        const { ops } = scope;
        const featuresScope = scope.child('features');
        let x = convBnRelu6(featuresScope, '0', input, stemChannels, 3, 2);
        const features: T[] = [];
        for (const block of blocks) {
          x = invertedResidual(featuresScope.child(block.index, block.stage), x, block);
          if ((MOBILENET_V2_FEATURE_BLOCKS as readonly number[]).includes(block.index)) features.push(x);
        }
        if (resolved.features) return features;
        x = convBnRelu6(featuresScope, String(blocks.length + 1), x, lastChannels, 1);
        // torchvision pools with F.adaptive_avg_pool2d; classifier.0 is Dropout (identity here).
        return scope.child('classifier').linear('1', ops.flatten(ops.globalAvgPool(x)), resolved.numClasses, { init: 'normal-0.01' });
      },
      metadata: { backbone: name, widthMultiplier, ...resolved, placement: typeof resolved.placement === 'function' ? 'predicate' : resolved.placement },
    },
    { ...resolved, widthMultiplier },
  );
}
