import { describe, expect, it } from 'vitest';
import { detectConvention, isIgnoredKey, mapKey, stripDataParallelPrefix } from './state-dict-convention.js';

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

describe('the key patterns are anchored at a name boundary and at the end', () => {
  it('detects attention keys at the start of a name, not inside a longer word or with a suffix', () => {
    expect(detectConvention(['se.conv.weight'])).toBe('timm');
    expect(detectConvention(['se.fc2.bias'])).toBe('timm');
    expect(detectConvention(['se.fc.2.weight'])).toBe('senet-pytorch');
    expect(detectConvention(['eca.conv.weight'])).toBe('official-eca');
    expect(detectConvention(['cbam.SpatialGate.spatial.conv.weight'])).toBe('official-cbam');
    // A module named `base` or `mobileca` or `xcbam` is not SE, ECA or CBAM.
    expect(detectConvention(['layer1.0.base.conv.weight', 'layer1.0.base.fc1.weight', 'layer1.0.base.fc.0.weight'])).toBe('torchvision');
    expect(detectConvention(['layer1.0.mobileca.conv.weight', 'layer1.0.xcbam.mlp.weight'])).toBe('torchvision');
    // Suffixes and other indices: not the patterns.
    expect(detectConvention(['layer1.0.se.conv.weight_orig', 'layer1.0.se.fc1.weight2', 'layer1.0.se.fc3.bias'])).toBe('torchvision');
    expect(detectConvention(['layer1.0.se.fc.1.weight', 'layer1.0.se.fc.0.running_mean', 'layer1.0.se.fc.2.bias_orig'])).toBe('torchvision');
  });

  it('prefers timm over senet.pytorch over official ECA over official CBAM when a file mixes them', () => {
    const timm = 'layer1.0.se.fc1.weight';
    const senet = 'layer1.0.se.fc.0.weight';
    const eca = 'layer1.0.eca.conv.weight';
    const cbam = 'layer1.0.cbam.ChannelGate.mlp.1.weight';
    expect(detectConvention([cbam, eca, senet, timm])).toBe('timm');
    expect(detectConvention([cbam, eca, senet])).toBe('senet-pytorch');
    expect(detectConvention([cbam, eca])).toBe('official-eca');
    expect(detectConvention(new Set([cbam]))).toBe('official-cbam');
  });

  it('maps a key at the start of the name and keeps a look-alike', () => {
    expect(mapKey('se.conv.weight', 'timm')).toEqual({ name: 'eca.conv.weight', squeezeTrailingUnitDims: false });
    expect(mapKey('se.fc.0.weight', 'senet-pytorch')).toEqual({ name: 'se.fc1.weight', squeezeTrailingUnitDims: false });
    expect(mapKey('layer1.0.se.fc.2.bias', 'senet-pytorch')).toEqual({ name: 'layer1.0.se.fc2.bias', squeezeTrailingUnitDims: false });
    expect(mapKey('layer1.0.base.conv.weight', 'timm').name).toBe('layer1.0.base.conv.weight');
    expect(mapKey('layer1.0.se.fc.1.weight', 'senet-pytorch').name).toBe('layer1.0.se.fc.1.weight');
    // Under another convention neither rename applies.
    expect(mapKey('layer1.0.se.fc.0.weight', 'timm').name).toBe('layer1.0.se.fc.0.weight');
    expect(mapKey('layer1.0.se.fc1.weight', 'senet-pytorch')).toEqual({ name: 'layer1.0.se.fc1.weight', squeezeTrailingUnitDims: false });
  });
});

describe('isIgnoredKey', () => {
  it("ignores BatchNorm's num_batches_tracked, alone or as the last part of a name, and nothing else", () => {
    expect(isIgnoredKey('num_batches_tracked')).toBe(true);
    expect(isIgnoredKey('layer1.0.bn1.num_batches_tracked')).toBe(true);
    expect(isIgnoredKey('layer1.0.bn1.my_num_batches_tracked')).toBe(false);
    expect(isIgnoredKey('layer1.0.bn1.num_batches_tracked.weight')).toBe(false);
  });
});
