/**
 * Weights under which BatchNorm's epsilon matters: running variances of 1e-4 to 1e-3 (eps 1e-5
 * is 1-10% of them, as in trained networks' late layers), with weights scaled by
 * sqrt(var + eps) so each BatchNorm still maps to unit scale and deep networks stay finite.
 * Folding BatchNorm without eps then misses each scale by 0.5-5%: far outside 1e-4.
 */
import { type Graph, type Tensor, createRandom, initializeWeights } from '@attnkit/core';

export function smallVarianceWeights(graph: Graph, seed = 0, epsilon = 1e-5): Map<string, Tensor> {
  const weights = initializeWeights(graph, seed);
  for (const node of graph.nodes) {
    if (node.op !== 'batchNorm') continue;
    const params = graph.params.filter((p) => node.inputs.includes(p.value));
    const named = (suffix: string) => params.find((p) => p.name.endsWith(suffix));
    const [weight, bias, mean, variance] = ['.weight', '.bias', '.running_mean', '.running_var'].map(named);
    if (!weight || !bias || !mean || !variance) continue;
    const channels = variance.spec.shape[0];
    const random = createRandom(seed, `small-variance:${variance.name}`);
    const draw = (low: number, high: number) => Float32Array.from({ length: channels }, () => low + (high - low) * random.uniform());
    const variances = draw(1e-4, 1e-3);
    const scales = draw(0.5, 1.5);
    weights.set(variance.name, { shape: [channels], data: variances });
    weights.set(weight.name, { shape: [channels], data: scales.map((s, c) => s * Math.sqrt(variances[c] + epsilon)) });
    weights.set(mean.name, { shape: [channels], data: draw(-0.01, 0.01) });
    weights.set(bias.name, { shape: [channels], data: draw(-0.2, 0.2) });
  }
  return weights;
}

/**
 * The networks both adapters fold BatchNorm in under these weights: a basic block, a bottleneck
 * with SE, and MobileNetV2's depthwise blocks (options as `createBackbone` takes them).
 */
export const FOLDING_NETWORKS: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]> = [
  ['resnet18', { width: 8, numClasses: 10, attention: 'eca' }],
  ['resnet50', { width: 8, numClasses: 10, attention: 'se' }],
  ['mobilenet_v2', { widthMultiplier: 0.25, numClasses: 10, attention: { type: 'eca', kernelSize: 3 } }],
];
