import { AttnkitError, ErrorCodes, type NetworkDefinition, type WeightMap, formatShape, shapesEqual, traceNetwork } from '@attnkit/core';
import { type SafetensorsFloatDtype, writeSafetensors } from './weights/index.js';

export interface SaveWeightsOptions {
  /** Storage dtype; `F32` by default. */
  dtype?: SafetensorsFloatDtype;
  /** Extra `__metadata__` entries (`format: 'pt'` is always written). */
  metadata?: Record<string, string>;
}

/**
 * Serializes a network's weights to safetensors under our PyTorch names (`layer1.0.eca.conv.weight`,
 * BatchNorm running statistics included), which `safetensors.torch.load_file` +
 * `model.load_state_dict` read into the same PyTorch model. `num_batches_tracked` is not written:
 * PyTorch's BatchNorm fills it in when a state dict lacks it.
 *
 * @throws AttnkitError WEIGHTS_MISMATCH when a declared parameter is missing or mis-shaped,
 *   or `weights` holds a name the network does not declare.
 */
export function saveWeights(network: NetworkDefinition, weights: WeightMap, options: SaveWeightsOptions = {}): Uint8Array {
  const graph = traceNetwork(network);
  const problems: string[] = [];
  const declared = new Set<string>();
  for (const p of graph.params) {
    declared.add(p.name);
    const value = weights.get(p.name);
    if (value === undefined) problems.push(`missing ${p.name} ${formatShape(p.spec.shape)}`);
    else if (!shapesEqual(value.shape, p.spec.shape)) problems.push(`${p.name}: network ${formatShape(p.spec.shape)}, weights ${formatShape(value.shape)}`);
  }
  for (const name of weights.keys()) if (!declared.has(name)) problems.push(`unexpected ${name}`);
  if (problems.length > 0) {
    throw new AttnkitError(ErrorCodes.WEIGHTS_MISMATCH, `the weights do not match ${network.name}:\n  ${problems.join('\n  ')}`, { problems });
  }
  return writeSafetensors(weights, { dtype: options.dtype, metadata: { format: 'pt', model: network.name, ...options.metadata } });
}
