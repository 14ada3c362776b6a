/**
 * The attention slot of every zoo backbone: which module (any registered id with its options,
 * or none) and where it goes. Blocks receive the result; they never hard-code a module.
 *
 * Placements:
 * - `residual` (default, the official ECA / SE / CBAM code): on the residual branch of every
 *   block, after its last BatchNorm and before the residual add.
 * - `output`: after the block's final activation (ResNet: after the ReLU that follows the add;
 *   MobileNetV2: after the add, which has no activation). NOTE: no official code does this; its
 *   parameters live under `<block>.<attributeName>_output` (`layer1.0.eca_output.conv.weight`),
 *   so a checkpoint trained with the module on the residual branch does not load silently.
 * - `stage`: on the residual branch of the last block of each stage only.
 * - a predicate `(path, info) => boolean` over block paths (`layer3.5`, `features.11`): on the
 *   residual branch of each block it accepts.
 */
import {
  type AttentionInstance,
  type AttentionSpec,
  AttnkitError,
  ErrorCodes,
  type KernelSizeContext,
  createAttention,
  parseAttentionSpec,
} from '@attnkit/core';

/** What a placement predicate learns about a block. */
export interface BlockInfo {
  /** The backbone being built, e.g. `resnet50`. */
  backbone: string;
  /** Stage index, 0-based (ResNet: layer1..4 -> 0..3; MobileNetV2: settings rows 0..6). */
  stage: number;
  /** Block index within its stage, 0-based. */
  index: number;
  /** Whether this is the last block of its stage. */
  last: boolean;
  /** Output channels of the block: the channels an inserted module receives. */
  channels: number;
  /** Output channels at width 64 / width multiplier 1.0 (the official MobileNetV2 k13 rule reads it). */
  nominalChannels: number;
  /** Stride of the block (2 where it downsamples). */
  stride: number;
}

export type BlockPredicate = (path: string, info: BlockInfo) => boolean;

export type AttentionPlacement = 'residual' | 'output' | 'stage' | BlockPredicate;

export const ATTENTION_PLACEMENTS = ['residual', 'output', 'stage'] as const;

/** The attention options every backbone takes. */
export interface AttentionSlotOptions {
  /** A registered id (`'eca'`) or a spec (`{ type: 'eca', kernelSize: [3, 5, 5, 7] }`); none by default. */
  attention?: AttentionSpec | null;
  /** Where the module goes; `'residual'` by default. */
  placement?: AttentionPlacement;
}

/** A module bound to one block: what the block inserts, and under which attribute name. */
export interface BlockAttention {
  instance: AttentionInstance;
  /** `residual`: before the add; `output`: after the block's final activation. */
  position: 'residual' | 'output';
  /** Attribute name inside the block (`eca`, `conv.4`, `eca_output`). */
  name: string;
}

/** Checks the slot options once per build, so a bad spec fails before any block is made. */
export function validateAttentionSlot(options: AttentionSlotOptions): void {
  const { attention, placement = 'residual' } = options;
  if (attention !== undefined && attention !== null) parseAttentionSpec(attention);
  if (typeof placement !== 'function' && !ATTENTION_PLACEMENTS.includes(placement)) {
    throw new AttnkitError(
      ErrorCodes.INVALID_OPTION,
      `placement ${JSON.stringify(placement)} is not valid: use ${ATTENTION_PLACEMENTS.map((p) => `'${p}'`).join(', ')} or a function (path, info) => boolean`,
      { path: 'placement', value: placement, allowed: [...ATTENTION_PLACEMENTS, '(path, info) => boolean'] },
    );
  }
}

/**
 * The module for one block, or undefined. `residualName` is where the host keeps a module on its
 * residual branch: the definition's attribute name in ResNet blocks, `conv.<next>` in MobileNetV2.
 */
export function resolveBlockAttention(
  options: AttentionSlotOptions,
  path: string,
  info: BlockInfo,
  residualName: (attributeName: string) => string,
  context: KernelSizeContext = {},
): BlockAttention | undefined {
  // Stryker disable next-line StringLiteral: every backbone passes resolved options whose placement is set; '' would place like 'residual' anyway
  const { attention, placement = 'residual' } = options;
  if (attention === undefined || attention === null) return undefined;
  let position: BlockAttention['position'] = 'residual';
  if (placement === 'output') position = 'output';
  else if (placement === 'stage' && !info.last) return undefined;
  else if (typeof placement === 'function' && !placement(path, info)) return undefined;
  const instance = createAttention(attention, info.channels, { stage: info.stage, ...context });
  const attributeName = instance.definition.attributeName;
  return { instance, position, name: position === 'output' ? `${attributeName}_output` : residualName(attributeName) };
}
