/**
 * ResNet-18/34/50/101/152, "Deep Residual Learning for Image Recognition", He et al., CVPR 2016,
 * arXiv 1512.03385, exactly as torchvision's `resnet.py`: stride on the 3x3 conv of the
 * bottleneck ("v1.5"), PyTorch module names (`layer1.0.conv1.weight`, `downsample.0/1`, `fc`),
 * torchvision's init (convs kaiming normal fan-out, BatchNorm 1/0, fc PyTorch's default).
 * A network is a table of stages plus a block that receives its attention (see placement.ts).
 * NOTE: `width` (64 in torchvision) scales the stem and the stage planes [w, 2w, 4w, 8w]; the
 * golden fixtures use width 8.
 */
import type { Scope } from '@attnkit/core';
import { type Backbone, type BackboneOptions, checkPositiveInteger, resolveBackboneOptions, toBackbone } from './backbone.js';
import { type BlockAttention, type BlockInfo, resolveBlockAttention } from './placement.js';

export interface ResNetOptions extends BackboneOptions {
  /** Stem and first-stage planes; stages have [w, 2w, 4w, 8w] planes. 64 by default. */
  width?: number;
}

type BlockKind = 'basic' | 'bottleneck';

/** Blocks per stage and the block type, as torchvision's `resnet18` ... `resnet152`. */
export const RESNET_STAGES = {
  resnet18: { block: 'basic', depths: [2, 2, 2, 2] },
  resnet34: { block: 'basic', depths: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', depths: [3, 4, 6, 3] },
  resnet101: { block: 'bottleneck', depths: [3, 4, 23, 3] },
  resnet152: { block: 'bottleneck', depths: [3, 8, 36, 3] },
} as const satisfies Record<string, { block: BlockKind; depths: readonly number[] }>;

export type ResNetName = keyof typeof RESNET_STAGES;

const EXPANSION: Record<BlockKind, number> = { basic: 1, bottleneck: 4 };

/** One block of the plan: everything its forward needs, decided at build time. */
interface ResNetBlock {
  planes: number;
  stride: number;
  downsample: boolean;
  attention?: BlockAttention;
}

const KAIMING = 'kaiming-normal-fan-out' as const;

function attend<T>(scope: Scope<T>, x: T, attention: BlockAttention | undefined, position: BlockAttention['position']): T {
  return attention?.position === position ? scope.attention(attention.instance, x, attention.name) : x;
}

function shortcut<T>(scope: Scope<T>, x: T, block: ResNetBlock, outChannels: number): T {
  if (!block.downsample) return x;
  const downsample = scope.child('downsample');
  return downsample.batchNorm('1', downsample.conv2d('0', x, { outChannels, kernel: 1, stride: block.stride, init: KAIMING }));
}

// torchvision's blocks call one `self.relu` module 2-3 times: `scope.module('relu', ...)` says so.

/** conv3x3-bn-relu, conv3x3-bn, [attention], + shortcut, relu. */
function basicBlock<T>(scope: Scope<T>, x: T, block: ResNetBlock): T {
  const relu = (v: T): T => scope.module('relu', () => scope.ops.relu(v));
  let out = relu(scope.batchNorm('bn1', scope.conv2d('conv1', x, { outChannels: block.planes, kernel: 3, stride: block.stride, padding: 1, init: KAIMING })));
  out = scope.batchNorm('bn2', scope.conv2d('conv2', out, { outChannels: block.planes, kernel: 3, padding: 1, init: KAIMING }));
  out = attend(scope, out, block.attention, 'residual');
  out = relu(scope.ops.add(out, shortcut(scope, x, block, block.planes)));
  return attend(scope, out, block.attention, 'output');
}

/** conv1x1-bn-relu, conv3x3 (stride here, v1.5)-bn-relu, conv1x1-bn, [attention], + shortcut, relu. */
function bottleneck<T>(scope: Scope<T>, x: T, block: ResNetBlock): T {
  const relu = (v: T): T => scope.module('relu', () => scope.ops.relu(v));
  const outChannels = block.planes * EXPANSION.bottleneck;
  let out = relu(scope.batchNorm('bn1', scope.conv2d('conv1', x, { outChannels: block.planes, kernel: 1, init: KAIMING })));
  out = relu(scope.batchNorm('bn2', scope.conv2d('conv2', out, { outChannels: block.planes, kernel: 3, stride: block.stride, padding: 1, init: KAIMING })));
  out = scope.batchNorm('bn3', scope.conv2d('conv3', out, { outChannels, kernel: 1, init: KAIMING }));
  out = attend(scope, out, block.attention, 'residual');
  out = relu(scope.ops.add(out, shortcut(scope, x, block, outChannels)));
  return attend(scope, out, block.attention, 'output');
}

/** Builds any ResNet of the table; `resnet50(options)` and friends call this. */
export function createResNet(name: ResNetName, options: ResNetOptions = {}): Backbone {
  const resolved = resolveBackboneOptions(name, options, ['width']);
  const width = checkPositiveInteger(name, 'width', options.width ?? 64);
  const { block: kind, depths } = RESNET_STAGES[name];
  const expansion = EXPANSION[kind];
  const forwardBlock = kind === 'basic' ? basicBlock : bottleneck;

  let inChannels = width;
  const stages: ResNetBlock[][] = depths.map((depth, stage) => {
    const planes = width * 2 ** stage;
    return Array.from({ length: depth }, (_, index) => {
      const stride = stage > 0 && index === 0 ? 2 : 1;
      const info: BlockInfo = {
        backbone: name,
        stage,
        index,
        last: index === depth - 1,
        channels: planes * expansion,
        nominalChannels: 64 * 2 ** stage * expansion,
        stride,
      };
      const block: ResNetBlock = {
        planes,
        stride,
        downsample: stride !== 1 || inChannels !== planes * expansion,
        attention: resolveBlockAttention(resolved, `layer${stage + 1}.${index}`, info, (attributeName) => attributeName),
      };
      inChannels = planes * expansion;
      return block;
    });
  });

  return toBackbone(
    {
      name,
      defaultInputShape: [1, 3, 224, 224],
      forward<T>(scope: Scope<T>, input: T): T | T[] {
        const { ops } = scope;
        const stem = scope.batchNorm('bn1', scope.conv2d('conv1', input, { outChannels: width, kernel: 7, stride: 2, padding: 3, init: KAIMING }));
        let x = scope.module('relu', () => ops.relu(stem));
        x = scope.module('maxpool', () => ops.maxPool2d(x, { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }));
        const features: T[] = [];
        stages.forEach((blocks, stage) => {
          const layer = scope.child(`layer${stage + 1}`, stage);
          blocks.forEach((block, index) => {
            x = forwardBlock(layer.child(index), x, block);
          });
          features.push(x);
        });
        if (resolved.features) return features;
        const pooled = scope.module('avgpool', () => ops.globalAvgPool(x));
        return scope.linear('fc', ops.flatten(pooled), resolved.numClasses);
      },
      metadata: { backbone: name, width, ...resolved, placement: typeof resolved.placement === 'function' ? 'predicate' : resolved.placement },
    },
    { ...resolved, width },
  );
}

export const resnet18 = (options: ResNetOptions = {}): Backbone => createResNet('resnet18', options);
export const resnet34 = (options: ResNetOptions = {}): Backbone => createResNet('resnet34', options);
export const resnet50 = (options: ResNetOptions = {}): Backbone => createResNet('resnet50', options);
export const resnet101 = (options: ResNetOptions = {}): Backbone => createResNet('resnet101', options);
export const resnet152 = (options: ResNetOptions = {}): Backbone => createResNet('resnet152', options);
