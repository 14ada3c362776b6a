import { ErrorCodes } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { IMAGENET_LABELS } from './imagenet-labels.js';
import { topClasses } from './top-classes.js';

describe('topClasses', () => {
  it('ranks by softmax probability, ties by lower index, names from the labels', () => {
    // softmax([0, ln 2, ln 2, ln 4]) = [1, 2, 2, 4] / 9
    const top = topClasses([0, Math.LN2, Math.LN2, 2 * Math.LN2], 3, ['a', 'b', 'c', 'd']);
    expect(top.map((t) => [t.index, t.label])).toEqual([
      [3, 'd'],
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(top[0].probability).toBeCloseTo(4 / 9, 12);
    expect(top[1].probability).toBeCloseTo(2 / 9, 12);
  });

  it('stays finite for large logits and names unlabelled classes by index', () => {
    const top = topClasses([1000, 999], 5);
    expect(top).toHaveLength(2);
    expect(top[0]).toMatchObject({ index: 0, label: 'class 0' });
    expect(top[0].probability).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });

  it('refuses top < 1 and empty logits', () => {
    expect(thrownAttnkitError(() => topClasses([1], 0))).toMatchObject({ code: ErrorCodes.INVALID_OPTION, details: { path: 'top' } });
    expect(thrownAttnkitError(() => topClasses([], 5))).toMatchObject({ code: ErrorCodes.SHAPE_MISMATCH });
  });

  it("ships torchvision's 1000 ImageNet-1k names in class order", () => {
    expect(IMAGENET_LABELS).toHaveLength(1000);
    expect([IMAGENET_LABELS[0], IMAGENET_LABELS[1], IMAGENET_LABELS[207], IMAGENET_LABELS[999]]).toEqual(['tench', 'goldfish', 'golden retriever', 'toilet tissue']);
    expect(new Set(IMAGENET_LABELS).size).toBe(1000);
  });
});
