import { describe, expect, it } from 'vitest';
import { AttnkitError, ErrorCodes } from './errors.js';
import { type KernelSizeContext, type KernelSizeRule, adaptiveKernelSize, isKernelSizeRule, resolveKernelSize } from './kernel-size.js';

const channels = [4, 16, 64, 96, 128, 256, 512, 1024, 2048];

describe('kernel-size rules', () => {
  // Paper Eq. 12 (gamma 2, b 1): t = floor((log2 C + 1) / 2), k = t, or t + 1 when t is even.
  // C = 4: t = floor(3/2) = 1 -> 1; C = 16: floor(5/2) = 2 -> 3; C = 64: floor(7/2) = 3 -> 3;
  // C = 96: floor(7.585/2) = 3 -> 3; C = 128: 4 -> 5; 256: floor(4.5) = 4 -> 5; 512: 5 -> 5;
  // 1024: floor(5.5) = 5 -> 5; 2048: 6 -> 7. docs/paper.md: 16..96 -> 3, 128..1024 -> 5, 2048 -> 7, 4 -> 1.
  it("'adaptive' is paper Eq. 12", () => {
    expect(channels.map((c) => resolveKernelSize('adaptive', c))).toEqual([1, 3, 3, 3, 5, 5, 5, 5, 7]);
    expect(channels.map((c) => adaptiveKernelSize(c))).toEqual([1, 3, 3, 3, 5, 5, 5, 5, 7]);
  });

  it("'adaptive' reads gamma and beta from the context", () => {
    // gamma 1, b 1 at C = 64: t = 7 -> 7; gamma 3, b 0 at C = 512: t = floor(9/3) = 3 -> 3.
    expect(resolveKernelSize('adaptive', 64, { gamma: 1, beta: 1 })).toBe(7);
    expect(resolveKernelSize('adaptive', 512, { gamma: 3, beta: 0 })).toBe(3);
  });

  it("'adaptive-min3' clamps to k >= 3 (timm's EcaModule)", () => {
    expect(channels.map((c) => resolveKernelSize('adaptive-min3', c))).toEqual([3, 3, 3, 3, 5, 5, 5, 5, 7]);
  });

  it("'mobilenet-v2' is k = 1 below 96 channels, else 3 (official k13)", () => {
    expect(channels.map((c) => resolveKernelSize('mobilenet-v2', c))).toEqual([1, 1, 1, 3, 3, 3, 3, 3, 3]);
    // At width 0.25 a block with 96 nominal channels has 24: the official code decides on 96.
    expect(resolveKernelSize('mobilenet-v2', 24, { nominalChannels: 96 })).toBe(3);
    expect(resolveKernelSize('mobilenet-v2', 160, { nominalChannels: 64 })).toBe(1);
  });

  it('a fixed odd k ignores the channel count', () => {
    expect(channels.map((c) => resolveKernelSize(5, c))).toEqual(channels.map(() => 5));
    expect(resolveKernelSize(1, 64)).toBe(1);
  });

  it('a per-stage list gives the k of the stage (k3557, the released ECA-ResNet-50)', () => {
    expect([0, 1, 2, 3].map((stage) => resolveKernelSize([3, 5, 5, 7], 256, { stage }))).toEqual([3, 5, 5, 7]);
  });

  it('accepts exactly the rule shapes', () => {
    for (const rule of ['adaptive', 'adaptive-min3', 'mobilenet-v2', 3, 4, [3, 5]]) expect(isKernelSizeRule(rule)).toBe(true);
    for (const rule of ['k13', 3.5, ['3'], null, {}]) expect(isKernelSizeRule(rule)).toBe(false);
  });

  it.each<[KernelSizeRule, KernelSizeContext, string]>([
    [4, {}, 'ECA kernel size 4 is not valid: k must be a positive odd integer'],
    [0, {}, 'ECA kernel size 0 is not valid'],
    [-3, {}, 'ECA kernel size -3 is not valid'],
    [[3, 4, 5, 7], { stage: 1 }, 'ECA kernel size 4 (stage 2 of [3, 4, 5, 7]) is not valid'],
    [[3, 5], {}, 'a per-stage kernel-size list [3, 5] needs a stage index'],
    [[3, 5], { stage: 2 }, 'the per-stage kernel-size list [3, 5] has 2 entries but the network has a block in stage 3'],
    ['k13' as KernelSizeRule, {}, 'unknown kernel-size rule "k13"'],
  ])('refuses %j (context %j) with INVALID_KERNEL_SIZE', (rule, context, message) => {
    let error: unknown;
    try {
      resolveKernelSize(rule, 64, context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttnkitError);
    expect((error as AttnkitError).code).toBe(ErrorCodes.INVALID_KERNEL_SIZE);
    expect((error as AttnkitError).message).toContain(message);
  });
});
