import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { type DeclaredParameter, type LoadStateDictOptions, loadStateDict } from './load-state-dict.js';
import type { StateDictConvention } from './state-dict-convention.js';

type Attention =
  | { type: 'none' }
  | { type: 'eca'; kernelSizes: number[] }
  | { type: 'se'; bias: boolean }
  | { type: 'cbam' };

const STAGE_CHANNELS = [4, 8, 16, 32];
// Two blocks in layer1, one in each later stage: small, but every naming pattern appears.
const BLOCKS_PER_STAGE = [2, 1, 1, 1];

function param(name: string, shape: number[], layout: DeclaredParameter['layout'], trainable = true): DeclaredParameter {
  return { name, shape, layout, trainable, init: { kind: 'constant', value: 0 } };
}

function batchNorm(prefix: string, channels: number): DeclaredParameter[] {
  return [
    param(`${prefix}.weight`, [channels], 'vector'),
    param(`${prefix}.bias`, [channels], 'vector'),
    param(`${prefix}.running_mean`, [channels], 'vector', false),
    param(`${prefix}.running_var`, [channels], 'vector', false),
  ];
}

function attentionParams(prefix: string, channels: number, stage: number, attention: Attention): DeclaredParameter[] {
  const reduced = channels / 4;
  switch (attention.type) {
    case 'none':
      return [];
    case 'eca':
      return [param(`${prefix}.eca.conv.weight`, [1, 1, attention.kernelSizes[stage]], 'conv1d')];
    case 'se':
      return [
        param(`${prefix}.se.fc1.weight`, [reduced, channels], 'linear'),
        ...(attention.bias ? [param(`${prefix}.se.fc1.bias`, [reduced], 'vector')] : []),
        param(`${prefix}.se.fc2.weight`, [channels, reduced], 'linear'),
        ...(attention.bias ? [param(`${prefix}.se.fc2.bias`, [channels], 'vector')] : []),
      ];
    case 'cbam':
      return [
        param(`${prefix}.cbam.ChannelGate.mlp.1.weight`, [reduced, channels], 'linear'),
        param(`${prefix}.cbam.ChannelGate.mlp.1.bias`, [reduced], 'vector'),
        param(`${prefix}.cbam.ChannelGate.mlp.3.weight`, [channels, reduced], 'linear'),
        param(`${prefix}.cbam.ChannelGate.mlp.3.bias`, [channels], 'vector'),
        param(`${prefix}.cbam.SpatialGate.spatial.conv.weight`, [1, 2, 7, 7], 'conv2d'),
        ...batchNorm(`${prefix}.cbam.SpatialGate.spatial.bn`, 1),
      ];
  }
}

/** A ResNet-ish BasicBlock network with torchvision names and attention after bn2. */
function resnetish(attention: Attention): DeclaredParameter[] {
  const out = [param('conv1.weight', [4, 3, 3, 3], 'conv2d'), ...batchNorm('bn1', 4)];
  let inChannels = 4;
  STAGE_CHANNELS.forEach((channels, stage) => {
    for (let block = 0; block < BLOCKS_PER_STAGE[stage]; block++) {
      const prefix = `layer${stage + 1}.${block}`;
      out.push(param(`${prefix}.conv1.weight`, [channels, inChannels, 3, 3], 'conv2d'), ...batchNorm(`${prefix}.bn1`, channels));
      out.push(param(`${prefix}.conv2.weight`, [channels, channels, 3, 3], 'conv2d'), ...batchNorm(`${prefix}.bn2`, channels));
      out.push(...attentionParams(prefix, channels, stage, attention));
      if (inChannels !== channels) {
        out.push(param(`${prefix}.downsample.0.weight`, [channels, inChannels, 1, 1], 'conv2d'), ...batchNorm(`${prefix}.downsample.1`, channels));
      }
      inChannels = channels;
    }
  });
  out.push(param('fc.weight', [10, 32], 'linear'), param('fc.bias', [10], 'vector'));
  return out;
}

/** Distinct, recognizable values per tensor: the i-th element of the n-th tensor is n + i / 1000. */
function filled(shape: number[], n: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: size }, (_, i) => n + i / 1000) };
}

/** The state dict a PyTorch model of `declared` would save under `convention`. */
function stateDict(declared: DeclaredParameter[], convention: StateDictConvention, prefix = ''): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  declared.forEach((spec, n) => {
    let name = spec.name;
    let shape = [...spec.shape];
    if (convention === 'timm') {
      name = name.replace(/\.eca\.conv\.weight$/, '.se.conv.weight');
      if (/\.se\.fc[12]\.weight$/.test(name)) shape = [...shape, 1, 1];
    }
    if (convention === 'senet-pytorch') {
      if (/\.se\.fc[12]\.bias$/.test(name)) return;
      name = name.replace(/\.se\.fc1\./, '.se.fc.0.').replace(/\.se\.fc2\./, '.se.fc.2.');
    }
    out.set(prefix + name, filled(shape, n));
    if (name.endsWith('.running_var')) {
      out.set(prefix + name.replace(/running_var$/, 'num_batches_tracked'), { shape: [], data: Float32Array.of(5004) });
    }
  });
  return out;
}

function loadError(declared: DeclaredParameter[], source: Map<string, Tensor>, options?: LoadStateDictOptions): AttnkitError {
  try {
    loadStateDict(declared, source, options);
  } catch (error) {
    expect(error).toBeInstanceOf(AttnkitError);
    return error as AttnkitError;
  }
  throw new Error('expected loadStateDict to throw');
}

describe('loadStateDict', () => {
  it('loads a torchvision state dict by name, shaped as declared, ignoring num_batches_tracked', () => {
    const declared = resnetish({ type: 'none' });
    const source = stateDict(declared, 'torchvision');
    const { tensors, convention, report } = loadStateDict(declared, source);
    expect(convention).toBe('torchvision');
    expect([...tensors.keys()]).toEqual(declared.map((spec) => spec.name));
    expect(report.loaded).toEqual(declared.map((spec) => spec.name));
    // One BN in the stem, 2 per block (5 blocks), one per downsample (3): 14 counters.
    expect(report.ignored).toHaveLength(14);
    expect(report.ignored).toContain('layer2.0.downsample.1.num_batches_tracked');
    expect(report).toMatchObject({ missing: [], unexpected: [], renamed: [] });
    expect(tensors.get('layer1.1.bn2.running_var')!.data).toBe(source.get('layer1.1.bn2.running_var')!.data);
    expect(tensors.get('fc.weight')!.shape).toEqual([10, 32]);
  });

  it('loads official ECA weights (k3557) and official CBAM weights by their own names', () => {
    const eca = resnetish({ type: 'eca', kernelSizes: [3, 5, 5, 7] });
    const ecaResult = loadStateDict(eca, stateDict(eca, 'official-eca'));
    expect(ecaResult.convention).toBe('official-eca');
    expect(ecaResult.tensors.get('layer4.0.eca.conv.weight')!.shape).toEqual([1, 1, 7]);
    const cbam = resnetish({ type: 'cbam' });
    const cbamSource = stateDict(cbam, 'official-cbam');
    const cbamResult = loadStateDict(cbam, cbamSource);
    expect(cbamResult.convention).toBe('official-cbam');
    expect(cbamResult.report.loaded).toHaveLength(cbam.length);
    expect(cbamResult.report.ignored).toContain('layer1.0.cbam.SpatialGate.spatial.bn.num_batches_tracked');
    expect(cbamResult.tensors.get('layer3.0.cbam.SpatialGate.spatial.conv.weight')!.data).toBe(
      cbamSource.get('layer3.0.cbam.SpatialGate.spatial.conv.weight')!.data,
    );
  });

  it("maps timm's ECA under `se` to our `eca`", () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 5, 5] });
    const source = stateDict(declared, 'timm');
    expect(source.has('layer1.1.se.conv.weight')).toBe(true);
    const { tensors, convention, report } = loadStateDict(declared, source);
    expect(convention).toBe('timm');
    expect(tensors.get('layer1.1.eca.conv.weight')!.data).toBe(source.get('layer1.1.se.conv.weight')!.data);
    expect(report.renamed).toContainEqual({ from: 'layer1.1.se.conv.weight', to: 'layer1.1.eca.conv.weight' });
    expect(report.renamed).toHaveLength(5);
  });

  it("reshapes timm's 1x1-conv SE weights [Cr, C, 1, 1] to our Linear [Cr, C], same data order", () => {
    const declared = resnetish({ type: 'se', bias: true });
    const source = stateDict(declared, 'timm');
    expect(source.get('layer2.0.se.fc1.weight')!.shape).toEqual([2, 8, 1, 1]);
    const { tensors, convention } = loadStateDict(declared, source);
    expect(convention).toBe('timm');
    const fc1 = tensors.get('layer2.0.se.fc1.weight')!;
    expect(fc1.shape).toEqual([2, 8]);
    expect(fc1.data).toBe(source.get('layer2.0.se.fc1.weight')!.data);
    // Row 1, column 3 of [Cr, C] is element 1 * 8 + 3 = 11, as [1, 3, 0, 0] of the 1x1 conv.
    expect(fc1.data[11]).toBeCloseTo(fc1.data[0] + 0.011, 5);
    expect(tensors.get('layer2.0.se.fc2.weight')!.shape).toEqual([8, 2]);
    expect(tensors.get('layer2.0.se.fc2.bias')!.shape).toEqual([8]);
  });

  it('also accepts our own Linear SE shapes under timm-looking names (files written by attnkit)', () => {
    const declared = resnetish({ type: 'se', bias: true });
    const { convention, report } = loadStateDict(declared, stateDict(declared, 'torchvision'));
    expect(convention).toBe('timm');
    expect(report.loaded).toHaveLength(declared.length);
  });

  it("maps senet.pytorch's se.fc.0 / se.fc.2 (no bias) onto a bias-free SE", () => {
    const declared = resnetish({ type: 'se', bias: false });
    const source = stateDict(declared, 'senet-pytorch');
    const { tensors, convention, report } = loadStateDict(declared, source);
    expect(convention).toBe('senet-pytorch');
    expect(tensors.get('layer3.0.se.fc1.weight')!.data).toBe(source.get('layer3.0.se.fc.0.weight')!.data);
    expect(tensors.get('layer3.0.se.fc2.weight')!.data).toBe(source.get('layer3.0.se.fc.2.weight')!.data);
    expect(report.renamed).toContainEqual({ from: 'layer1.0.se.fc.2.weight', to: 'layer1.0.se.fc2.weight' });
  });

  it('says "build SE with { bias: false }" when the model declares SE biases a senet.pytorch file lacks', () => {
    const declared = resnetish({ type: 'se', bias: true });
    const error = loadError(declared, stateDict(declared, 'senet-pytorch'));
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(error.message).toContain("the file's SE has no bias: build SE with { bias: false }");
    expect(error.message).toContain('10 missing');
    expect(error.message).toContain('  layer1.0.se.fc1.bias (nearest in the file: ');
    expect((error.details.missing as Array<{ name: string }>).map((m) => m.name)).toContain('layer4.0.se.fc2.bias');
  });

  it('strips the DataParallel `module.` prefix in every convention', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    for (const convention of ['official-eca', 'timm'] as const) {
      const source = stateDict(declared, convention, 'module.');
      const { tensors, report } = loadStateDict(declared, source, { convention });
      expect(tensors.get('conv1.weight')!.data).toBe(source.get('module.conv1.weight')!.data);
      expect(report.renamed).toContainEqual({ from: 'module.conv1.weight', to: 'conv1.weight' });
      expect(report.ignored).toContain('module.bn1.num_batches_tracked');
      expect(report.loaded).toHaveLength(declared.length);
    }
  });

  it("reports the file's k at every stage and the kernelSize option that loads it (k3557 file, k3333 model)", () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const file = stateDict(resnetish({ type: 'eca', kernelSizes: [3, 5, 5, 7] }), 'official-eca');
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(error.message).toContain('at 3 of 5 positions');
    expect(error.message).toContain('The file holds k = 3 in layer1, k = 5 in layer2, k = 5 in layer3, k = 7 in layer4, i.e. [3, 5, 5, 7] per stage');
    expect(error.message).toContain('the model was built with k = 3 in layer1, k = 3 in layer2, k = 3 in layer3, k = 3 in layer4');
    expect(error.message).toContain('Build the model with `kernelSize: [3, 5, 5, 7]` (one k per stage)');
    expect(error.message).toContain('layer4.0.eca.conv.weight (model k = 3, file k = 7)');
    expect(error.details).toMatchObject({
      suggestion: [3, 5, 5, 7],
      mismatched: ['layer2.0.eca.conv.weight', 'layer3.0.eca.conv.weight', 'layer4.0.eca.conv.weight'],
      fileKernelSizes: { 'layer1.0.eca.conv.weight': 3, 'layer1.1.eca.conv.weight': 3, 'layer4.0.eca.conv.weight': 7 },
    });
  });

  it('suggests a single k when the file has the same k everywhere, and works through timm names', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const file = stateDict(resnetish({ type: 'eca', kernelSizes: [5, 5, 5, 5] }), 'timm');
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(error.message).toContain('Build the model with `kernelSize: 5` to load this file.');
    expect(error.details.suggestion).toBe(5);
  });

  it("recognizes the official ECA-MobileNetV2 'k13' rule and says which blocks hold which k", () => {
    // Blocks 1..17 of MobileNetV2; block 1 has no expand conv, so its ECA is conv.3, others conv.4.
    const eca = (k: (block: number) => number) =>
      Array.from({ length: 17 }, (_, i) => param(`features.${i + 1}.conv.${i === 0 ? 3 : 4}.conv.weight`, [1, 1, k(i + 1)], 'conv1d'));
    const error = loadError(eca(() => 3), stateDict(eca((block) => (block <= 10 ? 1 : 3)), 'official-eca'));
    expect(error.code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(error.message).toContain(
      'The file holds k = 1 in stage 1 (features.1), k = 1 in stage 2 (features.2-3), k = 1 in stage 3 (features.4-6), ' +
        'k = 1 in stage 4 (features.7-10), k = 3 in stage 5 (features.11-13), k = 3 in stage 6 (features.14-16), k = 3 in stage 7 (features.17)',
    );
    expect(error.message).toContain("Build the model with `kernelSize: 'mobilenet-v2'`");
    expect(error.details.mismatched).toEqual(Array.from({ length: 10 }, (_, i) => `features.${i + 1}.conv.${i === 0 ? 3 : 4}.conv.weight`));
  });

  it('lists per-block k and suggests no option when a stage mixes kernel sizes', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const file = stateDict(declared, 'official-eca');
    file.set('layer1.1.eca.conv.weight', filled([1, 1, 5], 99));
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(error.message).toContain('The file holds k = [3, 5] in layer1 (per block), k = 3 in layer2');
    expect(error.message).toContain('No single kernelSize option builds these k');
    expect(error.details.suggestion).toBeUndefined();
  });

  it('gathers every missing, unexpected and mis-shaped key into one WEIGHTS_MISMATCH error', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const file = stateDict(declared, 'official-eca');
    file.delete('layer2.0.bn1.running_mean');
    file.delete('layer3.0.eca.conv.weight');
    file.set('layer2.0.bn1.running_mea', filled([8], 98));
    file.set('head.weight', filled([3], 97));
    file.set('fc.weight', filled([1000, 32], 96));
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(error.message).toContain("file convention 'official-eca', detected from the keys): 2 missing, 2 unexpected, 1 mis-shaped");
    expect(error.message).toContain(
      '  layer2.0.bn1.running_mean (nearest in the file: layer2.0.bn1.running_mea, layer2.0.bn2.running_mean, layer2.0.bn1.running_var)',
    );
    expect(error.message).toContain('  layer3.0.eca.conv.weight (nearest in the file: layer3.0.conv1.weight, ');
    expect(error.message).toContain('Unexpected (in the file, not declared by the model):\n  layer2.0.bn1.running_mea\n  head.weight');
    expect(error.message).toContain('  fc.weight: model [10, 32], file [1000, 32]');
    expect(error.message).toContain('pass { strict: false }');
    expect(error.details).toMatchObject({
      missing: [{ name: 'layer2.0.bn1.running_mean' }, { name: 'layer3.0.eca.conv.weight' }],
      unexpected: ['layer2.0.bn1.running_mea', 'head.weight'],
      misShaped: [{ name: 'fc.weight', modelShape: [10, 32], fileShape: [1000, 32] }],
    });
  });

  it('strict false keeps missing parameters out of the result and reports missing and unexpected keys', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const file = stateDict(resnetish({ type: 'none' }), 'torchvision', 'module.');
    file.set('module.classifier.weight', filled([10, 32], 95));
    const { tensors, report, convention } = loadStateDict(declared, file, { strict: false });
    expect(convention).toBe('torchvision');
    expect(report.missing).toEqual([
      'layer1.0.eca.conv.weight',
      'layer1.1.eca.conv.weight',
      'layer2.0.eca.conv.weight',
      'layer3.0.eca.conv.weight',
      'layer4.0.eca.conv.weight',
    ]);
    expect(report.unexpected).toEqual(['module.classifier.weight']);
    expect(report.loaded).toHaveLength(declared.length - 5);
    expect(tensors.has('layer1.0.eca.conv.weight')).toBe(false);
    expect(tensors.size).toBe(declared.length - 5);
    // The same file under strict loading is an error naming all five.
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(error.message).toContain('5 missing, 1 unexpected');
  });

  it('strict false still rejects mis-shaped keys, as PyTorch does', () => {
    const declared = resnetish({ type: 'none' });
    const file = stateDict(declared, 'torchvision');
    file.set('fc.bias', filled([1000], 94));
    const error = loadError(declared, file, { strict: false });
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(error.message).toContain('fc.bias: model [10], file [1000]');
  });

  it('leaves declared and source untouched when it throws', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const file = stateDict(resnetish({ type: 'eca', kernelSizes: [3, 5, 5, 7] }), 'timm', 'module.');
    file.delete('module.fc.bias');
    const declaredBefore = JSON.stringify(declared);
    const snapshot = (source: Map<string, Tensor>) => [...source].map(([key, value]) => [key, [...value.shape], Array.from(value.data)]);
    const sourceBefore = snapshot(file);
    expect(loadError(declared, file).code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(loadError(declared, file, { strict: false }).code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(JSON.stringify(declared)).toBe(declaredBefore);
    expect(snapshot(file)).toEqual(sourceBefore);
  });

  it('appends the other problems to a kernel-size error', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const file = stateDict(resnetish({ type: 'eca', kernelSizes: [3, 5, 5, 7] }), 'official-eca');
    file.delete('fc.bias');
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(error.message).toContain('The file has other problems too:');
    expect(error.message).toContain('  fc.bias (nearest in the file: ');
  });

  it('hints at the detected convention when a named one does not fit', () => {
    const declared = resnetish({ type: 'eca', kernelSizes: [3, 3, 3, 3] });
    const error = loadError(declared, stateDict(declared, 'timm'), { convention: 'torchvision' });
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(error.message).toContain("file convention 'torchvision', as requested");
    expect(error.message).toContain("the file's keys look like convention 'timm'");
  });

  it('reports two file keys for one parameter', () => {
    const declared = resnetish({ type: 'none' });
    const file = stateDict(declared, 'torchvision');
    file.set('module.fc.bias', filled([10], 93));
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(error.message).toContain('fc.bias and module.fc.bias both map to fc.bias');
  });

  it('validates options, declared parameters and source tensors', () => {
    const declared = resnetish({ type: 'none' });
    const file = stateDict(declared, 'torchvision');
    const unknown = loadError(declared, file, { convention: 'keras' as 'timm' });
    expect(unknown.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(unknown.message).toContain("use one of 'auto', 'torchvision', 'official-eca', 'official-cbam', 'timm', 'senet-pytorch'");
    const twice = loadError([...declared, declared[0]], file);
    expect(twice.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(twice.message).toContain('conv1.weight appears twice');
    file.set('fc.bias', { shape: [10], data: new Float32Array(9) });
    const short = loadError(declared, file);
    expect(short.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(short.message).toContain('source["fc.bias"] has shape [10] (10 values) but 9 values of data');
  });

  it('accepts a plain object as the source', () => {
    const declared = resnetish({ type: 'none' });
    const { report } = loadStateDict(declared, Object.fromEntries(stateDict(declared, 'torchvision')));
    expect(report.loaded).toHaveLength(declared.length);
  });
});

describe('loadStateDict: values that would compute NaN', () => {
  const declared = [param('bn.weight', [2], 'vector'), param('bn.running_var', [2], 'vector', false)];
  const source = (weight: number[], variance: number[]) =>
    new Map<string, Tensor>([
      ['bn.weight', { shape: [2], data: Float32Array.from(weight) }],
      ['bn.running_var', { shape: [2], data: Float32Array.from(variance) }],
    ]);
  const refusal = (weight: number[], variance: number[]): AttnkitError => {
    try {
      loadStateDict(declared, source(weight, variance));
    } catch (error) {
      return error as AttnkitError;
    }
    throw new Error('expected INVALID_VALUE');
  };

  it.each([
    ['NaN', [Number.NaN, 1], [1, 1], 'bn.weight', 0],
    ['+Infinity', [1, Number.POSITIVE_INFINITY], [1, 1], 'bn.weight', 1],
    ['a negative running_var', [1, 1], [1, -0.5], 'bn.running_var', 1],
  ])('refuses %s with INVALID_VALUE naming the key and index', (_, weight, variance, key, index) => {
    const error = refusal(weight as number[], variance as number[]);
    expect(error.code).toBe(ErrorCodes.INVALID_VALUE);
    expect(error.details).toMatchObject({ key, index });
    expect(error.message).toContain(`"${key}"[${index}]`);
    expect(error.message).toContain('allowInvalidValues: true');
  });

  it('loads them with { allowInvalidValues: true }, and a negative weight is fine either way', () => {
    const loaded = loadStateDict(declared, source([Number.NaN, -3], [1, -0.5]), { allowInvalidValues: true });
    expect(Array.from(loaded.tensors.get('bn.running_var')!.data)).toEqual([1, -0.5]);
    expect(Array.from(loadStateDict(declared, source([-3, -4], [0, 2])).tensors.get('bn.weight')!.data)).toEqual([-3, -4]);
  });

  it('names the caller-given way to relax strict loading in the hint', () => {
    try {
      loadStateDict(declared, new Map([['bn.weight', { shape: [2], data: new Float32Array(2) }]]), { relaxHint: '--allow-missing' });
      throw new Error('expected WEIGHTS_MISMATCH');
    } catch (error) {
      expect((error as AttnkitError).message).toContain('pass --allow-missing to load the keys that match');
    }
  });
});
