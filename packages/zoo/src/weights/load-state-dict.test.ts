import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import { thrownAttnkitError } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { type KernelSizePosition, kernelSizeMismatchError, suggestKernelSize } from './kernel-size-mismatch.js';
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

describe('kernelSizeMismatchError and suggestKernelSize on hand-made positions', () => {
  const at = (name: string, modelKernelSize: number, fileKernelSize: number): KernelSizePosition => ({ name, modelKernelSize, fileKernelSize });
  /** MobileNetV2's ECA in block b (1..17): conv.3 in block 1, conv.4 after. */
  const mobile = (block: number, model: number, file: number) => at(`features.${block}.conv.${block === 1 ? 3 : 4}.conv.weight`, model, file);

  it('suggests nothing for no positions, one k when all agree, a list per ResNet stage', () => {
    expect(suggestKernelSize([])).toBeUndefined();
    expect(suggestKernelSize([at('layer1.0.eca.conv.weight', 3, 5), at('layer2.0.eca.conv.weight', 3, 5)])).toBe(5);
    expect(suggestKernelSize([at('layer2.0.eca.conv.weight', 3, 5), at('layer1.0.eca.conv.weight', 3, 3), at('layer1.1.eca.conv.weight', 3, 3)])).toEqual([3, 5]);
  });

  it('suggests nothing when a name has no known stage, a stage is skipped, or the MobileNetV2 ks fit no rule', () => {
    expect(suggestKernelSize([at('layer1.0.eca.conv.weight', 3, 3), at('head.eca.conv.weight', 3, 5)])).toBeUndefined();
    // layer1 and layer3 only: a list cannot skip layer2.
    expect(suggestKernelSize([at('layer1.0.eca.conv.weight', 3, 3), at('layer3.0.eca.conv.weight', 3, 5)])).toBeUndefined();
    // features.0 (the stem) and features.18 (the last conv) are no inverted-residual block.
    expect(suggestKernelSize([mobile(2, 3, 1), at('features.0.conv.4.conv.weight', 3, 3)])).toBeUndefined();
    expect(suggestKernelSize([mobile(2, 3, 1), at('features.18.conv.4.conv.weight', 3, 3)])).toBeUndefined();
    // Block 11 (96 channels) holds 1, which the 'mobilenet-v2' rule (k = 3 from 96 on) does not give: per stage instead.
    const perStage = Array.from({ length: 17 }, (_, i) => mobile(i + 1, 3, i + 1 <= 10 ? 1 : i + 1 === 11 ? 1 : 3));
    expect(suggestKernelSize(perStage)).toBeUndefined();
    const rule = Array.from({ length: 17 }, (_, i) => mobile(i + 1, 3, i + 1 <= 10 ? 1 : 3));
    expect(suggestKernelSize(rule)).toBe('mobilenet-v2');
    // All 7 stages with one k each, not the rule's: a 7-entry list.
    const stages = [1, 2, 3, 4, 3, 3, 1];
    const sevenKs = stages.flatMap((count, stage) => Array.from({ length: count }, () => 2 * stage + 1));
    expect(suggestKernelSize(sevenKs.map((k, i) => mobile(i + 1, 3, k)))).toEqual([1, 3, 5, 7, 9, 11, 13]);
  });

  it('lists ten mismatches and counts the rest; names outside any stage are listed by name', () => {
    const positions = [...Array.from({ length: 12 }, (_, i) => at(`layer1.${i}.eca.conv.weight`, 3, 5)), at('head.eca.conv.weight', 3, 7)];
    const error = kernelSizeMismatchError(positions);
    expect(error.code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(error.message).toBe(
      'ECA kernel sizes differ between the model and the weights file at 13 of 13 positions. ' +
        'The file holds k = 5 in layer1, k = 7 at head.eca.conv.weight; the model was built with k = 3 in layer1, k = 3 at head.eca.conv.weight. ' +
        'No single kernelSize option builds these k; give ECA the k listed above at each position. ' +
        `Mismatched: ${Array.from({ length: 10 }, (_, i) => `layer1.${i}.eca.conv.weight (model k = 3, file k = 5)`).join('; ')}; and 3 more (error.details.mismatched).`,
    );
    expect(error.details.mismatched).toHaveLength(13);
    expect(error.details.suggestion).toBeUndefined();
    const ten = kernelSizeMismatchError(Array.from({ length: 10 }, (_, i) => at(`layer1.${i}.eca.conv.weight`, 3, 5)));
    expect(ten.message).not.toContain('more (error.details.mismatched)');
    expect(ten.message).toContain('Build the model with `kernelSize: 5` to load this file. Mismatched: ');
  });

  it('gives details per position, matched ones included, and the other problems after the message', () => {
    const error = kernelSizeMismatchError([at('layer1.0.eca.conv.weight', 3, 3), at('layer2.0.eca.conv.weight', 3, 5)], 'fc.bias is missing');
    expect(error.details).toEqual({
      fileKernelSizes: { 'layer1.0.eca.conv.weight': 3, 'layer2.0.eca.conv.weight': 5 },
      modelKernelSizes: { 'layer1.0.eca.conv.weight': 3, 'layer2.0.eca.conv.weight': 3 },
      mismatched: ['layer2.0.eca.conv.weight'],
      suggestion: [3, 5],
    });
    expect(error.message).toContain('at 1 of 2 positions. The file holds k = 3 in layer1, k = 5 in layer2, i.e. [3, 5] per stage;');
    expect(error.message.endsWith('Mismatched: layer2.0.eca.conv.weight (model k = 3, file k = 5).\nThe file has other problems too:\nfc.bias is missing')).toBe(true);
    expect(kernelSizeMismatchError([at('layer1.0.eca.conv.weight', 3, 5)]).message).not.toContain('other problems');
  });

  it('locates names by the whole pattern: multi-digit stages and blocks, nothing before or after', () => {
    const error = kernelSizeMismatchError([
      at('layer3.12.eca.conv.weight', 3, 5),
      at('layer10.0.eca.conv.weight', 3, 5),
      at('backbone.layer1.0.eca.conv.weight', 3, 5),
      at('backbone.features.2.conv.4.conv.weight', 3, 5),
      at('features.2.conv.4.conv.weight_orig', 3, 5),
      at('features.3.conv.12.conv.weight', 3, 5),
    ]);
    expect(error.message).toContain(
      'The file holds k = 5 in stage 2 (features.2-3), k = 5 in layer3, k = 5 in layer10, ' +
        'k = 5 at backbone.layer1.0.eca.conv.weight, k = 5 at backbone.features.2.conv.4.conv.weight, k = 5 at features.2.conv.4.conv.weight_orig;',
    );
  });

  it('groups MobileNetV2 blocks by settings row, stages in order whatever the position order', () => {
    const error = kernelSizeMismatchError([mobile(17, 3, 5), mobile(1, 3, 5), mobile(2, 3, 5), mobile(3, 3, 5)]);
    expect(error.message).toContain('The file holds k = 5 in stage 1 (features.1), k = 5 in stage 2 (features.2-3), k = 5 in stage 7 (features.17);');
  });
});

describe('loadStateDict: the WEIGHTS_MISMATCH message and report, line by line', () => {
  const bn = [param('bn.weight', [2], 'vector'), param('bn.bias', [2], 'vector')];
  const two = (shape = [2]) => filled(shape, 1);

  it('strict: the exact message for one missing, one unexpected and one mis-shaped key under a renamed file key', () => {
    const declared = [param('layer1.0.bn.weight', [2], 'vector'), param('layer1.0.bn.bias', [2], 'vector'), param('fc.weight', [3, 2], 'linear')];
    const file = new Map([
      ['module.layer1.0.bn.weight', two()],
      ['module.fc.weight', filled([2, 3], 2)],
      ['module.head.bias', two()],
    ]);
    const error = loadError(declared, file);
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    // Nearest candidates: the unexpected keys plus the file keys of the same block (layer1.0.), by
    // edit distance: layer1.0.bn.weight 5 ("bias" -> "weight"), head.bias 10; fc.weight is in neither.
    expect(error.message).toBe(
      [
        "The weights do not match the model (file convention 'torchvision', detected from the keys): 1 missing, 1 unexpected, 1 mis-shaped.",
        'Missing (declared by the model, not in the file):',
        '  layer1.0.bn.bias (nearest in the file: layer1.0.bn.weight, head.bias)',
        'Unexpected (in the file, not declared by the model):',
        '  module.head.bias',
        'Mis-shaped (model shape vs file shape):',
        '  fc.weight: model [3, 2], file module.fc.weight [2, 3]',
        'A file loads when every declared name is in it with the declared shape. Hints: pass { strict: false } to load the keys that match and keep the init of the missing ones.',
      ].join('\n'),
    );
    expect(error.details).toEqual({
      convention: 'torchvision',
      missing: [{ name: 'layer1.0.bn.bias', nearest: ['layer1.0.bn.weight', 'head.bias'] }],
      unexpected: ['module.head.bias'],
      misShaped: [{ name: 'fc.weight', key: 'module.fc.weight', modelShape: [3, 2], fileShape: [2, 3] }],
      conflicts: [],
      hints: ['pass { strict: false } to load the keys that match and keep the init of the missing ones'],
    });
  });

  it('non-strict: a mis-shaped key alone is the whole message, no relax hint; missing and unexpected stay in the report only', () => {
    const declared = [...bn, param('fc.weight', [3, 2], 'linear')];
    const file = new Map([['bn.weight', two()], ['fc.weight', filled([3, 3], 2)], ['head.bias', two()]]);
    const error = loadError(declared, file, { strict: false });
    expect(error.message).toBe(
      "The weights do not match the model (file convention 'torchvision', detected from the keys): 1 mis-shaped.\n" +
        'Mis-shaped (model shape vs file shape):\n' +
        '  fc.weight: model [3, 2], file [3, 3]\n' +
        'A file loads when every declared name is in it with the declared shape.',
    );
    expect(error.details).toMatchObject({ missing: [], unexpected: [], hints: [] });
    file.set('fc.weight', filled([3, 2], 2));
    const { report, tensors } = loadStateDict(declared, file, { strict: false });
    expect(report).toEqual({ loaded: ['bn.weight', 'fc.weight'], ignored: [], missing: ['bn.bias'], unexpected: ['head.bias'], renamed: [] });
    expect([...tensors.keys()]).toEqual(['bn.weight', 'fc.weight']);
  });

  it('strict success reports no missing or unexpected keys; a file with nothing declared loads nothing', () => {
    const { report } = loadStateDict(bn, new Map([['bn.weight', two()], ['bn.bias', two()], ['bn.num_batches_tracked', filled([], 3)]]));
    expect(report).toEqual({ loaded: ['bn.weight', 'bn.bias'], ignored: ['bn.num_batches_tracked'], missing: [], unexpected: [], renamed: [] });
    expect(loadStateDict([], new Map()).report).toEqual({ loaded: [], ignored: [], missing: [], unexpected: [], renamed: [] });
  });

  it('conflicts: counted, listed, and the only problem', () => {
    const error = loadError(bn, new Map([['bn.weight', two()], ['bn.bias', two()], ['module.bn.bias', two()]]));
    expect(error.message).toBe(
      "The weights do not match the model (file convention 'torchvision', detected from the keys): 1 conflicting.\n" +
        'Conflicting (two file keys for one parameter):\n' +
        '  bn.bias and module.bn.bias both map to bn.bias\n' +
        'A file loads when every declared name is in it with the declared shape.',
    );
    expect(error.details).toMatchObject({ conflicts: ['bn.bias and module.bn.bias both map to bn.bias'] });
  });

  it("a block is a whole path segment: layer3.1's candidates leave out layer3.10", () => {
    const declared = [param('layer3.1.bn.bias', [2], 'vector'), param('layer3.1.bn.weight', [2], 'vector'), param('layer3.10.bn.bias', [2], 'vector')];
    const error = loadError(declared, new Map([['layer3.1.bn.weight', two()], ['layer3.10.bn.bias', two()]]));
    // Candidates: no unexpected keys, and of layer3.1.* only layer3.1.bn.weight (layer3.10.bn.bias, 1 edit away, is another block).
    expect(error.details.missing).toEqual([{ name: 'layer3.1.bn.bias', nearest: ['layer3.1.bn.weight'] }]);
  });

  it('a conflict and a mis-shaped key together: both counted', () => {
    const file = new Map([['bn.weight', two()], ['module.bn.weight', two()], ['bn.bias', filled([3], 2)]]);
    const error = loadError(bn, file);
    expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    expect(error.message).toContain('(file convention \'torchvision\', detected from the keys): 1 mis-shaped, 1 conflicting.');
  });

  it('a missing name with no file key in its block or unexpected keys draws its nearest names from the whole file', () => {
    const declared = [param('a.b.weight', [2], 'vector'), param('z.y.weight', [2], 'vector')];
    const error = loadError(declared, new Map([['a.b.weight', two()]]));
    expect(error.details.missing).toEqual([{ name: 'z.y.weight', nearest: ['a.b.weight'] }]);
    expect(error.message).toContain('  z.y.weight (nearest in the file: a.b.weight)');
    // An empty file: no nearest names, no parenthesis.
    const empty = loadError([param('w', [2], 'vector')], new Map());
    expect(empty.message).toContain('Missing (declared by the model, not in the file):\n  w\nA file loads');
  });

  it("hints: the file's SE has biases the model lacks, and the convention the keys look like", () => {
    const declared = resnetish({ type: 'se', bias: false });
    const withBias = stateDict(resnetish({ type: 'se', bias: true }), 'torchvision');
    const error = loadError(declared, withBias);
    expect(error.details.hints).toEqual([
      "the file's SE has biases: build SE with { bias: true }",
      'pass { strict: false } to load the keys that match and keep the init of the missing ones',
    ]);
    expect(error.message).toContain('10 unexpected');
    expect(error.message).toContain(
      "Hints: the file's SE has biases: build SE with { bias: true }; pass { strict: false } to load the keys that match and keep the init of the missing ones.",
    );
    // A requested convention that is the detected one gives no convention hint.
    const requested = loadError(declared, withBias, { convention: 'timm' });
    expect(requested.message).toContain("file convention 'timm', as requested");
    expect(requested.details.hints).toHaveLength(2);
    // Bias keys of a module that is not `se` are no SE hint.
    const other = [param('layer1.0.xse.fc1.weight', [2], 'vector')];
    const otherError = loadError(other, new Map([['layer1.0.xse.fc1.weight', two()], ['layer1.0.xse.fc1.bias', two()]]));
    expect(otherError.details.hints).toEqual(['pass { strict: false } to load the keys that match and keep the init of the missing ones']);
  });

  it('the no-bias SE hint needs the weight in the file: a file without the SE at all gets none', () => {
    const declared = [param('se.fc1.weight', [2], 'vector'), param('se.fc1.bias', [2], 'vector')];
    expect(loadError(declared, new Map([['se.fc1.weight', two()]])).details.hints).toEqual([
      "the file's SE has no bias: build SE with { bias: false }",
      'pass { strict: false } to load the keys that match and keep the init of the missing ones',
    ]);
    expect(loadError(declared, new Map([['other.weight', two()]])).details.hints).toEqual([
      'pass { strict: false } to load the keys that match and keep the init of the missing ones',
    ]);
    // Some missing names are SE biases, others not: the hint still comes.
    const mixed = [...declared, param('fc.bias', [2], 'vector')];
    expect(loadError(mixed, new Map([['se.fc1.weight', two()]])).details.hints).toContain("the file's SE has no bias: build SE with { bias: false }");
    // Only a trailing `bias` is the SE bias: in a module path named `bias`, the weight is bias.se.fc1.weight.
    const inBias = [param('bias.se.fc1.weight', [2], 'vector'), param('bias.se.fc1.bias', [2], 'vector')];
    expect(loadError(inBias, new Map([['bias.se.fc1.weight', two()]])).details.hints).toContain("the file's SE has no bias: build SE with { bias: false }");
    expect(loadError([inBias[0]], new Map([['bias.se.fc1.weight', two()], ['bias.se.fc1.bias', two()], ['extra', two()]])).details.hints).toContain(
      "the file's SE has biases: build SE with { bias: true }",
    );
    // A bias in the file whose weight the model does not declare: no SE hint either.
    expect(loadError([param('se.fc1.weight', [2], 'vector')], new Map([['se.fc1.weight', two()], ['se.fc2.bias', two()]])).details.hints).toEqual([
      'pass { strict: false } to load the keys that match and keep the init of the missing ones',
    ]);
  });

  it("squeezes [C, C', 1, 1] only for timm's SE weights, and only trailing unit dimensions", () => {
    const declared = [param('layer1.0.se.fc1.weight', [2, 4], 'linear'), param('layer1.0.se.fc1.bias', [2], 'vector')];
    const timm = (weightShape: number[], biasShape: number[]) =>
      new Map([['layer1.0.se.fc1.weight', filled(weightShape, 1)], ['layer1.0.se.fc1.bias', filled(biasShape, 2)]]);
    expect(loadStateDict(declared, timm([2, 4, 1, 1], [2])).tensors.get('layer1.0.se.fc1.weight')!.shape).toEqual([2, 4]);
    expect(loadError(declared, timm([1, 1, 2, 4], [2])).details.misShaped).toEqual([
      { name: 'layer1.0.se.fc1.weight', key: 'layer1.0.se.fc1.weight', modelShape: [2, 4], fileShape: [1, 1, 2, 4] },
    ]);
    // A bias is never squeezed: [2, 1, 1] for [2] is mis-shaped.
    expect(loadError(declared, timm([2, 4], [2, 1, 1])).details.misShaped).toMatchObject([{ name: 'layer1.0.se.fc1.bias', fileShape: [2, 1, 1] }]);
    // Under official-eca (as requested) the same 1x1-conv shape is mis-shaped.
    expect(loadError(declared, timm([2, 4, 1, 1], [2]), { convention: 'official-eca' }).details.misShaped).toMatchObject([{ name: 'layer1.0.se.fc1.weight' }]);
  });

  it('a conv1d weight that differs in more than k is mis-shaped, not a kernel-size mismatch', () => {
    const declared = [param('layer1.0.eca.conv.weight', [1, 1, 3], 'conv1d')];
    // A Linear [1, 1] against a file's [1, 1, 3]: only three-dimensional pairs can be kernel pairs.
    expect(loadError([param('fc.weight', [1, 1], 'linear')], new Map([['fc.weight', filled([1, 1, 3], 1)]])).code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
    for (const fileShape of [[2, 1, 3], [1, 2, 5], [1, 1, 3, 1]]) {
      const error = loadError(declared, new Map([['layer1.0.eca.conv.weight', filled(fileShape, 1)]]));
      expect(error.code).toBe(ErrorCodes.WEIGHTS_MISMATCH);
      expect(error.details.misShaped).toMatchObject([{ fileShape }]);
    }
    // Only k differs: KERNEL_SIZE_MISMATCH, and the position is not also reported as mis-shaped.
    const kernel = loadError([...declared, param('fc.bias', [2], 'vector')], new Map([['layer1.0.eca.conv.weight', filled([1, 1, 5], 1)]]));
    expect(kernel.code).toBe(ErrorCodes.KERNEL_SIZE_MISMATCH);
    expect(kernel.message).toContain("The file has other problems too:\nThe weights do not match the model (file convention 'official-eca', detected from the keys): 1 missing.");
  });
});

describe('loadStateDict: input checks', () => {
  const w = param('w', [2], 'vector');

  it('declared must be an array of { name, shape } with unique non-empty names and integer dimensions', () => {
    const notArray = thrownAttnkitError(() => loadStateDict({} as never, new Map()));
    expect(notArray.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(notArray.message).toBe('declared must be an array of { name, shape } parameter specs with full names');
    expect(notArray.details).toEqual({ path: 'declared' });
    for (const spec of [null, undefined, 'w', { name: 3, shape: [2] }, { name: '', shape: [2] }, { name: 'w', shape: 2 }, { name: 'w', shape: [-1] }, { name: 'w', shape: [1.5] }]) {
      const error = thrownAttnkitError(() => loadStateDict([spec as never], new Map()));
      expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
      expect(error.message).toBe(`declared parameter ${JSON.stringify(spec)} is not { name: 'layer1.0.conv1.weight', shape: [64, 64, 3, 3], ... }`);
      expect(error.details).toEqual({ path: 'declared' });
    }
    expect(thrownAttnkitError(() => loadStateDict([w, w], new Map())).details).toEqual({ path: 'declared', name: 'w' });
    // A zero dimension is a shape.
    expect(loadStateDict([param('e', [0], 'vector')], new Map([['e', filled([0], 1)]])).report.loaded).toEqual(['e']);
  });

  it('source values must be tensors whose data fits the shape', () => {
    for (const value of [null, undefined, 3, { shape: [2], data: [1, 2] }, { shape: [-2], data: new Float32Array(2) }, { shape: '2', data: new Float32Array(2) }]) {
      const error = thrownAttnkitError(() => loadStateDict([w], new Map([['w', value as never]])));
      expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
      expect(error.message).toBe('source["w"] must be a tensor { shape: number[], data: Float32Array }');
      expect(error.details).toEqual({ path: 'source.w' });
    }
    const size = thrownAttnkitError(() => loadStateDict([w], new Map([['w', { shape: [3], data: new Float32Array(2) }]])));
    expect(size.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(size.details).toEqual({ name: 'w', shape: [3], length: 2 });
  });

  it('values: -Infinity, a negative variance with its value, and the file key of a renamed name', () => {
    const declared = [param('bn.weight', [1], 'vector'), param('bn.running_var', [2], 'vector', false)];
    const file = (weight: number, variance: number[]) =>
      new Map([['module.bn.weight', { shape: [1], data: Float32Array.of(weight) }], ['module.bn.running_var', { shape: [2], data: Float32Array.from(variance) }]]);
    const infinite = thrownAttnkitError(() => loadStateDict(declared, file(Number.NEGATIVE_INFINITY, [1, 1])));
    expect(infinite.code).toBe(ErrorCodes.INVALID_VALUE);
    expect(infinite.message).toBe(
      'the weights hold -Infinity at "module.bn.weight"[0] (loaded as bn.weight); a usable file has finite values and running_var >= 0. ' +
        'Fix the checkpoint, or pass { allowInvalidValues: true } to load it anyway',
    );
    expect(infinite.details).toEqual({ name: 'bn.weight', key: 'module.bn.weight', index: 0, value: Number.NEGATIVE_INFINITY });
    const plain = thrownAttnkitError(() => loadStateDict(declared, new Map([['bn.weight', { shape: [1], data: Float32Array.of(Number.NaN) }], ['bn.running_var', filled([2], 1)]])));
    expect(plain.message).toBe(
      'the weights hold NaN at "bn.weight"[0]; a usable file has finite values and running_var >= 0. Fix the checkpoint, or pass { allowInvalidValues: true } to load it anyway',
    );
    const negative = thrownAttnkitError(() => loadStateDict(declared, file(1, [0, -2])));
    expect(negative.message).toContain('the weights hold a negative variance -2 at "module.bn.running_var"[1] (loaded as bn.running_var);');
    // A zero variance is fine; allowInvalidValues must be exactly true.
    expect(loadStateDict(declared, file(1, [0, 0])).report.loaded).toEqual(['bn.weight', 'bn.running_var']);
    expect(thrownAttnkitError(() => loadStateDict(declared, file(Number.NaN, [1, 1]), { allowInvalidValues: 'yes' as never })).code).toBe(ErrorCodes.INVALID_VALUE);
  });
});
