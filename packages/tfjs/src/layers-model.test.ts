import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AttentionSpec, type NetworkDefinition, type Tensor, randomTensor, relativeL2, runReference, traceNetwork } from '@attnkit/core';
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { type AnyBackboneOptions, createBackbone, loadWeights } from '@attnkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';
import { toLayersModel } from './layers-model.js';
import { canonicalValues, nchwToNhwc, testWeights } from './test-networks.js';

const fixtures = fileURLToPath(new URL('../../../tools/golden/fixtures/zoo/', import.meta.url));

interface ZooFixture {
  backbone: string;
  width?: number;
  widthMultiplier?: number;
  numClasses: number;
  attention: AttentionSpec;
  input: Tensor;
  logits: Tensor;
}

const goldenCases = ['resnet18_eca', 'resnet50_se', 'resnet18_cbam', 'mobilenet_v2_eca'].map((name) => ({
  name,
  fixture: JSON.parse(readFileSync(`${fixtures}${name}.json`, 'utf8')) as ZooFixture,
}));

const referenceCases: Array<{ name: string; backbone: string; options: AnyBackboneOptions; size: number }> = [
  { name: 'resnet18 width 8 + eca', backbone: 'resnet18', options: { width: 8, numClasses: 10, attention: 'eca' }, size: 32 },
  { name: 'mobilenet_v2 0.25 + eca', backbone: 'mobilenet_v2', options: { widthMultiplier: 0.25, numClasses: 10, attention: { type: 'eca', kernelSize: 3 } }, size: 32 },
  { name: 'resnet50 width 8 + se', backbone: 'resnet50', options: { width: 8, numClasses: 10, attention: 'se' as AttentionSpec }, size: 32 },
];

describe.each(['cpu', 'wasm'] as const)('toLayersModel on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    expect(tf.getBackend()).toBe(backend);
  });
  afterAll(() => tf.disposeVariables());

  it.each(referenceCases)('$name matches the reference interpreter to 1e-4 relative L2', async ({ backbone, options, size }) => {
    const network = createBackbone(backbone, options);
    const graph = traceNetwork(network, [2, 3, size, size]);
    const weights = testWeights(graph, 1);
    const input = randomTensor([2, 3, size, size], 7);
    const [expected] = runReference(network, weights, input);
    const model = toLayersModel(graph, weights);
    const x = nchwToNhwc(input);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual(expected.shape);
    expect(relativeL2(await canonicalValues(y), expected.data)).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it.each(goldenCases)('$name gives the PyTorch golden logits', async ({ name, fixture }) => {
    const { backbone, width, widthMultiplier, numClasses, attention } = fixture;
    const options = backbone === 'mobilenet_v2' ? { widthMultiplier, numClasses, attention } : { width, numClasses, attention };
    const network = createBackbone(backbone, options as AnyBackboneOptions);
    const { weights } = loadWeights(network, new Uint8Array(readFileSync(`${fixtures}${name}.safetensors`)));
    const model = toLayersModel(traceNetwork(network, fixture.input.shape), weights);
    const x = nchwToNhwc({ shape: fixture.input.shape, data: Float32Array.from(fixture.input.data) });
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual(fixture.logits.shape);
    expect(relativeL2(await canonicalValues(y), fixture.logits.data)).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('toLayersModel structure', () => {
  it('names layers after PyTorch module paths and pads where PyTorch and TF differ', () => {
    const graph = traceNetwork(createBackbone('resnet18', { width: 8, numClasses: 10, attention: 'eca' }), [1, 3, 32, 32]);
    const model = toLayersModel(graph, testWeights(graph));
    const names = model.layers.map((l) => l.name);
    // The stem: 7x7 stride 2 pad 3 needs explicit (3, 3) padding (TF "same" would pad (2, 3)).
    expect(names.slice(0, 6)).toEqual(['input', 'conv1.pad', 'conv1', 'bn1', 'relu', 'maxpool.pad']);
    expect(names).toContain('layer1.0.conv1');
    expect(names).toContain('layer1.0.eca');
    expect(names).toContain('layer2.0.downsample.0');
    expect(names).toContain('layer2.0.downsample.1');
    expect(names).toContain('layer4.1.add');
    expect(names.slice(-2)).toEqual(['avgpool', 'fc']);
    // 3x3 stride 1 pad 1 agrees with "same": no padding layer.
    expect(names).not.toContain('layer1.0.conv1.pad');
    expect(names).toContain('layer2.0.conv1.pad');
    const bn = model.getLayer('bn1').getConfig();
    expect(bn.epsilon).toBe(1e-5);
    expect(bn.momentum).toBeCloseTo(0.9, 12);
    // The stem max pool follows a ReLU, so zero padding is exact there.
    expect(model.getLayer('maxpool.pad').getClassName()).toBe('ZeroPadding2D');
    model.dispose();
  });

  it('pads max pooling of a value that can be negative with the lowest float32 (PyTorch pads with -inf)', async () => {
    await useBackend('cpu');
    const network: NetworkDefinition = {
      name: 'conv-maxpool',
      defaultInputShape: [1, 3, 6, 6],
      forward: (scope, x) => scope.ops.flatten(scope.ops.maxPool2d(scope.conv2d('conv', x, { outChannels: 4, kernel: 3, padding: 1 }), { kernel: [3, 3], stride: [2, 2], padding: [1, 1] })),
    };
    const graph = traceNetwork(network);
    const weights = testWeights(graph);
    const model = toLayersModel(graph, weights);
    expect(model.getLayer('maxpool.pad').getClassName()).toBe('AttnkitMaxPoolPadding2D');
    const input = randomTensor([1, 3, 6, 6], 3);
    const [expected] = runReference(network, weights, input);
    const x = nchwToNhwc(input);
    const y = model.predict(x) as tf.Tensor;
    // flatten of [1, 4, 3, 3] in PyTorch's C, H, W order.
    expect(y.shape).toEqual([1, 36]);
    expect(relativeL2(await y.data(), expected.data)).toBeLessThan(1e-6);
    tf.dispose([x, y]);
  });
});
