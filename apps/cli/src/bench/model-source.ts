import { type CostReport, type Tensor, countCosts, initializeWeights, toBinaryUnits, traceNetwork } from '@attnkit/core';
import type { PreparedModel } from './bench-backend.js';
import type { AttentionEntry, BenchModel } from './bench-config.js';
import { loadZoo } from './backends/package-apis.js';

/** The counts of one cell, in exact numbers and in the paper's binary units. */
export interface CellCosts {
  /**
   * What was counted: core's `countCosts` on the zoo's traced graph, or the user's model file
   * itself (its initializers / weights and layer shapes) plus the inserted modules.
   */
  source: 'traced graph' | 'onnx file' | 'tfjs model';
  parameters: number;
  /** parameters / 1024^2, as the paper prints "24.37M". */
  parametersBinaryM: number;
  /** What `parameters` counts, for model files (a traced graph: PyTorch's convention). */
  parametersConvention?: string;
  buffers: number;
  /** Conv2d + Linear + channel-conv multiply-accumulates for the whole batch (files: Conv, Gemm/MatMul, Dense, plus the inserted modules). */
  macs: number;
  /** thop-style FLOPs for the whole batch (core's countCosts; for files, `flopsConvention` says what). */
  flops: number;
  /** flops / 1024^3, as the paper prints "3.86G". */
  flopsBinaryG: number;
  flopsConvention: string;
  /** Kernel sizes chosen at each insertion point (module path, or a file's node / layer), when the module has one. */
  kernelSizes?: Record<string, number>;
  insertions: number;
}

export function describeCosts(costs: CostReport, graph: { attention: ReadonlyArray<{ path: string; kernelSize?: number }> }): CellCosts {
  const kernelSizes: Record<string, number> = {};
  for (const call of graph.attention) if (call.kernelSize !== undefined) kernelSizes[call.path] = call.kernelSize;
  return {
    source: 'traced graph',
    parameters: costs.parameters,
    parametersBinaryM: toBinaryUnits(costs.parameters, 2),
    buffers: costs.buffers,
    macs: costs.macs,
    flops: costs.flops.value,
    flopsBinaryG: toBinaryUnits(costs.flops.value, 3),
    flopsConvention: costs.flops.convention,
    ...(Object.keys(kernelSizes).length ? { kernelSizes } : {}),
    insertions: graph.attention.length,
  };
}

/**
 * Builds what backends need for one (model, attention, input shape): for a zoo model, the traced
 * graph with core's exact costs and seeded weights. Weights depend only on (model, attention,
 * seed), not on the input shape, so they are cached across shapes and backends of one model.
 */
export class ModelSource {
  private readonly weights = new Map<string, Map<string, Tensor>>();

  async resolve(model: BenchModel, attention: AttentionEntry, inputShape: readonly number[], seed: number): Promise<{ prepared: PreparedModel; costs?: CellCosts }> {
    if (model.source.kind === 'file') {
      const { path, format, insertAt } = model.source;
      if (model.weightsFrom === undefined) return { prepared: { kind: 'file', path, format, insertAt } };
      // The zoo model's plain network with the very weights its own cells get (same cache key).
      const { label, backbone, options } = model.weightsFrom;
      const { graph, weights } = await this.build(label, backbone, options, { label: 'none', spec: undefined }, inputShape, seed);
      return { prepared: { kind: 'file', path, format, insertAt, weightsFrom: { label, graph, weights } } };
    }
    const { graph, weights } = await this.build(model.label, model.source.backbone, model.source.options, attention, inputShape, seed);
    return { prepared: { kind: 'graph', graph, weights }, costs: describeCosts(countCosts(graph), graph) };
  }

  private async build(label: string, backbone: string, backboneOptions: Record<string, unknown>, attention: AttentionEntry, inputShape: readonly number[], seed: number) {
    const zoo = await loadZoo();
    if (zoo.api === undefined) throw new Error(zoo.reason);
    // 'none' is the plain network, also for a timm model with its own attention (ecaresnet50d -> resnet50d).
    const options = { ...backboneOptions, attention: attention.spec ?? null };
    const network = zoo.api.createBackbone(backbone, options);
    const graph = traceNetwork(network, inputShape);
    const key = `${label}\u0000${attention.label}\u0000${seed}`;
    let weights = this.weights.get(key);
    if (weights === undefined) {
      weights = initializeWeights(graph, seed);
      this.weights.set(key, weights);
    }
    return { graph, weights };
  }

  /** Frees the weights cached under one zoo model's label once all groups that use them have run. */
  release(label: string): void {
    for (const key of this.weights.keys()) if (key.startsWith(`${label}\u0000`)) this.weights.delete(key);
  }
}
