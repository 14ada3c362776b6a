import '@attnkit/eca';
import '@attnkit/se';
import { attentionNetwork, type Graph, traceNetwork } from '@attnkit/core';
import { thrownAttnkitError as errorOf } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { insertionReport } from './backbone.js';
import { createBackbone, listBackbones } from './create-backbone.js';
import { makeDivisible, mobilenetV2 } from './mobilenet-v2.js';
import type { BlockInfo } from './placement.js';
import { createResNet, resnet18, stemChannels } from './resnet.js';
import { createTimmResNet } from './timm-resnet.js';

/** Every block a backbone offers its placement predicate, as `path stage.index[L] c<channels> n<nominal> s<stride>` (L: last of its stage). */
function blocksOffered(build: (placement: (path: string, info: BlockInfo) => boolean) => unknown, backbone: string): string[] {
  const seen: string[] = [];
  build((path, info) => {
    expect(info.backbone).toBe(backbone);
    seen.push(`${path} ${info.stage}.${info.index}${info.last ? 'L' : ''} c${info.channels} n${info.nominalChannels} s${info.stride}`);
    return false;
  });
  return seen;
}

/** The module paths (node scopes) of a traced graph's nodes of one op. */
const scopesOf = (graph: Graph, op: string): string[] => [...new Set(graph.nodes.filter((node) => node.op === op).map((node) => node.scope))];

describe('what a placement predicate learns about each block', () => {
  it('ResNet-50 at width 16: stage planes [16, 32, 64, 128] x 4 channels, nominal ones at width 64, stride 2 on the first block of stages 2-4', () => {
    const seen = blocksOffered((placement) => createResNet('resnet50', { width: 16, attention: 'eca', placement }), 'resnet50');
    expect(seen).toEqual([
      'layer1.0 0.0 c64 n256 s1',
      'layer1.1 0.1 c64 n256 s1',
      'layer1.2 0.2L c64 n256 s1',
      'layer2.0 1.0 c128 n512 s2',
      'layer2.1 1.1 c128 n512 s1',
      'layer2.2 1.2 c128 n512 s1',
      'layer2.3 1.3L c128 n512 s1',
      'layer3.0 2.0 c256 n1024 s2',
      'layer3.1 2.1 c256 n1024 s1',
      'layer3.2 2.2 c256 n1024 s1',
      'layer3.3 2.3 c256 n1024 s1',
      'layer3.4 2.4 c256 n1024 s1',
      'layer3.5 2.5L c256 n1024 s1',
      'layer4.0 3.0 c512 n2048 s2',
      'layer4.1 3.1 c512 n2048 s1',
      'layer4.2 3.2L c512 n2048 s1',
    ]);
  });

  it('MobileNetV2 at width 0.5: each settings row a stage, channels by _make_divisible, nominal c unscaled, the row stride on its first block', () => {
    // 16, 24, 32, 64, 96, 160, 320 x 0.5 = 8, 12 -> 16, 16, 32, 48, 80, 160.
    const seen = blocksOffered((placement) => mobilenetV2({ widthMultiplier: 0.5, attention: 'eca', placement }), 'mobilenet_v2');
    expect(seen).toEqual([
      'features.1 0.0L c8 n16 s1',
      'features.2 1.0 c16 n24 s2',
      'features.3 1.1L c16 n24 s1',
      'features.4 2.0 c16 n32 s2',
      'features.5 2.1 c16 n32 s1',
      'features.6 2.2L c16 n32 s1',
      'features.7 3.0 c32 n64 s2',
      'features.8 3.1 c32 n64 s1',
      'features.9 3.2 c32 n64 s1',
      'features.10 3.3L c32 n64 s1',
      'features.11 4.0 c48 n96 s1',
      'features.12 4.1 c48 n96 s1',
      'features.13 4.2L c48 n96 s1',
      'features.14 5.0 c80 n160 s2',
      'features.15 5.1 c80 n160 s1',
      'features.16 5.2L c80 n160 s1',
      'features.17 6.0L c160 n320 s1',
    ]);
  });
});

describe('module names of the parameter-free layers (the node scopes a traced graph records)', () => {
  it("torchvision's ResNet: one shared relu per block and in the stem, maxpool, avgpool", () => {
    const graph = traceNetwork(resnet18({ width: 8, numClasses: 10 }), [1, 3, 32, 32]);
    expect(scopesOf(graph, 'relu')).toEqual(['relu', 'layer1.0.relu', 'layer1.1.relu', 'layer2.0.relu', 'layer2.1.relu', 'layer3.0.relu', 'layer3.1.relu', 'layer4.0.relu', 'layer4.1.relu']);
    expect(scopesOf(graph, 'maxPool2d')).toEqual(['maxpool']);
    expect(scopesOf(graph, 'globalAvgPool')).toEqual(['avgpool']);
  });

  it("timm's ResNet-D: numbered act1..act3, the deep stem's conv1.2 / conv1.5, downsample.0 average pools, global_pool", () => {
    const graph = traceNetwork(createTimmResNet('resnet26d', { width: 2, stemWidth: 8, numClasses: 10 }), [1, 3, 32, 32]);
    const relu = scopesOf(graph, 'relu');
    expect(relu.slice(0, 6)).toEqual(['conv1.2', 'conv1.5', 'act1', 'layer1.0.act1', 'layer1.0.act2', 'layer1.0.act3']);
    expect(relu).toHaveLength(3 + 3 * 8);
    // layer1.0 keeps stride 1: its shortcut has no pool; the first block of each later stage pools.
    expect(scopesOf(graph, 'avgPool2d')).toEqual(['layer2.0.downsample.0', 'layer3.0.downsample.0', 'layer4.0.downsample.0']);
    expect(scopesOf(graph, 'globalAvgPool')).toEqual(['global_pool']);
  });

  it("MobileNetV2: ReLU6 is module 2 of each Conv2dNormActivation", () => {
    const graph = traceNetwork(mobilenetV2({ widthMultiplier: 0.25, numClasses: 10 }), [1, 3, 32, 32]);
    const relu6 = scopesOf(graph, 'relu6');
    expect(relu6.slice(0, 4)).toEqual(['features.0.2', 'features.1.conv.0.2', 'features.2.conv.0.2', 'features.2.conv.1.2']);
    expect(relu6[relu6.length - 1]).toBe('features.18.2');
  });
});

describe('options and metadata with defaults filled in', () => {
  it('ResNet: width 64, 1000 classes, no attention, residual placement; a predicate is reported as such', () => {
    const network = resnet18();
    const defaults = { numClasses: 1000, features: false, attention: null, placement: 'residual' };
    expect(network.options).toEqual({ ...defaults, width: 64 });
    expect(network.metadata).toEqual({ backbone: 'resnet18', width: 64, ...defaults });
    const placement = () => true;
    const custom = resnet18({ width: 8, numClasses: 1, attention: 'eca', placement, features: true });
    expect(custom.options).toEqual({ numClasses: 1, features: true, attention: 'eca', placement, width: 8 });
    expect(custom.metadata).toEqual({ backbone: 'resnet18', width: 8, numClasses: 1, features: true, attention: 'eca', placement: 'predicate' });
  });

  it("timm's ResNets add stemWidth and source; MobileNetV2 its widthMultiplier", () => {
    const timm = createTimmResNet('ecaresnet26t', { width: 2, stemWidth: 8 });
    const ownEca = { type: 'eca', kernelSize: 'adaptive-min3' };
    expect(timm.options).toEqual({ numClasses: 1000, features: false, attention: ownEca, placement: 'residual', width: 2, stemWidth: 8, source: 'timm' });
    expect(timm.metadata).toEqual({ backbone: 'ecaresnet26t', width: 2, stemWidth: 8, source: 'timm', numClasses: 1000, features: false, attention: ownEca, placement: 'residual' });
    expect(createTimmResNet('resnet18d').options).toMatchObject({ width: 64, stemWidth: 32, attention: null });
    const mobile = mobilenetV2({ placement: 'stage' });
    expect(mobile.options).toEqual({ numClasses: 1000, features: false, attention: null, placement: 'stage', widthMultiplier: 1 });
    expect(mobile.metadata).toEqual({ backbone: 'mobilenet_v2', widthMultiplier: 1, numClasses: 1000, features: false, attention: null, placement: 'stage' });
    expect(mobilenetV2({ placement: () => true }).metadata?.placement).toBe('predicate');
  });
});

describe('option errors: INVALID_OPTION naming the backbone, the option and the value', () => {
  it('options that are not an object', () => {
    for (const [options, shown] of [[null, 'null'], ['wide', '"wide"']] as const) {
      const error = errorOf(() => resnet18(options as never));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toBe(`resnet18: options must be an object, got ${shown}`);
      expect(error.details).toEqual({ value: options });
    }
  });

  it('an unknown option lists the known ones', () => {
    const error = errorOf(() => resnet18({ depth: 18 } as never));
    expect(error.message).toBe("resnet18: unknown option 'depth'; known options are 'numClasses', 'features', 'attention', 'placement', 'width'");
    expect(error.details).toEqual({ path: 'depth', allowed: ['numClasses', 'features', 'attention', 'placement', 'width'] });
    expect(errorOf(() => createTimmResNet('resnet18d', { widthMultiplier: 2 } as never)).details).toEqual({
      path: 'widthMultiplier',
      allowed: ['numClasses', 'features', 'attention', 'placement', 'width', 'stemWidth'],
    });
  });

  it('integers below 1, fractions and strings for numClasses, width and stemWidth; 1 is fine', () => {
    expect(errorOf(() => resnet18({ numClasses: 0 })).message).toBe("resnet18: option 'numClasses' is 0; expected an integer >= 1");
    expect(errorOf(() => resnet18({ numClasses: '10' as never })).details).toEqual({ path: 'numClasses', value: '10' });
    expect(errorOf(() => resnet18({ width: 0.5 })).details).toEqual({ path: 'width', value: 0.5 });
    expect(errorOf(() => createTimmResNet('resnet18d', { width: 0 })).message).toBe("resnet18d: option 'width' is 0; expected an integer >= 1");
    expect(errorOf(() => createTimmResNet('resnet18d', { stemWidth: -8 })).details).toEqual({ path: 'stemWidth', value: -8 });
    const one = traceNetwork(resnet18({ width: 1, numClasses: 1 }), [1, 3, 32, 32]);
    expect(one.values[one.outputs[0]].shape).toEqual([1, 1]);
  });

  it('features that is not a boolean', () => {
    const error = errorOf(() => mobilenetV2({ features: 1 as never }));
    expect(error.message).toBe("mobilenet_v2: option 'features' is 1; expected true or false");
    expect(error.details).toEqual({ path: 'features', value: 1 });
  });

  it('a widthMultiplier that is not a finite number above 0', () => {
    for (const [value, shown] of [[0, '0'], [-0.5, '-0.5'], [Number.NaN, 'null'], [Number.POSITIVE_INFINITY, 'null'], ['1', '"1"']] as const) {
      const error = errorOf(() => mobilenetV2({ widthMultiplier: value as number }));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toBe(`mobilenet_v2: option 'widthMultiplier' is ${shown}; expected a number > 0`);
      expect(error.details).toEqual({ path: 'widthMultiplier', value });
    }
  });

  it('a placement that is not one of the three or a function', () => {
    const error = errorOf(() => resnet18({ placement: 'after' as never }));
    expect(error.message).toBe("placement \"after\" is not valid: use 'residual', 'output', 'stage' or a function (path, info) => boolean");
    expect(error.details).toEqual({ path: 'placement', value: 'after', allowed: ['residual', 'output', 'stage', '(path, info) => boolean'] });
  });

  it('a malformed attention spec fails at build time even where no block takes a module', () => {
    const error = errorOf(() => resnet18({ attention: { kernelSize: 3 } as never, placement: () => false }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.details).toEqual({ spec: { kernelSize: 3 } });
  });
});

describe('createBackbone', () => {
  it('an unknown name: UNKNOWN_BACKBONE with the name and the known list in details', () => {
    expect(errorOf(() => createBackbone('resnet42')).details).toEqual({ name: 'resnet42', known: listBackbones() });
  });

  it('a per-stage list of the right length builds; a wrong one names both counts and an example', () => {
    expect(createBackbone('resnet18', { attention: { type: 'eca', kernelSize: [3, 5, 5, 7] } }).insertions.map((i) => i.kernelSize)).toEqual([3, 3, 5, 5, 5, 5, 7, 7]);
    expect(errorOf(() => createBackbone('mobilenet_v2', { attention: { type: 'eca', kernelSize: [3, 5] } })).message).toBe(
      'the per-stage kernel-size list [3, 5] has 2 entries but mobilenet_v2 has 7 stages; give exactly one k per stage (e.g. [3, 3, 3, 3, 3, 3, 3])',
    );
  });
});

describe('the insertion report', () => {
  it('has kernelSize only for modules with one, and stage only inside a backbone', () => {
    // SE r16 with bias at C = 64: 64 * 4 + 4 + 4 * 64 + 64 = 580 parameters.
    expect(resnet18({ attention: 'se' }).insertions[0]).toStrictEqual({ path: 'layer1.0', module: 'layer1.0.se', id: 'se', channels: 64, parameters: 580, stage: 0 });
    expect(insertionReport(traceNetwork(attentionNetwork({ type: 'eca', kernelSize: 3 }, 16)))).toStrictEqual([
      { path: '', module: 'eca', id: 'eca', channels: 16, kernelSize: 3, parameters: 3 },
    ]);
  });
});

describe('small helpers', () => {
  it('stemChannels: [w] for the 7x7 stem, [w, w, 2w] deep, [3 * floor(w / 4), w, 2w] tiered', () => {
    const architecture = { block: 'basic', depths: [1], shortcut: 'conv', activations: 'shared' } as const;
    expect(stemChannels({ ...architecture, stem: 'standard' }, 32)).toEqual([32]);
    expect(stemChannels({ ...architecture, stem: 'deep' }, 32)).toEqual([32, 32, 64]);
    expect(stemChannels({ ...architecture, stem: 'deep-tiered' }, 30)).toEqual([21, 30, 60]);
  });

  it('_make_divisible keeps a multiple that is exactly 90% of the value', () => {
    // 16 / 0.9 = 17.78: the nearest multiple of 8 is 16, and 0.9 * 17.78 = 16 is not below it.
    expect(0.9 * (16 / 0.9)).toBe(16);
    expect(makeDivisible(16 / 0.9)).toBe(16);
  });
});
