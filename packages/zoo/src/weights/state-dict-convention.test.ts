import { describe, expect, it } from 'vitest';
import { detectConvention, mapKey, stripDataParallelPrefix } from './state-dict-convention.js';

describe('detectConvention', () => {
  it('recognizes each convention from its attention keys', () => {
    expect(detectConvention(['conv1.weight', 'layer1.0.conv1.weight', 'fc.weight'])).toBe('torchvision');
    expect(detectConvention(['conv1.weight', 'layer1.0.eca.conv.weight'])).toBe('official-eca');
    expect(detectConvention(['features.1.conv.3.conv.weight'])).toBe('torchvision');
    expect(detectConvention(['layer1.0.cbam.ChannelGate.mlp.1.weight'])).toBe('official-cbam');
    expect(detectConvention(['layer1.0.se.conv.weight'])).toBe('timm');
    expect(detectConvention(['layer1.0.se.fc1.weight', 'layer1.0.se.fc1.bias'])).toBe('timm');
    expect(detectConvention(['layer1.0.se.fc.0.weight', 'layer1.0.se.fc.2.weight'])).toBe('senet-pytorch');
  });

  it('looks through the DataParallel prefix', () => {
    expect(detectConvention(['module.layer1.0.eca.conv.weight'])).toBe('official-eca');
    expect(detectConvention(['module.layer1.0.se.conv.weight'])).toBe('timm');
  });
});

describe('stripDataParallelPrefix', () => {
  it('drops one or more leading module. and nothing else', () => {
    expect(stripDataParallelPrefix('module.layer1.0.conv1.weight')).toBe('layer1.0.conv1.weight');
    expect(stripDataParallelPrefix('module.module.fc.bias')).toBe('fc.bias');
    expect(stripDataParallelPrefix('layer1.0.module.weight')).toBe('layer1.0.module.weight');
  });
});

describe('mapKey', () => {
  it('renames timm attention to ours and flags the 1x1-conv SE weights for a reshape', () => {
    expect(mapKey('layer3.1.se.conv.weight', 'timm')).toEqual({ name: 'layer3.1.eca.conv.weight', squeezeTrailingUnitDims: false });
    expect(mapKey('layer1.0.se.fc1.weight', 'timm')).toEqual({ name: 'layer1.0.se.fc1.weight', squeezeTrailingUnitDims: true });
    expect(mapKey('layer1.0.se.fc2.bias', 'timm')).toEqual({ name: 'layer1.0.se.fc2.bias', squeezeTrailingUnitDims: false });
    expect(mapKey('layer1.0.conv1.weight', 'timm')).toEqual({ name: 'layer1.0.conv1.weight', squeezeTrailingUnitDims: false });
  });

  it("renames senet.pytorch's Sequential indices 0 and 2 to fc1 and fc2", () => {
    expect(mapKey('layer2.3.se.fc.0.weight', 'senet-pytorch').name).toBe('layer2.3.se.fc1.weight');
    expect(mapKey('layer2.3.se.fc.2.weight', 'senet-pytorch').name).toBe('layer2.3.se.fc2.weight');
    expect(mapKey('layer2.3.se.fc.0.bias', 'senet-pytorch').name).toBe('layer2.3.se.fc1.bias');
  });

  it('keeps names under torchvision and the official conventions', () => {
    for (const convention of ['torchvision', 'official-eca', 'official-cbam'] as const) {
      expect(mapKey('layer1.0.se.conv.weight', convention).name).toBe('layer1.0.se.conv.weight');
      expect(mapKey('layer1.0.cbam.SpatialGate.spatial.bn.running_var', convention).name).toBe(
        'layer1.0.cbam.SpatialGate.spatial.bn.running_var',
      );
    }
  });
});
