/**
 * Reading PyTorch module paths back out of torch.onnx.export's node names
 * (`/layer1/layer1.0/conv2/Conv`, `/features/features.3/Add`), and where the official code keeps
 * an attention module inside a block (docs/paper.md section 7): `layer1.0.eca` in a ResNet block,
 * `features.3.conv.4` in a MobileNetV2 inverted residual (`features.1.conv.3` without expand).
 */
import type { KernelSizeContext } from '@attnkit/core';
import type { OnnxNode } from './onnx-model.js';

/** `/layer1/layer1.0/conv2/Conv` -> ['layer1', 'layer1.0', 'conv2'] (the op name dropped). */
export function scopeSegments(nodeName: string | undefined): string[] {
  if (!nodeName?.startsWith('/')) return [];
  const parts = nodeName.split('/').filter((part) => part !== '');
  return parts.slice(0, -1);
}

/** The block a node belongs to: its second scope segment (`layer1.0`, `features.3`), if any. */
export function blockOf(node: OnnxNode | undefined): string | undefined {
  const segments = scopeSegments(node?.name);
  return segments.length >= 2 && /\.\d+$/.test(segments[1]) ? segments[1] : undefined;
}

/** torchvision MobileNetV2's settings rows: output channels and repeats (for stage and k13 context). */
const MOBILENET_V2_ROWS = [
  [16, 1],
  [24, 2],
  [32, 3],
  [64, 4],
  [96, 3],
  [160, 3],
  [320, 1],
] as const;

/**
 * Kernel-size context of a block from its path: `layer3.1` -> stage 2; `features.11` -> stage 4
 * with 96 nominal channels (torchvision's MobileNetV2 table), so per-stage lists and the
 * official `'mobilenet-v2'` (k13) rule resolve as they do in the zoo.
 */
export function blockContext(block: string | undefined): KernelSizeContext {
  if (block === undefined) return {};
  const resnet = /^layer(\d+)\.\d+$/.exec(block);
  if (resnet) return { stage: Number(resnet[1]) - 1 };
  const mobilenet = /^features\.(\d+)$/.exec(block);
  if (mobilenet) {
    let index = Number(mobilenet[1]);
    for (let stage = 0; stage < MOBILENET_V2_ROWS.length; stage++) {
      const [channels, repeats] = MOBILENET_V2_ROWS[stage];
      if (index <= repeats) return { stage, nominalChannels: channels };
      index -= repeats;
    }
  }
  return {};
}

/**
 * The PyTorch path of a module inserted on a block's residual branch. `blockNodes` are the
 * block's nodes; `branchEnd` is the node that produces the branch tensor.
 */
export function attentionModulePath(block: string, attributeName: string, blockNodes: readonly OnnxNode[], branchEnd: OnnxNode | undefined): string {
  if (/^features\.\d+$/.test(block) && blockNodes.some((node) => scopeSegments(node.name)[2] === 'conv')) {
    // The module is the next entry of the block's `conv` Sequential: after the project conv
    // (`conv.2`, or `conv.1` without expand) comes its BN (folded away in an eval export).
    let last = -1;
    for (const node of blockNodes) {
      // Stryker disable next-line StringLiteral: any other text fails the match as '' does
      const match = /^conv\.(\d+)$/.exec(scopeSegments(node.name)[3] ?? '');
      if (match) last = Math.max(last, Number(match[1]));
    }
    return `${block}.conv.${last + (branchEnd?.opType === 'BatchNormalization' ? 1 : 2)}`;
  }
  return `${block}.${attributeName}`;
}
