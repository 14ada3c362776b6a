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

export type BlockKind = 'basic' | 'bottleneck';

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

/** How a ResNet is built: torchvision's (7x7 stem, strided 1x1 shortcut) or a timm variant. */
export interface ResNetArchitecture {
  block: BlockKind;
  depths: readonly number[];
  /**
   * `standard`: one 7x7 conv (`conv1`) of 64 channels (timm keeps 64 at any stem width);
   * `deep`: three 3x3 convs `conv1.0/3/6` of stemWidth, stemWidth, 2 x stemWidth with BN + ReLU
   * between (`conv1.1/4`); `deep-tiered`: the same with 3 x (stemWidth / 4), stemWidth, 2 x stemWidth.
   */
  stem: 'standard' | 'deep' | 'deep-tiered';
  /**
   * The shortcut of a downsampling block: `conv` a strided 1x1 conv + BN (`downsample.0/1`);
   * `average` timm's avg_down, AvgPool2d(2, stride, ceil_mode) + 1x1 conv + BN (`downsample.1/2`).
   */
  shortcut: 'conv' | 'average';
  /** Activation module names: torchvision's one shared `relu`, or timm's `act1`, `act2`, ... */
  activations: 'shared' | 'numbered';
}

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

function shortcut<T>(scope: Scope<T>, x: T, block: ResNetBlock, outChannels: number, architecture: ResNetArchitecture): T {
  if (!block.downsample) return x;
  const downsample = scope.child('downsample');
  if (architecture.shortcut === 'conv') {
    return downsample.batchNorm('1', downsample.conv2d('0', x, { outChannels, kernel: 1, stride: block.stride, init: KAIMING }));
  }
  const pooled = block.stride === 1 ? x : downsample.module('0', () => scope.ops.avgPool2d(x, { kernel: [2, 2], stride: [block.stride, block.stride], ceilMode: true }));
  return downsample.batchNorm('2', downsample.conv2d('1', pooled, { outChannels, kernel: 1, init: KAIMING }));
}

/**
 * The block's activation: torchvision's blocks call one `self.relu` module 2-3 times
 * (`scope.module('relu', ...)` says so); timm's have `act1`, `act2`, `act3`.
 */
function activation<T>(scope: Scope<T>, architecture: ResNetArchitecture): (index: number, v: T) => T {
  return (index, v) => scope.module(architecture.activations === 'shared' ? 'relu' : `act${index}`, () => scope.ops.relu(v));
}

/** conv3x3-bn-relu, conv3x3-bn, [attention], + shortcut, relu. */
function basicBlock<T>(scope: Scope<T>, x: T, block: ResNetBlock, architecture: ResNetArchitecture): T {
  const relu = activation(scope, architecture);
  let out = relu(1, scope.batchNorm('bn1', scope.conv2d('conv1', x, { outChannels: block.planes, kernel: 3, stride: block.stride, padding: 1, init: KAIMING })));
  out = scope.batchNorm('bn2', scope.conv2d('conv2', out, { outChannels: block.planes, kernel: 3, padding: 1, init: KAIMING }));
  out = attend(scope, out, block.attention, 'residual');
  out = relu(2, scope.ops.add(out, shortcut(scope, x, block, block.planes, architecture)));
  return attend(scope, out, block.attention, 'output');
}

/** conv1x1-bn-relu, conv3x3 (stride here, v1.5)-bn-relu, conv1x1-bn, [attention], + shortcut, relu. */
function bottleneck<T>(scope: Scope<T>, x: T, block: ResNetBlock, architecture: ResNetArchitecture): T {
  const relu = activation(scope, architecture);
  const outChannels = block.planes * EXPANSION.bottleneck;
  let out = relu(1, scope.batchNorm('bn1', scope.conv2d('conv1', x, { outChannels: block.planes, kernel: 1, init: KAIMING })));
  out = relu(2, scope.batchNorm('bn2', scope.conv2d('conv2', out, { outChannels: block.planes, kernel: 3, stride: block.stride, padding: 1, init: KAIMING })));
  out = scope.batchNorm('bn3', scope.conv2d('conv3', out, { outChannels, kernel: 1, init: KAIMING }));
  out = attend(scope, out, block.attention, 'residual');
  out = relu(3, scope.ops.add(out, shortcut(scope, x, block, outChannels, architecture)));
  return attend(scope, out, block.attention, 'output');
}

/** The stem up to (not including) `bn1`: conv1, or timm's deep conv1.0 ... conv1.6. */
function stemConvolutions<T>(scope: Scope<T>, input: T, architecture: ResNetArchitecture, stemChannels: readonly number[]): T {
  if (architecture.stem === 'standard') {
    return scope.conv2d('conv1', input, { outChannels: stemChannels[0], kernel: 7, stride: 2, padding: 3, init: KAIMING });
  }
  const conv1 = scope.child('conv1');
  const convBnRelu = (x: T, index: number, stride: number): T => {
    const normalized = conv1.batchNorm(String(index + 1), conv1.conv2d(String(index), x, { outChannels: stemChannels[index / 3], kernel: 3, stride, padding: 1, init: KAIMING }));
    return conv1.module(String(index + 2), () => scope.ops.relu(normalized));
  };
  const x = convBnRelu(convBnRelu(input, 0, 2), 3, 1);
  return conv1.conv2d('6', x, { outChannels: stemChannels[2], kernel: 3, padding: 1, init: KAIMING });
}

/** Channels of the stem convolutions: [64], [w, w, 2w] or [3 * floor(w / 4), w, 2w]. */
export function stemChannels(architecture: ResNetArchitecture, stemWidth: number): number[] {
  if (architecture.stem === 'standard') return [stemWidth];
  const first = architecture.stem === 'deep-tiered' ? 3 * Math.floor(stemWidth / 4) : stemWidth;
  return [first, stemWidth, 2 * stemWidth];
}

export interface BuildResNetInput {
  name: string;
  architecture: ResNetArchitecture;
  /** Options already validated, defaults filled. */
  resolved: ReturnType<typeof resolveBackboneOptions>;
  /** Stage planes [w, 2w, 4w, 8w] come from this. */
  width: number;
  /** Channels of each stem conv (see `stemChannels`); the last is the stem's output. */
  stem: readonly number[];
  /** Everything the metadata and `options` should report besides the shared backbone options. */
  extra: Record<string, unknown>;
}

/** Builds any ResNet from its architecture: the torchvision table here and timm's in timm-resnet.ts. */
export function buildResNet({ name, architecture, resolved, width, stem, extra }: BuildResNetInput): Backbone {
  const { block: kind, depths } = architecture;
  const expansion = EXPANSION[kind];
  const forwardBlock = kind === 'basic' ? basicBlock : bottleneck;
  const stemOut = stem[stem.length - 1];

  let inChannels = stemOut;
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
        const normalized = scope.batchNorm('bn1', stemConvolutions(scope, input, architecture, stem));
        let x = scope.module(architecture.activations === 'shared' ? 'relu' : 'act1', () => ops.relu(normalized));
        x = scope.module('maxpool', () => ops.maxPool2d(x, { kernel: [3, 3], stride: [2, 2], padding: [1, 1] }));
        const features: T[] = [];
        stages.forEach((blocks, stage) => {
          const layer = scope.child(`layer${stage + 1}`, stage);
          blocks.forEach((block, index) => {
            x = forwardBlock(layer.child(index), x, block, architecture);
          });
          features.push(x);
        });
        if (resolved.features) return features;
        const pooled = scope.module(architecture.activations === 'shared' ? 'avgpool' : 'global_pool', () => ops.globalAvgPool(x));
        return scope.linear('fc', ops.flatten(pooled), resolved.numClasses);
      },
      metadata: { backbone: name, width, ...extra, ...resolved, placement: typeof resolved.placement === 'function' ? 'predicate' : resolved.placement },
    },
    { ...resolved, width, ...extra },
  );
}

const TORCHVISION: Pick<ResNetArchitecture, 'stem' | 'shortcut' | 'activations'> = { stem: 'standard', shortcut: 'conv', activations: 'shared' };

/** Builds any ResNet of the table; `resnet50(options)` and friends call this. */
export function createResNet(name: ResNetName, options: ResNetOptions = {}): Backbone {
  const resolved = resolveBackboneOptions(name, options, ['width']);
  const width = checkPositiveInteger(name, 'width', options.width ?? 64);
  const architecture: ResNetArchitecture = { ...RESNET_STAGES[name], ...TORCHVISION };
  return buildResNet({ name, architecture, resolved, width, stem: [width], extra: {} });
}

export const resnet18 = (options: ResNetOptions = {}): Backbone => createResNet('resnet18', options);
export const resnet34 = (options: ResNetOptions = {}): Backbone => createResNet('resnet34', options);
export const resnet50 = (options: ResNetOptions = {}): Backbone => createResNet('resnet50', options);
export const resnet101 = (options: ResNetOptions = {}): Backbone => createResNet('resnet101', options);
export const resnet152 = (options: ResNetOptions = {}): Backbone => createResNet('resnet152', options);
