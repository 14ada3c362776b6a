import '@attnkit/eca';
import '@attnkit/se';
import { randomTensor, relativeL2, runReference, traceNetwork } from '@attnkit/core';
import { FOLDING_NETWORKS, smallVarianceWeights } from '@attnkit/tools/batch-norm-weights';
import { type AnyBackboneOptions, createBackbone } from '@attnkit/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitModel } from './emit-model.js';
import { encodeModel } from './model-codec.js';
import { type Runner, createRunner } from './session-runner.js';

// The emitter folds BatchNorm into the conv before it: with running variances of 1e-4..1e-3,
// a fold that dropped eps = 1e-5 would move each scale by 0.5-5%, about 1e-2 relative L2 here.
describe('emitted models keep BatchNorm epsilon when folding (variances of 1e-4..1e-3), onnxruntime-node', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
  });

  it.each(FOLDING_NETWORKS)('%s equals the reference interpreter to 1e-4 relative L2', async (backbone, options) => {
    const network = createBackbone(backbone, options as AnyBackboneOptions);
    const graph = traceNetwork(network, [1, 3, 32, 32]);
    const weights = smallVarianceWeights(graph, 2);
    const input = randomTensor([1, 3, 32, 32], 6);
    const expected = runReference(network, weights, input)[0];
    const model = emitModel(graph, weights, {}, network.metadata);
    expect(model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const session = await runner.load(encodeModel(model));
    try {
      const outputs = await session.run({ [session.inputNames[0]]: { dims: [...input.shape], data: input.data } });
      expect(relativeL2(outputs[session.outputNames[0]].data, expected.data)).toBeLessThan(1e-4);
    } finally {
      await session.dispose();
    }
  }, 60_000);
});
