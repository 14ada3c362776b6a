/**
 * Shared by this package's tests (not exported): seeded weights with non-trivial BatchNorm
 * statistics, and NCHW <-> NHWC for comparing with the reference interpreter.
 */
import { createRandom, type Graph, initializeWeights, type Tensor } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * core's seeded init, then every BatchNorm vector redrawn (weight U(0.5, 1.5), bias and running
 * mean U(-0.5, 0.5), running variance U(0.5, 2)) so that folding and eps errors would show.
 */
export function testWeights(graph: Graph, seed = 0): Map<string, Tensor> {
  const weights = initializeWeights(graph, seed);
  const ranges: Array<[RegExp, number, number]> = [
    [/running_var$/, 0.5, 2],
    [/running_mean$/, -0.5, 0.5],
  ];
  for (const p of graph.params) {
    const isBatchNorm = graph.nodes.some((n) => n.op === 'batchNorm' && n.inputs.includes(p.value));
    if (!isBatchNorm) continue;
    const [, low, high] = ranges.find(([pattern]) => pattern.test(p.name)) ?? [undefined, p.name.endsWith('weight') ? 0.5 : -0.5, p.name.endsWith('weight') ? 1.5 : 0.5];
    const random = createRandom(seed, `bn:${p.name}`);
    const data = new Float32Array(p.spec.shape[0]);
    for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * random.uniform();
    weights.set(p.name, { shape: [...p.spec.shape], data });
  }
  return weights;
}

export function nchwToNhwc(x: Tensor): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(x.data, x.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** Flat values of a tfjs output in canonical order (NHWC 4-D outputs back to NCHW). */
export async function canonicalValues(y: tf.Tensor): Promise<Float32Array> {
  const canonical = y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y;
  const data = (await canonical.data()) as Float32Array;
  if (canonical !== y) canonical.dispose();
  return data;
}
