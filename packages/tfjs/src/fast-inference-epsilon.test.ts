import '@attnkit/eca';
import '@attnkit/se';
import { randomTensor, relativeL2, runReference, traceNetwork } from '@attnkit/core';
import { FOLDING_NETWORKS, smallVarianceWeights } from '@attnkit/tools/batch-norm-weights';
import { type AnyBackboneOptions, createBackbone } from '@attnkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';
import { compileInference } from './fast-inference.js';
import { toLayersModel } from './layers-model.js';
import { canonicalValues, nchwToNhwc } from './test-networks.js';

// BatchNorm folding must keep eps: with running variances of 1e-4..1e-3, dropping eps = 1e-5
// moves each folded scale by 0.5-5%, so these networks land near 1e-2 relative L2, not 1e-4.
describe('compileInference keeps BatchNorm epsilon when folding (variances of 1e-4..1e-3)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(FOLDING_NETWORKS)('%s equals the reference interpreter to 1e-4 relative L2', async (backbone, options) => {
    const network = createBackbone(backbone, options as AnyBackboneOptions);
    const graph = traceNetwork(network, [1, 3, 32, 32]);
    const weights = smallVarianceWeights(graph, 2);
    const input = randomTensor([1, 3, 32, 32], 6);
    const expected = runReference(network, weights, input)[0];
    const model = toLayersModel(graph, weights);
    const infer = compileInference(model);
    const x = nchwToNhwc(input);
    const y = infer(x);
    expect(relativeL2(await canonicalValues(y), expected.data)).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    infer.dispose();
    model.dispose();
  });
});
