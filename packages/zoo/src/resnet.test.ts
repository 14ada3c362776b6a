import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { type AttentionSpec, countCosts, isAttnkitError, traceNetwork } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { type ResNetName, createResNet, resnet18, resnet50, resnet152 } from './resnet.js';

const NAMES: ResNetName[] = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'];
const costs = (name: ResNetName, attention: AttentionSpec | null = null, input = 224) =>
  countCosts(traceNetwork(createResNet(name, { attention }), [1, 3, input, input]));

// docs/paper.md section 3 (torchvision / PyTorch 1.13 counts), columns R18, R34, R50, R101, R152.
const PARAMETER_TABLE: Array<[string, AttentionSpec | null, number[]]> = [
  ['plain (torchvision)', null, [11_689_512, 21_797_672, 25_557_032, 44_549_160, 60_192_808]],
  // 2C^2/r + C/r + C per block on the block output C.
  ['SE r16, bias', { type: 'se', reductionRatio: 16, bias: true }, [11_778_592, 21_958_868, 28_088_024, 49_326_872, 66_821_848]],
  ['SE r16, no bias', { type: 'se', reductionRatio: 16, bias: false }, [11_776_552, 21_954_856, 28_071_976, 49_292_328, 66_770_984]],
  // SE with bias + 98 (7x7x2 conv) + 2 (spatial BN) per block.
  ['CBAM (official)', 'cbam', [11_779_392, 21_960_468, 28_089_624, 49_330_172, 66_826_848]],
  // 3 per block: R18 8 blocks -> +24, R50 16 -> +48, R101 33 -> +99, R152 50 -> +150.
  ['ECA k=3', { type: 'eca', kernelSize: 3 }, [11_689_536, 21_797_720, 25_557_080, 44_549_259, 60_192_958]],
  // R50: 3*3 + 4*5 + 6*5 + 3*7 = 80 (the paper's abstract).
  ['ECA k3557', { type: 'eca', kernelSize: [3, 5, 5, 7] }, [11_689_552, 21_797_752, 25_557_112, 44_549_325, 60_193_058]],
  // Eq. 12 on the block output C: R50 [5, 5, 5, 7] -> 3*5 + 4*5 + 6*5 + 3*7 = 86.
  ['ECA adaptive on block output C', { type: 'eca', kernelSize: 'adaptive' }, [11_689_548, 21_797_746, 25_557_118, 44_549_331, 60_193_064]],
];

describe('ResNet parameters (docs/paper.md section 3)', () => {
  for (const [label, attention, expected] of PARAMETER_TABLE) {
    it(label, () => {
      expect(NAMES.map((name) => costs(name, attention).parameters)).toEqual(expected);
    });
  }
});

describe('ResNet MACs at 224x224, batch 1 (docs/paper.md section 4: Conv2d + Linear)', () => {
  it('plain R18..R152', () => {
    expect(NAMES.map((name) => costs(name).macs)).toEqual([1_814_073_344, 3_663_761_408, 4_089_184_256, 7_801_405_440, 11_513_626_624]);
  });

  it('added by attention on R50: ECA k3557 +86,272, SE r16 +2,514,944, CBAM +6,388,854', () => {
    const plain = costs('resnet50').macs;
    // ECA: C * k per block: 3*256*3 + 4*512*5 + 6*1024*5 + 3*2048*7 = 86,272.
    expect(costs('resnet50', { type: 'eca', kernelSize: [3, 5, 5, 7] }).macs - plain).toBe(86_272);
    expect(costs('resnet50', { type: 'se', reductionRatio: 16 }).macs - plain).toBe(2_514_944);
    expect(costs('resnet50', 'cbam').macs - plain).toBe(6_388_854);
  });
});

describe('thop-style FLOPs, calibrated to the paper (binary G = / 1024^3)', () => {
  it('ResNet-50 3.8582 G ("3.86G")', () => {
    expect(Math.abs(costs('resnet50').flops.value / 1024 ** 3 - 3.8582)).toBeLessThan(0.00005);
  });

  it('ECA-ResNet-50 k3557 3.8634 G ("3.86G")', () => {
    const flops = costs('resnet50', { type: 'eca', kernelSize: [3, 5, 5, 7] }).flops.value;
    expect(Math.abs(flops / 1024 ** 3 - 3.8634)).toBeLessThan(0.00005);
  });
});

describe('ResNet structure', () => {
  it('torchvision state-dict names and shapes', () => {
    const names = new Map(traceNetwork(resnet50()).params.map((p) => [p.name, p.spec.shape]));
    expect(names.get('conv1.weight')).toEqual([64, 3, 7, 7]);
    expect(names.get('layer1.0.downsample.0.weight')).toEqual([256, 64, 1, 1]);
    expect(names.get('layer1.0.downsample.1.running_var')).toEqual([256]);
    // v1.5: the stride sits on the 3x3 conv2, so conv1 of layer2.0 is 1x1 on 256 channels.
    expect(names.get('layer2.0.conv1.weight')).toEqual([128, 256, 1, 1]);
    expect(names.get('layer4.2.bn3.weight')).toEqual([2048]);
    expect(names.get('fc.weight')).toEqual([1000, 2048]);
    expect(names.has('layer1.1.downsample.0.weight')).toBe(false);
  });

  it('numClasses and width (stages [w, 2w, 4w, 8w])', () => {
    const graph = traceNetwork(resnet18({ width: 8, numClasses: 10 }), [1, 3, 64, 64]);
    expect(graph.values[graph.outputs[0]].shape).toEqual([1, 10]);
    // The golden fixture's count (tools/golden/README.md): resnet18 width 8 + ECA k3 = 177,386.
    expect(countCosts(traceNetwork(resnet18({ width: 8, numClasses: 10, attention: { type: 'eca', kernelSize: 3 } }), [1, 3, 64, 64])).parameters).toBe(177_386);
  });

  it('features mode returns the four stage outputs at strides 4, 8, 16, 32 and builds no fc', () => {
    const graph = traceNetwork(resnet50({ features: true }));
    expect(graph.outputs.map((id) => graph.values[id].shape)).toEqual([
      [1, 256, 56, 56],
      [1, 512, 28, 28],
      [1, 1024, 14, 14],
      [1, 2048, 7, 7],
    ]);
    expect(graph.params.some((p) => p.name.startsWith('fc.'))).toBe(false);
  });

  it('traces ResNet-152 at 224 in well under a second (no arithmetic)', () => {
    const start = performance.now();
    const graph = traceNetwork(resnet152({ attention: 'eca' }));
    expect(graph.attention).toHaveLength(50);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('ResNet attention slot and insertion report', () => {
  it('k3557 on R50: 16 insertions with the stage k, summing to 80 parameters', () => {
    const report = resnet50({ attention: { type: 'eca', kernelSize: [3, 5, 5, 7] } }).insertions;
    expect(report).toHaveLength(16);
    expect(report[0]).toEqual({ path: 'layer1.0', module: 'layer1.0.eca', id: 'eca', channels: 256, kernelSize: 3, parameters: 3, stage: 0 });
    expect(report.map((r) => r.kernelSize)).toEqual([3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 7, 7, 7]);
    expect(report.reduce((n, r) => n + r.parameters, 0)).toBe(80);
  });

  it("'adaptive' applies Eq. 12 to each block's output channels: R50 [5, 5, 5, 7]", () => {
    const report = resnet50({ attention: 'eca' }).insertions;
    expect([...new Set(report.map((r) => `${r.channels}:${r.kernelSize}`))]).toEqual(['256:5', '512:5', '1024:5', '2048:7']);
  });

  it("placement 'stage' puts one module on the last block of each stage", () => {
    const report = resnet50({ attention: { type: 'eca', kernelSize: 3 }, placement: 'stage' }).insertions;
    expect(report.map((r) => r.path)).toEqual(['layer1.2', 'layer2.3', 'layer3.5', 'layer4.2']);
  });

  it("placement 'output' names the module <attribute>_output and runs it after the final ReLU", () => {
    const network = resnet18({ attention: { type: 'se' }, placement: 'output' });
    const graph = traceNetwork(network);
    expect(graph.params.some((p) => p.name === 'layer1.0.se_output.fc1.weight')).toBe(true);
    const call = graph.attention[0];
    const producer = graph.nodes.find((n) => n.output === call.input)!;
    expect(producer.op).toBe('relu');
    // Residual placement: the module input is the last BN's output.
    const residual = traceNetwork(resnet18({ attention: 'se' }));
    expect(residual.nodes.find((n) => n.output === residual.attention[0].input)!.scope).toBe('layer1.0.bn2');
  });

  it('a predicate over block paths chooses blocks', () => {
    const report = resnet50({ attention: { type: 'eca', kernelSize: 3 }, placement: (path, info) => info.stage === 2 && path.endsWith('.0') }).insertions;
    expect(report.map((r) => r.path)).toEqual(['layer3.0']);
  });

  it('bad options fail at build time with typed errors', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return isAttnkitError(error) ? error.code : String(error);
      }
      return 'no error';
    };
    // @ts-expect-error 'nope' is not in the typed registry; at run time it is refused too.
    expect(codeOf(() => resnet50({ attention: 'nope' }))).toBe('UNKNOWN_MODULE');
    expect(codeOf(() => resnet50({ attention: { type: 'eca', kernelSize: [3, 5, 5] } }))).toBe('INVALID_KERNEL_SIZE');
    expect(codeOf(() => resnet50({ width: 0 }))).toBe('INVALID_OPTION');
    expect(codeOf(() => resnet50({ numClasses: 1.5 }))).toBe('INVALID_OPTION');
    expect(codeOf(() => resnet50({ placement: 'after' as 'output' }))).toBe('INVALID_OPTION');
    expect(codeOf(() => resnet50({ widthMultiplier: 2 } as object))).toBe('INVALID_OPTION');
  });
});
