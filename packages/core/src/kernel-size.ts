import { AttnkitError, ErrorCodes } from './errors.js';

/**
 * How ECA picks its kernel size k, as a value rather than a hidden code path:
 * - `'adaptive'`: paper Eq. 12, t = floor(|(log2(C) + beta) / gamma|), k = t if odd else t + 1.
 *   NOTE: for C <= 7 this gives k = 1 (no cross-channel interaction); C = 4 -> 1.
 * - `'adaptive-min3'`: the same, clamped to k >= 3 (timm's `EcaModule`).
 * - `'mobilenet-v2'`: the official ECA-MobileNetV2 rule, k = 1 if C < 96 else 3 ("k13").
 * - a fixed odd k.
 * - a per-stage list, one odd k per backbone stage (the official code: `[3, 5, 5, 7]` is the
 *   released ResNet-50); needs the stage index from the host network.
 */
export type KernelSizeRule = 'adaptive' | 'adaptive-min3' | 'mobilenet-v2' | number | readonly number[];

export interface KernelSizeContext {
  /** Stage index (0-based) of the host block, needed by per-stage lists. */
  stage?: number;
  gamma?: number;
  beta?: number;
  /**
   * The channel count the host block has at width multiplier 1.0. The official ECA-MobileNetV2
   * applies its k13 rule to the unscaled count from the settings table, so `'mobilenet-v2'`
   * reads this when a host gives it.
   */
  nominalChannels?: number;
}

/** Paper Eq. 12 with gamma = 2, b = 1 by default. */
export function adaptiveKernelSize(channels: number, gamma = 2, beta = 1): number {
  const t = Math.floor(Math.abs((Math.log2(channels) + beta) / gamma));
  return t % 2 === 1 ? t : t + 1;
}

export function isKernelSizeRule(value: unknown): value is KernelSizeRule {
  return (
    value === 'adaptive' ||
    value === 'adaptive-min3' ||
    value === 'mobilenet-v2' ||
    (typeof value === 'number' && Number.isInteger(value)) ||
    (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v)))
  );
}

function checkOdd(k: number, where: string): number {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) {
    throw new AttnkitError(
      ErrorCodes.INVALID_KERNEL_SIZE,
      `ECA kernel size ${k}${where} is not valid: k must be a positive odd integer (1, 3, 5, 7, ...) so that (k-1)/2 zeros pad both ends`,
      { kernelSize: k },
    );
  }
  return k;
}

/** The kernel size a rule gives for `channels` channels (at `context.stage`, for lists). */
export function resolveKernelSize(rule: KernelSizeRule, channels: number, context: KernelSizeContext = {}): number {
  const { gamma = 2, beta = 1 } = context;
  if (rule === 'adaptive') return adaptiveKernelSize(channels, gamma, beta);
  if (rule === 'adaptive-min3') return Math.max(3, adaptiveKernelSize(channels, gamma, beta));
  if (rule === 'mobilenet-v2') return (context.nominalChannels ?? channels) < 96 ? 1 : 3;
  if (typeof rule === 'number') return checkOdd(rule, '');
  if (Array.isArray(rule)) {
    if (context.stage === undefined) {
      throw new AttnkitError(
        ErrorCodes.INVALID_KERNEL_SIZE,
        `a per-stage kernel-size list [${rule.join(', ')}] needs a stage index: use it with a zoo backbone, or give one odd k (e.g. kernelSize: 3) or 'adaptive' for a standalone module`,
        { kernelSize: rule },
      );
    }
    if (context.stage >= rule.length) {
      throw new AttnkitError(
        ErrorCodes.INVALID_KERNEL_SIZE,
        `the per-stage kernel-size list [${rule.join(', ')}] has ${rule.length} entries but the network has a block in stage ${context.stage + 1}: give one k per stage`,
        { kernelSize: rule, stage: context.stage },
      );
    }
    return checkOdd(rule[context.stage], ` (stage ${context.stage + 1} of [${rule.join(', ')}])`);
  }
  throw new AttnkitError(
    ErrorCodes.INVALID_KERNEL_SIZE,
    `unknown kernel-size rule ${JSON.stringify(rule)}: use 'adaptive', 'adaptive-min3', 'mobilenet-v2', an odd integer, or a per-stage list of odd integers`,
    { kernelSize: rule },
  );
}
