import { describe, expect, it } from 'vitest';
import { functionBaseName } from './attention-function.js';
import type { OnnxNode } from './onnx-model.js';
import { attentionModulePath, blockContext, blockOf, scopeSegments } from './torch-module-paths.js';

const node = (name: string | undefined, opType = 'Conv'): OnnxNode => ({ opType, inputs: [], outputs: [], attributes: [], name });

describe('module paths read from torch.onnx.export node names', () => {
  it('scopeSegments drops the op name and needs a leading slash', () => {
    expect(scopeSegments('/layer1/layer1.0/conv2/Conv')).toEqual(['layer1', 'layer1.0', 'conv2']);
    expect(scopeSegments('/layer1/Relu')).toEqual(['layer1']);
    expect(scopeSegments('/Add')).toEqual([]);
    // Names another exporter gave (no leading slash) carry no module path.
    expect(scopeSegments('layer1/layer1.0/Conv')).toEqual([]);
    expect(scopeSegments(undefined)).toEqual([]);
  });

  it('blockOf is the second segment when it ends in .<index>', () => {
    expect(blockOf(node('/layer1/layer1.0/conv2/Conv'))).toBe('layer1.0');
    expect(blockOf(node('/features/features.13/conv/conv.2/Conv'))).toBe('features.13');
    expect(blockOf(node('/layer1/Conv'))).toBeUndefined();
    expect(blockOf(node('/layer1/downsample/Conv'))).toBeUndefined();
    expect(blockOf(node('/layer1/layer1.0a/Conv'))).toBeUndefined();
    expect(blockOf(undefined)).toBeUndefined();
  });
});

describe('blockContext: stage and nominal channels from a block path', () => {
  it('ResNet: layer<s>.<i> is stage s - 1', () => {
    expect(blockContext('layer1.0')).toEqual({ stage: 0 });
    expect(blockContext('layer3.10')).toEqual({ stage: 2 });
    expect(blockContext('layer12.0')).toEqual({ stage: 11 });
    for (const other of ['xlayer3.1', 'layer3.1.conv1', 'layerX.1', 'layer3.x', undefined]) expect(blockContext(other)).toEqual({});
  });

  it("MobileNetV2: features.<i> by torchvision's settings rows (t, c, n): 1 | 2 | 3 | 4 | 3 | 3 | 1 blocks", () => {
    const expected: Array<[number, number, number]> = [
      [1, 0, 16],
      [2, 1, 24],
      [3, 1, 24],
      [4, 2, 32],
      [6, 2, 32],
      [7, 3, 64],
      [10, 3, 64],
      [11, 4, 96],
      [14, 5, 160],
      [17, 6, 320],
    ];
    for (const [index, stage, nominalChannels] of expected) expect(blockContext(`features.${index}`)).toEqual({ stage, nominalChannels });
    // features.18 is the last ConvBNReLU, not an inverted residual.
    for (const other of ['features.18', 'xfeatures.3', 'features.3.conv']) expect(blockContext(other)).toEqual({});
  });
});

describe('attentionModulePath', () => {
  it('ResNet blocks keep the module under its attribute name', () => {
    expect(attentionModulePath('layer2.1', 'eca', [node('/layer2/layer2.1/conv2/Conv')], node('/layer2/layer2.1/conv2/Conv'))).toBe('layer2.1.eca');
  });

  it("MobileNetV2: the next entry of the block's conv Sequential after the project conv and its BN", () => {
    const expand = [node('/features/features.3/conv/conv.0/conv.0.0/Conv'), node('/features/features.3/conv/conv.1/conv.1.0/Conv'), node('/features/features.3/conv/conv.2/Conv')];
    // BN folded in the export: conv.2 is the last entry seen, conv.3 (its BN) is skipped.
    expect(attentionModulePath('features.3', 'eca', expand, expand[2])).toBe('features.3.conv.4');
    const withBatchNorm = [...expand, node('/features/features.3/conv/conv.3/BatchNormalization', 'BatchNormalization')];
    expect(attentionModulePath('features.3', 'eca', withBatchNorm, withBatchNorm[3])).toBe('features.3.conv.4');
    // Without expand (features.1): dw ConvBNReLU conv.0, project conv conv.1.
    const noExpand = [node('/features/features.1/conv/conv.0/conv.0.0/Conv'), node('/features/features.1/conv/conv.1/Conv')];
    expect(attentionModulePath('features.1', 'eca', noExpand, noExpand[1])).toBe('features.1.conv.3');
    // A features block that is not an inverted residual keeps the attribute name.
    expect(attentionModulePath('features.3', 'eca', [node('/features/features.3/Conv')], undefined)).toBe('features.3.eca');
  });

  it('conv.<n> counts with any number of digits and only as a whole segment; without any, the module is conv.1', () => {
    // conv.12 is the last entry: the module is conv.14.
    const wide = [node('/features/features.3/conv/conv.9/Conv'), node('/features/features.3/conv/conv.12/Conv')];
    expect(attentionModulePath('features.3', 'eca', wide, wide[1])).toBe('features.3.conv.14');
    // conv.2x and xconv.5 are not entries of the Sequential: conv.1 is the last, so conv.3.
    const odd = [node('/features/features.3/conv/conv.1/Conv'), node('/features/features.3/conv/conv.2x/Conv'), node('/features/features.3/conv/xconv.5/Conv')];
    expect(attentionModulePath('features.3', 'eca', odd, odd[0])).toBe('features.3.conv.3');
    // A conv Sequential with no conv.<n> seen: last = -1, so -1 + 2 = conv.1.
    expect(attentionModulePath('features.3', 'eca', [node('/features/features.3/conv/Relu', 'Relu')], undefined)).toBe('features.3.conv.1');
  });

  it('only a block named exactly features.<n> is a MobileNetV2 block', () => {
    const nodes = (block: string) => [node(`/features/${block}/conv/conv.1/Conv`)];
    expect(attentionModulePath('xfeatures.3', 'eca', nodes('xfeatures.3'), undefined)).toBe('xfeatures.3.eca');
    expect(attentionModulePath('features.3.1', 'eca', nodes('features.3.1'), undefined)).toBe('features.3.1.eca');
  });
});

describe('functionBaseName', () => {
  it('upper-cases the id and joins its words with one underscore', () => {
    expect(functionBaseName('eca')).toBe('ECA');
    expect(functionBaseName('eca-ns')).toBe('ECA_NS');
    expect(functionBaseName('se-var1')).toBe('SE_VAR1');
    expect(functionBaseName('my--gate.v2')).toBe('MY_GATE_V2');
  });
});
