/**
 * The networks the WebGL page runs, shared by the page (which runs them on tfjs's webgl backend)
 * and the Node test (which runs core's reference interpreter on the same weights and inputs).
 */
import { type AttentionSpec, attentionNetwork, type Graph, listAttention, type NetworkDefinition, randomTensor, type Tensor, traceNetwork } from '@attnkit/core';
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { createBackbone } from '@attnkit/zoo';
import { testWeights } from '../../src/test-networks.js';

export interface WebglCase {
  name: string;
  network: NetworkDefinition;
  shape: number[];
}

export function webglCases(): WebglCase[] {
  return [
    ...listAttention().map(({ id }) => ({ name: id, network: attentionNetwork(id as AttentionSpec, 40, [2, 40, 7, 5]), shape: [2, 40, 7, 5] })),
    { name: 'resnet18 width 8 + eca', network: createBackbone('resnet18', { width: 8, numClasses: 10, attention: 'eca' }), shape: [2, 3, 32, 32] },
    { name: 'resnet50 width 8 + se', network: createBackbone('resnet50', { width: 8, numClasses: 10, attention: 'se' }), shape: [2, 3, 32, 32] },
    { name: 'resnet18 width 8 + cbam', network: createBackbone('resnet18', { width: 8, numClasses: 10, attention: { type: 'cbam', reductionRatio: 4 } }), shape: [2, 3, 32, 32] },
    { name: 'mobilenet_v2 0.25 + eca', network: createBackbone('mobilenet_v2', { widthMultiplier: 0.25, numClasses: 10, attention: 'eca' }), shape: [2, 3, 32, 32] },
  ];
}

export const caseGraph = (c: WebglCase): Graph => traceNetwork(c.network, c.shape);
export const caseWeights = (graph: Graph): Map<string, Tensor> => testWeights(graph, 3);
export const caseInput = (c: WebglCase): Tensor => randomTensor(c.shape, 4);
