/**
 * timm's ResNet family ("Bag of Tricks for Image Classification with Convolutional Neural
 * Networks", He et al., CVPR 2019, arXiv 1812.01187, for the D variant), built exactly as
 * timm's `timm/models/resnet.py` builds its named models, with timm's module names so timm's
 * checkpoints load by name:
 * - `d`: deep stem (three 3x3 convs of 32, 32, 64: `conv1.0/3/6`, BN `conv1.1/4`, then `bn1`)
 *   and average-pool shortcuts (`downsample.0` AvgPool2d(2, stride, ceil_mode=True,
 *   count_include_pad=False), `downsample.1` 1x1 conv, `downsample.2` BN);
 * - `t`: the same with the tiered stem 24, 32, 64;
 * - `ecaresnet*`: ECA after `bn3` of every block (timm's `se` attribute: `layer1.0.se.conv.weight`,
 *   loaded as our `layer1.0.eca.conv.weight`), k by timm's EcaModule rule: k = |log2(C) + 1| / 2
 *   made odd, at least 3 (`'adaptive-min3'`);
 * - `seresnet*`: SE there instead (timm's SEModule: 1x1 convs with bias `se.fc1/fc2`, C/16 rounded
 *   to a multiple of 8, at least 8: `{ type: 'se', channelDivisor: 8 }`).
 * `ecaresnetlight` is timm's own: layers [1, 1, 11, 3], the 7x7 stem and average-pool shortcuts.
 *
 * NOTE: `width` (64 in timm) and `stemWidth` (32) are timm's `channels=(w, 2w, 4w, 8w)` and
 * `stem_width` arguments; the golden fixtures use width 2, stem width 8 (timm builds the same).
 * The 7x7 stem has 64 channels at any stem width, as in timm. NOTE: timm zero-initializes the
 * last BN weight of each block (`zero_init_last`); the seeded init here keeps BN weights at 1.
 */
import type { AttentionSpec } from '@attnkit/core';
import { type Backbone, type BackboneOptions, checkPositiveInteger, resolveBackboneOptions } from './backbone.js';
import { type BlockKind, buildResNet, type ResNetArchitecture, stemChannels } from './resnet.js';

export interface TimmResNetOptions extends BackboneOptions {
  /** Stage planes [w, 2w, 4w, 8w]; 64 by default (timm's `channels`). */
  width?: number;
  /** timm's `stem_width` of the deep stems; 32 by default. */
  stemWidth?: number;
}

/**
 * A module by id and options. Typed loosely: the zoo registers no module itself, so the typed
 * `AttentionSpec` (which knows the ids that importing @attnkit/eca and @attnkit/se register)
 * is not available here; `createAttention` checks id and options when the network is built.
 */
type ModuleSpec = { readonly type: string; readonly [option: string]: unknown };

type Variant = { block: BlockKind; depths: readonly number[]; stem: ResNetArchitecture['stem']; attention?: ModuleSpec };

const ECA: ModuleSpec = { type: 'eca', kernelSize: 'adaptive-min3' };
const SE: ModuleSpec = { type: 'se', reductionRatio: 16, bias: true, channelDivisor: 8 };
const D = 'deep' as const;
const T = 'deep-tiered' as const;
const R18 = [2, 2, 2, 2];
const R34 = [3, 4, 6, 3];
const R101 = [3, 4, 23, 3];
const R152 = [3, 8, 36, 3];
const R200 = [3, 24, 36, 3];

/** timm's `@register_model` entries of this family: block, layers, stem, attention. */
export const TIMM_RESNETS = {
  resnet10t: { block: 'basic', depths: [1, 1, 1, 1], stem: T },
  resnet14t: { block: 'bottleneck', depths: [1, 1, 1, 1], stem: T },
  resnet18d: { block: 'basic', depths: R18, stem: D },
  resnet26d: { block: 'bottleneck', depths: R18, stem: D },
  resnet26t: { block: 'bottleneck', depths: R18, stem: T },
  resnet34d: { block: 'basic', depths: R34, stem: D },
  resnet50d: { block: 'bottleneck', depths: R34, stem: D },
  resnet50t: { block: 'bottleneck', depths: R34, stem: T },
  resnet101d: { block: 'bottleneck', depths: R101, stem: D },
  resnet152d: { block: 'bottleneck', depths: R152, stem: D },
  resnet200d: { block: 'bottleneck', depths: R200, stem: D },
  ecaresnet26t: { block: 'bottleneck', depths: R18, stem: T, attention: ECA },
  ecaresnet50d: { block: 'bottleneck', depths: R34, stem: D, attention: ECA },
  ecaresnet50t: { block: 'bottleneck', depths: R34, stem: T, attention: ECA },
  ecaresnet101d: { block: 'bottleneck', depths: R101, stem: D, attention: ECA },
  ecaresnet200d: { block: 'bottleneck', depths: R200, stem: D, attention: ECA },
  ecaresnet269d: { block: 'bottleneck', depths: [3, 30, 48, 8], stem: D, attention: ECA },
  ecaresnetlight: { block: 'bottleneck', depths: [1, 1, 11, 3], stem: 'standard', attention: ECA },
  seresnet18: { block: 'basic', depths: R18, stem: 'standard', attention: SE },
  seresnet34: { block: 'basic', depths: R34, stem: 'standard', attention: SE },
  seresnet50: { block: 'bottleneck', depths: R34, stem: 'standard', attention: SE },
  seresnet50t: { block: 'bottleneck', depths: R34, stem: T, attention: SE },
  seresnet101: { block: 'bottleneck', depths: R101, stem: 'standard', attention: SE },
  seresnet152: { block: 'bottleneck', depths: R152, stem: 'standard', attention: SE },
  seresnet152d: { block: 'bottleneck', depths: R152, stem: D, attention: SE },
} as const satisfies Record<string, Variant>;

export type TimmResNetName = keyof typeof TIMM_RESNETS;

/**
 * Builds a timm ResNet by its timm name. `attention` defaults to the variant's own (ECA or SE,
 * as timm configures it) and may be replaced (`null` for none, or any registered module).
 * The shortcut is timm's average-pool one for every deep-stem variant and `ecaresnetlight`;
 * the `seresnet*` models with the 7x7 stem keep the strided 1x1 conv (`downsample.0/1`), as timm.
 */
export function createTimmResNet(name: TimmResNetName, options: TimmResNetOptions = {}): Backbone {
  const variant: Variant = TIMM_RESNETS[name];
  const ownAttention = (variant.attention ?? null) as AttentionSpec | null;
  const withDefault = { ...options, attention: options.attention === undefined ? ownAttention : options.attention };
  const resolved = resolveBackboneOptions(name, withDefault, ['width', 'stemWidth']);
  const width = checkPositiveInteger(name, 'width', options.width ?? 64);
  const stemWidth = checkPositiveInteger(name, 'stemWidth', options.stemWidth ?? 32);
  const averageShortcut = variant.stem !== 'standard' || name === 'ecaresnetlight';
  const architecture: ResNetArchitecture = {
    block: variant.block,
    depths: variant.depths,
    stem: variant.stem,
    shortcut: averageShortcut ? 'average' : 'conv',
    activations: 'numbered',
  };
  const stem = variant.stem === 'standard' ? [64] : stemChannels(architecture, stemWidth);
  return buildResNet({ name, architecture, resolved, width, stem, extra: { stemWidth, source: 'timm' } });
}
