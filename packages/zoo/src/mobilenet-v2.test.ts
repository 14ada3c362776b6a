import '@attnkit/eca';
import '@attnkit/se';
import { type AttentionSpec, countCosts, traceNetwork } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { makeDivisible, mobilenetV2 } from './mobilenet-v2.js';

const costs = (attention: AttentionSpec | null = null) => countCosts(traceNetwork(mobilenetV2({ attention })));
const K13: AttentionSpec = { type: 'eca', kernelSize: 'mobilenet-v2' };

describe('MobileNetV2 costs (docs/paper.md sections 3 and 4)', () => {
  it('parameters: torchvision 3,504,872; + ECA k13 3,504,903; + SE r8 bias 3,563,492', () => {
    expect(costs().parameters).toBe(3_504_872);
    // k = 1 in blocks 1-10, 3 in blocks 11-17: 10 + 7 * 3 = 31.
    expect(costs(K13).parameters).toBe(3_504_903);
    expect(costs({ type: 'se', reductionRatio: 8, bias: true }).parameters).toBe(3_563_492);
  });

  it('MACs at 224: 300,774,272; ECA k13 +3,680; SE r8 +56,928', () => {
    const plain = costs().macs;
    expect(plain).toBe(300_774_272);
    // C * k per block: 16 + 2*24 + 3*32 + 4*64 (k 1) + 3*96*3 + 3*160*3 + 320*3 = 3,680.
    expect(costs(K13).macs - plain).toBe(3_680);
    expect(costs({ type: 'se', reductionRatio: 8 }).macs - plain).toBe(56_928);
  });

  it('thop-style FLOPs: 319.36 M and ECA 319.91 M (binary M = / 1024^2)', () => {
    expect(Math.abs(costs().flops.value / 1024 ** 2 - 319.36)).toBeLessThan(0.005);
    expect(Math.abs(costs(K13).flops.value / 1024 ** 2 - 319.91)).toBeLessThan(0.005);
  });
});

describe('MobileNetV2 structure', () => {
  it('torchvision names; ECA at conv.4 (conv.3 in block 1), [1, 1, k]', () => {
    const shapes = new Map(traceNetwork(mobilenetV2({ attention: K13 })).params.map((p) => [p.name, p.spec.shape]));
    expect(shapes.get('features.0.0.weight')).toEqual([32, 3, 3, 3]);
    expect(shapes.get('features.1.conv.0.0.weight')).toEqual([32, 1, 3, 3]);
    expect(shapes.get('features.1.conv.2.running_mean')).toEqual([16]);
    expect(shapes.get('features.2.conv.1.0.weight')).toEqual([96, 1, 3, 3]);
    expect(shapes.get('features.18.0.weight')).toEqual([1280, 320, 1, 1]);
    expect(shapes.get('classifier.1.weight')).toEqual([1000, 1280]);
    expect(shapes.get('features.1.conv.3.conv.weight')).toEqual([1, 1, 1]);
    expect(shapes.get('features.10.conv.4.conv.weight')).toEqual([1, 1, 1]);
    expect(shapes.get('features.11.conv.4.conv.weight')).toEqual([1, 1, 3]);
  });

  it("'mobilenet-v2' reads the unscaled c: k = 3 in blocks 11-17 at width 0.25 too", () => {
    const report = mobilenetV2({ widthMultiplier: 0.25, numClasses: 10, attention: K13 }).insertions;
    expect(report.map((r) => r.kernelSize)).toEqual([...Array(10).fill(1), ...Array(7).fill(3)]);
    expect(report[10]).toMatchObject({ path: 'features.11', module: 'features.11.conv.4', channels: 24, kernelSize: 3, stage: 4 });
    // The golden fixture's count (tools/golden/README.md).
    expect(countCosts(traceNetwork(mobilenetV2({ widthMultiplier: 0.25, numClasses: 10, attention: K13 }), [1, 3, 64, 64])).parameters).toBe(250_953);
  });

  it('per-stage lists index the 7 settings rows; stage placement takes the last block of each row', () => {
    const report = mobilenetV2({ attention: { type: 'eca', kernelSize: [1, 1, 3, 3, 5, 5, 7] }, placement: 'stage' }).insertions;
    expect(report.map((r) => `${r.path}:${r.kernelSize}`)).toEqual(['features.1:1', 'features.3:1', 'features.6:3', 'features.10:3', 'features.13:5', 'features.16:5', 'features.17:7']);
  });

  it("placement 'output' runs after the residual add, under <attribute>_output", () => {
    const graph = traceNetwork(mobilenetV2({ attention: 'se', placement: 'output' }));
    expect(graph.params.some((p) => p.name === 'features.3.se_output.fc1.weight')).toBe(true);
    const third = graph.attention.find((a) => a.path === 'features.3')!;
    expect(graph.nodes.find((n) => n.output === third.input)!.op).toBe('add');
  });

  it('features mode: blocks 3, 6, 13, 17 at strides 4, 8, 16, 32', () => {
    const graph = traceNetwork(mobilenetV2({ features: true }));
    expect(graph.outputs.map((id) => graph.values[id].shape)).toEqual([
      [1, 24, 56, 56],
      [1, 32, 28, 28],
      [1, 96, 14, 14],
      [1, 320, 7, 7],
    ]);
    expect(graph.params.some((p) => p.name.startsWith('features.18') || p.name.startsWith('classifier'))).toBe(false);
  });

  it("torchvision's _make_divisible", () => {
    // 32 * 0.25 = 8; 16 * 0.25 = 4 -> 8 (minimum 8); 1280 stays; 18 -> 16 is more than 10% below 18, so 24; 13 -> 16.
    expect([makeDivisible(8), makeDivisible(4), makeDivisible(1280), makeDivisible(18), makeDivisible(13)]).toEqual([8, 8, 1280, 24, 16]);
  });
});
