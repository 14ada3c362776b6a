import '@attnkit/eca';
import { isAttnkitError } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { createBackbone, listBackbones } from './create-backbone.js';

describe('createBackbone', () => {
  it('lists the six backbones and builds each by name', () => {
    expect(listBackbones()).toEqual(['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'mobilenet_v2']);
    for (const name of listBackbones()) expect(createBackbone(name).name).toBe(name);
  });

  it('an unknown name is UNKNOWN_BACKBONE listing the names', () => {
    try {
      createBackbone('resnet42');
      expect.unreachable();
    } catch (error) {
      expect(isAttnkitError(error, 'UNKNOWN_BACKBONE')).toBe(true);
      expect((error as Error).message).toContain('resnet18, resnet34, resnet50, resnet101, resnet152, mobilenet_v2');
    }
  });
});

describe('a per-stage kernel-size list', () => {
  it.each([
    ['resnet18', [3, 5, 5, 7, 9], 4],
    ['resnet50', [3, 5, 5], 4],
    ['mobilenet_v2', [3, 5, 5, 7], 7],
  ])('for %s with %j is INVALID_KERNEL_SIZE (exactly one k per stage: %i)', (name, kernelSize, stages) => {
    expect(() => createBackbone(name, { attention: { type: 'eca', kernelSize } })).toThrow(
      expect.objectContaining({ code: 'INVALID_KERNEL_SIZE', details: { kernelSize, stages } }),
    );
  });
});
