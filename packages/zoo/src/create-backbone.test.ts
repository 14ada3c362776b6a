import '@attnkit/eca';
import '@attnkit/se';
import { isAttnkitError } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { createBackbone, listBackbones } from './create-backbone.js';
import { TIMM_RESNETS } from './timm-resnet.js';

describe('createBackbone', () => {
  it("lists torchvision's six backbones, then timm's ResNet family, and builds each by name", () => {
    expect(listBackbones().slice(0, 6)).toEqual(['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'mobilenet_v2']);
    expect(listBackbones().slice(6)).toEqual(Object.keys(TIMM_RESNETS));
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
