import { describe, expect, it } from 'vitest';
import { AttnkitError, ErrorCodes } from './errors.js';
import { adaptiveKernelSize, isKernelSizeRule, type KernelSizeContext, type KernelSizeRule, resolveKernelSize } from './kernel-size.js';

describe('kernel-size rules at their edges', () => {
  it('Eq. 12 takes |(log2 C + b) / gamma| before the floor, so a negative b still gives a positive k', () => {
    // C = 2, gamma 2, b = -6: (1 - 6) / 2 = -2.5 -> |.| = 2.5 -> t = 2 (even) -> k = 3.
    // Without the absolute value: floor(-2.5) = -3, a negative "kernel size".
    expect(adaptiveKernelSize(2, 2, -6)).toBe(3);
    // C = 8, gamma 1, b = -8: (3 - 8) / 1 = -5 -> t = 5 (odd) -> k = 5.
    expect(resolveKernelSize('adaptive', 8, { gamma: 1, beta: -8 })).toBe(5);
  });

  it("'adaptive-min3' passes gamma and beta on and keeps k above 3 as it is", () => {
    // C = 64, gamma 1, b 1: t = 7 -> 7 (over the clamp); C = 512, gamma 3, b 0: t = 3 -> 3.
    expect(resolveKernelSize('adaptive-min3', 64, { gamma: 1, beta: 1 })).toBe(7);
    expect(resolveKernelSize('adaptive-min3', 512, { gamma: 3, beta: 0 })).toBe(3);
  });

  it("'mobilenet-v2' switches to 3 exactly at 96 channels", () => {
    expect([95, 96, 97].map((c) => resolveKernelSize('mobilenet-v2', c))).toEqual([1, 3, 3]);
    expect(resolveKernelSize('mobilenet-v2', 96, { nominalChannels: 95 })).toBe(1);
  });

  it('a fractional k is neither a rule nor a kernel size', () => {
    expect(isKernelSizeRule([3, 5.5])).toBe(false);
    expect(isKernelSizeRule(['3', 5])).toBe(false);
    for (const k of [3.5, 2.5]) {
      expect(() => resolveKernelSize(k, 64)).toThrow(AttnkitError);
      try {
        resolveKernelSize(k, 64);
      } catch (error) {
        expect((error as AttnkitError).code).toBe(ErrorCodes.INVALID_KERNEL_SIZE);
        expect((error as AttnkitError).details).toEqual({ kernelSize: k });
      }
    }
  });

  it('the last stage of a list is usable and one past it is refused', () => {
    expect(resolveKernelSize([3, 5, 5, 7], 64, { stage: 3 })).toBe(7);
    expect(() => resolveKernelSize([3, 5, 5, 7], 64, { stage: 4 })).toThrow(/has 4 entries but the network has a block in stage 5/);
  });

  it.each<[KernelSizeRule, KernelSizeContext, Record<string, unknown>]>([
    [[3, 5], {}, { kernelSize: [3, 5] }],
    [[3, 5], { stage: 2 }, { kernelSize: [3, 5], stage: 2 }],
    ['k13' as KernelSizeRule, {}, { kernelSize: 'k13' }],
  ])('the error for %j (context %j) names the rule in its details', (rule, context, details) => {
    try {
      resolveKernelSize(rule, 64, context);
      expect.unreachable();
    } catch (error) {
      expect((error as AttnkitError).code).toBe(ErrorCodes.INVALID_KERNEL_SIZE);
      expect((error as AttnkitError).details).toEqual(details);
    }
  });
});
