import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AttentionSpec, type Tensor, countCosts, initializeWeights, relativeL2, runReference, tensor, traceNetwork } from '@attnkit/core';
import { thrownAttnkitError as errorOf } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { createBackbone } from './create-backbone.js';
import { loadWeights } from './load-weights.js';
import { resnet18 } from './resnet.js';
import { saveWeights } from './save-weights.js';
import { readSafetensors } from './weights/index.js';

const FIXTURES = fileURLToPath(new URL('../../../tools/golden/fixtures/zoo/', import.meta.url));

interface Fixture {
  backbone: string;
  width?: number;
  widthMultiplier?: number;
  numClasses: number;
  attention: AttentionSpec;
  kernelSizes?: Record<string, number>;
  dtype: string;
  input: { shape: number[]; data: number[] };
  logits: { shape: number[]; data: number[] };
  parameters: number;
}

// tools/golden/make_golden.py: PyTorch networks with random eval-mode BN, stored in the given
// dtype; logits computed in float64 from exactly the stored values.
describe.each(['resnet18_eca', 'resnet50_se', 'resnet18_cbam', 'mobilenet_v2_eca'])('golden %s', (name) => {
  const fixture = JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as Fixture;
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}${name}.safetensors`));
  const { backbone, attention, numClasses, width, widthMultiplier } = fixture;
  const network = createBackbone(backbone, { attention, numClasses, ...(width ? { width } : { widthMultiplier }) });

  it('the reference interpreter, fed by the safetensors loader, matches the logits to 1e-4 relative L2', () => {
    const { weights, report } = loadWeights(network, bytes);
    expect(report.ignored.every((key) => key.endsWith('num_batches_tracked'))).toBe(true);
    const [logits] = runReference(network, weights, tensor(fixture.input.shape, fixture.input.data));
    expect(logits.shape).toEqual(fixture.logits.shape);
    expect(relativeL2(logits.data, fixture.logits.data)).toBeLessThan(1e-4);
  });

  it('parameter count and ECA kernel sizes match the JSON', () => {
    expect(countCosts(traceNetwork(network, fixture.input.shape)).parameters).toBe(fixture.parameters);
    if (fixture.kernelSizes) {
      expect(Object.fromEntries(network.insertions.map((r) => [r.path, r.kernelSize]))).toEqual(fixture.kernelSizes);
    }
  });
});

const small = (attention: AttentionSpec | null = null) => resnet18({ width: 8, numClasses: 10, attention });

describe('loadWeights / saveWeights', () => {
  it('round trip: saveWeights then loadWeights gives the same values under the same names', () => {
    const network = small({ type: 'eca', kernelSize: 3 });
    const weights = initializeWeights(traceNetwork(network), 7);
    const bytes = saveWeights(network, weights);
    expect(readSafetensors(bytes).metadata).toMatchObject({ format: 'pt', model: 'resnet18' });
    const loaded = loadWeights(network, bytes).weights;
    expect([...loaded.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [key, value] of weights) expect(loaded.get(key)!.data).toEqual(value.data);
  });

  it("accepts DataParallel's module. prefix and ignores num_batches_tracked; never writes to the caller's tensors", () => {
    const network = small();
    const weights = initializeWeights(traceNetwork(network), 1);
    const source = new Map<string, Tensor>([...weights].map(([k, v]) => [`module.${k}`, v]));
    source.set('module.bn1.num_batches_tracked', tensor([], [0]));
    const { weights: loaded, report } = loadWeights(network, source);
    expect(report.ignored).toEqual(['module.bn1.num_batches_tracked']);
    loaded.get('conv1.weight')!.data[0] = 1234;
    expect(weights.get('conv1.weight')!.data[0]).not.toBe(1234);
  });

  it('strict by default: one error names every missing, unexpected and mis-shaped key', () => {
    const network = small();
    const source = new Map(initializeWeights(traceNetwork(network), 1));
    source.delete('fc.bias');
    source.set('extra.weight', tensor([1], [0]));
    source.set('conv1.weight', tensor([8, 3, 3, 3]));
    const error = errorOf(() => loadWeights(network, source));
    expect(error.code).toBe('WEIGHTS_MISMATCH');
    expect(error.message).toContain('fc.bias');
    expect(error.message).toContain('extra.weight');
    expect(error.message).toContain('conv1.weight');
  });

  it('non-strict keeps the init (or given values) for missing names', () => {
    const network = small();
    const source = new Map(initializeWeights(traceNetwork(network), 1));
    source.delete('fc.bias');
    const { weights, report } = loadWeights(network, source, { strict: false, seed: 5 });
    expect(report.missing).toEqual(['fc.bias']);
    expect(weights.get('fc.bias')!.data).toEqual(initializeWeights(traceNetwork(network), 5).get('fc.bias')!.data);
  });

  it('an ECA file trained with k3557 loaded into a k=3 model says which k it holds and which option loads it', () => {
    const file = small({ type: 'eca', kernelSize: [3, 5, 5, 7] });
    const bytes = saveWeights(file, initializeWeights(traceNetwork(file), 2));
    const error = errorOf(() => loadWeights(small({ type: 'eca', kernelSize: 3 }), bytes));
    expect(error.code).toBe('KERNEL_SIZE_MISMATCH');
    expect(error.message).toContain('kernelSize: [3, 5, 5, 7]');
    expect(error.details.suggestion).toEqual([3, 5, 5, 7]);
    expect(() => loadWeights(file, bytes)).not.toThrow();
  });

  it('saveWeights refuses weights that do not match the network', () => {
    const network = small();
    const weights = initializeWeights(traceNetwork(network), 1);
    weights.delete('fc.weight');
    expect(errorOf(() => saveWeights(network, weights)).code).toBe('WEIGHTS_MISMATCH');
  });
});
