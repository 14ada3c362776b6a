import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { type Graph, type Tensor, initializeWeights, listAttention, traceNetwork } from '@attnkit/core';
import {
  BATCH_NORM_INIT,
  batchNormPrefixes,
  expectConstant,
  expectNormal,
  expectPyTorchDefaultInit,
  expectUniform,
  fanOut,
} from '@attnkit/tools/init-rules';
import { describe, it } from 'vitest';
import { mobilenetV2 } from './mobilenet-v2.js';
import { resnet18 } from './resnet.js';

describe('seeded init follows PyTorch defaults in every registered module', () => {
  // CBAM's official code sets its spatial BatchNorm weight to 0 (docs/paper.md section 1).
  it.each(listAttention().map((d) => d.id))('%s at C = 256', (id) => expectPyTorchDefaultInit(id, 256, { 'SpatialGate.spatial.bn.weight': 0 }));
});

/** BatchNorm parameters at 1/0; every other parameter checked by `rule`. */
function expectBackboneInit(graph: Graph, rule: (name: string, tensor: Tensor, shape: readonly number[]) => void): void {
  const weights = initializeWeights(graph, 5);
  const bn = batchNormPrefixes(graph);
  for (const p of graph.params) {
    const tensor = weights.get(p.name) as Tensor;
    const prefix = p.name.slice(0, p.name.lastIndexOf('.') + 1);
    if (bn.has(prefix)) expectConstant(p.name, tensor, BATCH_NORM_INIT[p.name.slice(prefix.length)]);
    else rule(p.name, tensor, p.spec.shape);
  }
}

describe('seeded init follows torchvision in the backbones', () => {
  it('resnet18: convs N(0, sqrt(2/fan_out)), BatchNorm 1/0, fc Linear default', () => {
    expectBackboneInit(traceNetwork(resnet18(), [1, 3, 32, 32]), (name, tensor, shape) => {
      if (name === 'fc.weight' || name === 'fc.bias') expectUniform(name, tensor, 1 / Math.sqrt(512));
      else expectNormal(name, tensor, Math.sqrt(2 / fanOut(shape)));
    });
  });

  it('mobilenet_v2: convs (depthwise too) N(0, sqrt(2/fan_out)), BatchNorm 1/0, classifier N(0, 0.01) and bias 0', () => {
    expectBackboneInit(traceNetwork(mobilenetV2(), [1, 3, 32, 32]), (name, tensor, shape) => {
      if (name === 'classifier.1.weight') expectNormal(name, tensor, 0.01);
      else if (name === 'classifier.1.bias') expectConstant(name, tensor, 0);
      else if (tensor.data.length >= 200) expectNormal(name, tensor, Math.sqrt(2 / fanOut(shape)));
    });
  });
});
