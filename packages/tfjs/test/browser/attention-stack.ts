/**
 * One small network shared by the browser page and the Node test: ECA then CBAM on
 * x [2, 32, 9, 7] (H != W), weights from the same seed on both sides (BatchNorm statistics
 * redrawn to non-trivial values by src/test-networks.ts), so Node's reference interpreter is the
 * ground truth for what the tfjs layers compute in Chromium.
 *
 * C = 32: ECA takes k = 3 from paper Eq. 12 ((log2 32 + 1) / 2 = 3); CBAM with r = 4 has an
 * 8-unit channel MLP and a 7x7 spatial conv with BatchNorm.
 */
import '@attnkit/cbam';
import '@attnkit/eca';
import { type AttentionSpec, type NetworkDefinition, type Tensor, createAttention, randomTensor, runReference, traceNetwork } from '@attnkit/core';
import { testWeights } from '../../src/test-networks.js';

export const stackCase = {
  inputShape: [2, 32, 9, 7],
  weightSeed: 21,
  inputSeed: 22,
  eca: 'eca' as AttentionSpec,
  cbam: { type: 'cbam', reductionRatio: 4 } as AttentionSpec,
} as const;

export function stackNetwork(): NetworkDefinition {
  const channels = stackCase.inputShape[1];
  const eca = createAttention(stackCase.eca, channels);
  const cbam = createAttention(stackCase.cbam, channels);
  return {
    name: 'eca-cbam',
    defaultInputShape: stackCase.inputShape,
    forward: (scope, x) => scope.attention(cbam, scope.attention(eca, x, 'eca'), 'cbam'),
  };
}

/** Parameters by full name (`eca.conv.weight`, `cbam.SpatialGate.spatial.bn.running_var`, ...). */
export function stackWeights(): Map<string, Tensor> {
  return testWeights(traceNetwork(stackNetwork()), stackCase.weightSeed);
}

/** The parameters of one module, by name relative to it (what setCanonicalWeights takes). */
export function moduleWeights(weights: ReadonlyMap<string, Tensor>, module: 'eca' | 'cbam'): Map<string, Tensor> {
  const prefix = `${module}.`;
  return new Map([...weights].filter(([name]) => name.startsWith(prefix)).map(([name, value]) => [name.slice(prefix.length), value]));
}

export function stackInput(): Tensor {
  return randomTensor(stackCase.inputShape, stackCase.inputSeed);
}

/** The ground truth, on core's reference interpreter (NCHW). */
export function stackReference(): Tensor {
  return runReference(stackNetwork(), stackWeights(), stackInput())[0];
}
