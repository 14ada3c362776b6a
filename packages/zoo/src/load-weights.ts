import { type NetworkDefinition, type Tensor, type WeightMap, initializeWeights, traceNetwork } from '@attnkit/core';
import { type LoadStateDictOptions, type LoadStateDictReport, type StateDictConvention, loadStateDict, readSafetensors } from './weights/index.js';

export interface LoadWeightsOptions extends LoadStateDictOptions {
  /**
   * Values for names the file lacks (only with `strict: false`). Default: the network's seeded
   * init (`initializeWeights(graph, seed)`).
   */
  initial?: WeightMap;
  /** Seed of that default init; 0 by default. */
  seed?: number;
}

export interface LoadedWeights {
  /** A new map with every declared parameter and buffer, by our PyTorch name. */
  weights: Map<string, Tensor>;
  /** The file's naming convention (detected or as requested). */
  convention: StateDictConvention;
  report: LoadStateDictReport;
}

/**
 * Loads a PyTorch state dict into a network: safetensors bytes (F32/F16/BF16/F64 read as
 * float32) or tensors by name. Names follow any convention of `STATE_DICT_CONVENTIONS`
 * (detected unless `convention` is given); DataParallel's `module.` prefix is dropped and
 * BatchNorm's `num_batches_tracked` ignored; running statistics are loaded.
 *
 * Strict by default. Nothing is applied unless everything matches: the result is a new map,
 * the caller's maps and tensors are never written to, and an error leaves no partial result.
 *
 * @throws AttnkitError WEIGHTS_MISMATCH naming every missing, unexpected and mis-shaped key;
 *   KERNEL_SIZE_MISMATCH with the k the file holds and the `kernelSize` option that loads it;
 *   INVALID_FILE for bytes that are not safetensors.
 */
export function loadWeights(
  network: NetworkDefinition,
  source: Uint8Array | ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: LoadWeightsOptions = {},
): LoadedWeights {
  const { initial, seed = 0, ...loadOptions } = options;
  const graph = traceNetwork(network);
  const declared = graph.params.map((p) => ({ ...p.spec, name: p.name }));
  const fromBytes = source instanceof Uint8Array;
  const tensors = fromBytes ? decodeStateDict(source) : source;
  const result = loadStateDict(declared, tensors, loadOptions);
  const weights = new Map<string, Tensor>();
  const base = result.report.missing.length > 0 ? (initial ?? initializeWeights(graph, seed)) : undefined;
  for (const p of graph.params) {
    const loaded = result.tensors.get(p.name);
    // Decoded bytes are ours already; a caller's tensors are copied so later training cannot write to them.
    const value = loaded ?? base?.get(p.name);
    if (value !== undefined) weights.set(p.name, loaded !== undefined && fromBytes ? value : { shape: [...value.shape], data: value.data.slice() });
  }
  return { weights, convention: result.convention, report: result.report };
}

/** The tensors of a state dict file's bytes: the one place a reader per file format plugs in. */
function decodeStateDict(bytes: Uint8Array): Map<string, Tensor> {
  return readSafetensors(bytes).tensors;
}
