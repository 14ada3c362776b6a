import { countCosts, traceNetwork } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { mobilenetV2 } from './mobilenet-v2.js';

/** Output channels of the stem, the 17 inverted-residual blocks and the last conv. */
function channelsOf(widthMultiplier: number): number[] {
  const shapes = new Map(traceNetwork(mobilenetV2({ widthMultiplier }), [1, 3, 32, 32]).params.map((p) => [p.name, p.spec.shape]));
  const blocks = Array.from({ length: 17 }, (_, i) => shapes.get(`features.${i + 1}.conv.${i === 0 ? 2 : 3}.weight`)?.[0]);
  return [shapes.get('features.0.0.weight')?.[0] ?? -1, ...blocks.map((c) => c ?? -1), shapes.get('features.18.0.weight')?.[0] ?? -1];
}

// torchvision 0.14 `mobilenet_v2(width_mult=w)`: the BatchNorm weight shape after each block
// (features.{i}.conv.3, features.1.conv.2), the stem and features.18. At 0.35 and 1.4
// `_make_divisible` (round to the nearest multiple of 8, never below 90%) and a plain round-up
// to 8 disagree (e.g. 0.35 * 24 = 8.4 -> 8, not 16; 1.4 * 64 = 89.6 -> 88, not 96).
describe('MobileNetV2 width multipliers (torchvision channel counts)', () => {
  it('0.35: 16, 8, 8, 8, 16 x3, 24 x4, 32 x3, 56 x3, 112, last conv 1280', () => {
    expect(channelsOf(0.35)).toEqual([16, 8, 8, 8, 16, 16, 16, 24, 24, 24, 24, 32, 32, 32, 56, 56, 56, 112, 1280]);
  });

  it('1.4: 48, 24, 32 x2, 48 x3, 88 x4, 136 x3, 224 x3, 448, last conv 1792', () => {
    expect(channelsOf(1.4)).toEqual([48, 24, 32, 32, 48, 48, 48, 88, 88, 88, 88, 136, 136, 136, 224, 224, 224, 448, 1792]);
  });

  it('parameters equal torchvision: 0.35 -> 1,677,128; 1.4 -> 6,108,776', () => {
    expect(countCosts(traceNetwork(mobilenetV2({ widthMultiplier: 0.35 }))).parameters).toBe(1_677_128);
    expect(countCosts(traceNetwork(mobilenetV2({ widthMultiplier: 1.4 }))).parameters).toBe(6_108_776);
  });
});
