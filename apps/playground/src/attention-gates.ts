/**
 * What each attention module computed on one input: its sigmoid gates, read by running the
 * network on core's reference interpreter with `sigmoid` recorded inside attention calls. A
 * `[N, C, 1, 1]` gate is a channel weighting (ECA, SE, CBAM's channel gate), a `[N, 1, H, W]`
 * one a spatial map (CBAM's spatial gate). Works for any registered module.
 */
import { type NetworkDefinition, type Ops, Scope, type Tensor, type WeightMap, referenceOps } from '@attnkit/core';

export interface ModuleGates {
  /** The host block, e.g. `layer2.1`. */
  path: string;
  id: string;
  stage?: number;
  channels: number;
  kernelSize?: number;
  /** Per-channel weights of the first sample. */
  channelGate?: Float32Array;
  /** Spatial map of the first sample, `[H, W]`. */
  spatialMap?: { height: number; width: number; data: Float32Array };
}

export function attentionGates(network: NetworkDefinition, weights: WeightMap, input: Tensor): { gates: ModuleGates[]; output: Tensor } {
  const gates: ModuleGates[] = [];
  let current: ModuleGates | undefined;
  const ops: Ops<Tensor> = {
    ...referenceOps,
    sigmoid(x) {
      const y = referenceOps.sigmoid(x);
      const [, c, h, w] = y.shape;
      if (current && y.shape.length === 4 && h === 1 && w === 1) current.channelGate = y.data.slice(0, c);
      else if (current && y.shape.length === 4 && c === 1) current.spatialMap = { height: h, width: w, data: y.data.slice(0, h * w) };
      return y;
    },
  };
  const provider = { get: (name: string) => weights.get(name) as Tensor };
  const hooks = {
    beforeAttention(call: { path: string; instance: { id: string; channels: number; config: { kernelSize?: number } }; stage?: number }) {
      current = { path: call.path, id: call.instance.id, stage: call.stage, channels: call.instance.channels, kernelSize: call.instance.config.kernelSize };
    },
    afterAttention() {
      if (current) gates.push(current);
      current = undefined;
    },
  };
  const result = network.forward(new Scope<Tensor>(ops, provider, '', hooks), input);
  return { gates, output: (Array.isArray(result) ? result[0] : result) as Tensor };
}
