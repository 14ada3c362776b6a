import { type NetworkDefinition, type Tensor, type WeightMap, initializeWeights, traceNetwork } from '@attnkit/core';
import { type LoadStateDictOptions, type LoadStateDictReport, type StateDictConvention, loadStateDict, readStateDict, type WeightsFormat } from './weights/index.js';

export interface LoadWeightsOptions extends LoadStateDictOptions {
  /**
   * Values for names the file lacks (only with `strict: false`). Default: the network's seeded
   * init (`initializeWeights(graph, seed)`).
   */
  initial?: WeightMap;
  /** Seed of that default init; 0 by default. */
  seed?: number;
  /** For a checkpoint that nests its state dict (`{ state_dict, epoch, ... }`): the entry to load. */
  stateDictKey?: string;
}

export interface LoadedWeights {
  /** A new map with every declared parameter and buffer, by our PyTorch name. */
  weights: Map<string, Tensor>;
  /** The file's naming convention (detected or as requested). */
  convention: StateDictConvention;
  report: LoadStateDictReport;
  /** For bytes: the format they were read as (detected from their content). */
  format?: WeightsFormat;
  /** For a nested checkpoint: the entry the state dict came from (`'state_dict'`). */
  stateDictKey?: string;
}

/**
 * Loads a PyTorch state dict into a network: the bytes of a safetensors file or of a PyTorch
 * checkpoint (.pth / .pt / .bin, zip or legacy, nested or not; see `readStateDict`), every
 * floating dtype read as float32, or tensors by name. Names follow any convention of `STATE_DICT_CONVENTIONS`
 * (detected unless `convention` is given); DataParallel's `module.` prefix is dropped and
 * BatchNorm's `num_batches_tracked` ignored; running statistics are loaded.
 *
 * Strict by default. Nothing is applied unless everything matches: the result is a new map,
 * the caller's maps and tensors are never written to, and an error leaves no partial result.
 *
 * @throws AttnkitError WEIGHTS_MISMATCH naming every missing, unexpected and mis-shaped key;
 *   KERNEL_SIZE_MISMATCH with the k the file holds and the `kernelSize` option that loads it;
 *   INVALID_FILE for bytes that are neither safetensors nor a checkpoint, or a checkpoint that
 *   names a Python global outside the whitelist.
 */
export function loadWeights(
  network: NetworkDefinition,
  source: Uint8Array | ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: LoadWeightsOptions = {},
): LoadedWeights {
  const { initial, seed = 0, stateDictKey, ...loadOptions } = options;
  const graph = traceNetwork(network);
  const declared = graph.params.map((p) => ({ ...p.spec, name: p.name }));
  const fromBytes = source instanceof Uint8Array;
  const read = fromBytes ? readStateDict(source, stateDictKey === undefined ? {} : { key: stateDictKey }) : undefined;
  const tensors = read?.tensors ?? (source as ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>);
  const result = loadStateDict(declared, tensors, loadOptions);
  const weights = new Map<string, Tensor>();
  const base = result.report.missing.length > 0 ? (initial ?? initializeWeights(graph, seed)) : undefined;
  for (const p of graph.params) {
    const loaded = result.tensors.get(p.name);
    // Decoded bytes are ours already; a caller's tensors are copied so later training cannot write to them.
    const value = loaded ?? base?.get(p.name);
    if (value !== undefined) weights.set(p.name, loaded !== undefined && fromBytes ? value : { shape: [...value.shape], data: value.data.slice() });
  }
  return {
    weights,
    convention: result.convention,
    report: result.report,
    ...(read === undefined ? {} : { format: read.format }),
    ...(read?.stateDictKey === undefined ? {} : { stateDictKey: read.stateDictKey }),
  };
}
