/**
 * Inserts attention modules into an existing LayersModel (functional or sequential, a user's
 * own or a zoo model) and returns a new model; the original is never changed.
 */
import { type AttentionSpec, AttnkitError, createAttention, ErrorCodes, nearestNames, parseAttentionSpec } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AttentionLayer } from './attention-layer.js';
import { type LayerCall, type ModelGraph, readModelGraph, tensorKey } from './model-graph.js';

export interface InsertAttentionOptions {
  attention: AttentionSpec;
  /**
   * Where to insert:
   * - layer names: after each of these layers (every consumer of its output sees the attention);
   * - a predicate over the model's layers;
   * - `'residual'`: on the main branch of every two-input Add, just before the Add (see
   *   `residualBranchInputs`), as the ECA/SE/CBAM papers place it in ResNets.
   */
  after: readonly string[] | ((layer: tfl.layers.Layer) => boolean) | 'residual';
  /** Seed of the inserted modules' initial weights (core's seeded init). */
  seed?: number;
}

export interface InsertionReportEntry {
  /** The layer whose output the module receives. */
  layer: string;
  /** The Add the module feeds (residual placement only). */
  before?: string;
  /** Name of the inserted AttentionLayer. */
  name: string;
  channels: number;
  kernelSize?: number;
  parameters: number;
}

export interface InsertAttentionResult {
  model: tfl.LayersModel;
  report: InsertionReportEntry[];
}

/** Every tensor a tensor depends on (its ancestors), by key. */
function ancestorSets(graph: ModelGraph): Map<string, Set<string>> {
  const ancestors = new Map<string, Set<string>>();
  for (const call of graph.calls) {
    const set = new Set<string>();
    for (const key of call.inputs) {
      set.add(key);
      for (const a of ancestors.get(key) ?? []) set.add(a);
    }
    for (const key of call.outputs) ancestors.set(key, set);
  }
  return ancestors;
}

/**
 * For each two-input Add call, the index of its main-branch input. The other input is the
 * shortcut, defined as:
 * 1. identity shortcut: an input that the other input depends on (the block input itself);
 * 2. otherwise both inputs start at their latest common ancestor S (the block input) and the
 *    shortcut is the input with fewer tensors between S and it (a downsample path, conv + BN,
 *    is shorter than the residual branch); on a tie the first input is the main branch, as
 *    PyTorch writes `out + identity`.
 * Adds with another number of inputs have no main branch and get no module.
 */
export function residualBranchInputs(graph: ModelGraph): Map<LayerCall, number> {
  const ancestors = ancestorSets(graph);
  const order = new Map<string, number>();
  for (const [i, call] of graph.calls.entries()) for (const key of call.outputs) order.set(key, i);
  const result = new Map<LayerCall, number>();
  for (const call of graph.calls) {
    if (call.layer.getClassName() !== 'Add' || call.inputs.length !== 2) continue;
    const [a, b] = call.inputs;
    const ancestorsA = ancestors.get(a) ?? new Set<string>();
    const ancestorsB = ancestors.get(b) ?? new Set<string>();
    if (ancestorsA.has(b)) {
      result.set(call, 0);
      continue;
    }
    if (ancestorsB.has(a)) {
      result.set(call, 1);
      continue;
    }
    let start: string | undefined;
    for (const key of ancestorsA) {
      if (ancestorsB.has(key) && (start === undefined || order.get(key)! > order.get(start)!)) start = key;
    }
    const before = start === undefined ? new Set<string>() : new Set([start, ...(ancestors.get(start) ?? [])]);
    const branchLength = (key: string, set: Set<string>) => [...set, key].filter((k) => !before.has(k)).length;
    result.set(call, branchLength(b, ancestorsB) > branchLength(a, ancestorsA) ? 1 : 0);
  }
  return result;
}

function cloneLayer(layer: tfl.layers.Layer): tfl.layers.Layer {
  const cls = layer.constructor as tf.serialization.SerializableConstructor<tfl.layers.Layer>;
  return cls.fromConfig(cls, layer.getConfig());
}

const channelsOf = (t: tfl.SymbolicTensor): number | undefined => (t.shape.length === 4 ? (t.shape[3] ?? undefined) : undefined);

/**
 * `insertAttention(model, { attention: 'eca', after: 'residual' })`: a new LayersModel with an
 * AttentionLayer after the chosen layers, every original layer cloned under its own name with
 * its weights copied (the same values), and a report of what went where.
 *
 * @throws AttnkitError UNKNOWN_INSERTION_POINT for a name the model does not have
 *   (`details.nearest` lists close names); INVALID_INSERTION_POINT for a layer whose output is
 *   not 4-D [N, H, W, C] or an insertion that selects nothing; UNKNOWN_MODULE / INVALID_OPTION
 *   for a bad spec. Nothing is built before every check passes.
 */
export function insertAttention(model: tfl.LayersModel, options: InsertAttentionOptions): InsertAttentionResult {
  const graph = readModelGraph(model);
  const layers = new Map(graph.calls.map((c) => [c.layer.name, c.layer]));
  const selectedLayers = new Set<tfl.layers.Layer>();
  const residualEdges = new Map<LayerCall, number>();
  const { after } = options;
  if (after === 'residual') {
    for (const [call, index] of residualBranchInputs(graph)) residualEdges.set(call, index);
  } else if (typeof after === 'function') {
    for (const call of graph.calls) if (call.layer.getClassName() !== 'InputLayer' && after(call.layer)) selectedLayers.add(call.layer);
  } else if (Array.isArray(after)) {
    for (const name of after) {
      const layer = layers.get(name);
      if (layer === undefined) {
        const nearest = nearestNames(name, layers.keys());
        throw new AttnkitError(
          ErrorCodes.UNKNOWN_INSERTION_POINT,
          `model '${model.name}' has no layer '${name}'; nearest names: ${nearest.join(', ')}`,
          { name, nearest },
        );
      }
      selectedLayers.add(layer);
    }
  } else {
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `'after' must be a list of layer names, a predicate or 'residual', got ${JSON.stringify(after)}`, { path: 'after' });
  }

  // Every check (4-D outputs, the spec for each channel count) before anything is built.
  const planned: Array<Omit<InsertionReportEntry, 'name'>> = [];
  const instanceFor = (layer: string, t: tfl.SymbolicTensor) => {
    const channels = channelsOf(t);
    if (channels === undefined) {
      throw new AttnkitError(
        ErrorCodes.INVALID_INSERTION_POINT,
        `layer '${layer}' outputs shape [${t.shape.join(', ')}]; attention needs a 4-D [N, H, W, C] output with a known C (a conv, BN or activation layer)`,
        { layer, shape: t.shape },
      );
    }
    const instance = createAttention(options.attention, channels);
    const kernelSize = instance.config.kernelSize;
    return { layer, channels, ...(kernelSize === undefined ? {} : { kernelSize }), parameters: instance.parameterCount };
  };
  for (const call of graph.calls) {
    if (selectedLayers.has(call.layer)) for (const t of call.outputTensors) planned.push(instanceFor(call.layer.name, t));
    const index = residualEdges.get(call);
    if (index !== undefined) planned.push({ ...instanceFor(call.inputTensors[index].sourceLayer.name, call.inputTensors[index]), before: call.layer.name });
  }
  if (planned.length === 0) {
    throw new AttnkitError(
      ErrorCodes.INVALID_INSERTION_POINT,
      after === 'residual' ? `model '${model.name}' has no two-input Add layer, so 'residual' finds no place for attention` : `no layer of model '${model.name}' matches the predicate`,
      { model: model.name },
    );
  }

  const usedNames = new Set(layers.keys());
  const uniqueName = (name: string): string => {
    let candidate = name;
    for (let i = 1; usedNames.has(candidate); i++) candidate = `${name}_${i}`;
    usedNames.add(candidate);
    return candidate;
  };
  const attentionId = parseAttentionSpec(options.attention).type;
  const report: InsertionReportEntry[] = [];
  let plannedIndex = 0;
  const attend = (x: tfl.SymbolicTensor, baseName: string): tfl.SymbolicTensor => {
    const name = uniqueName(`${baseName}.${attentionId}`);
    report.push({ ...planned[plannedIndex++], name });
    const layer = new AttentionLayer({ attention: options.attention, seed: options.seed, name });
    return layer.apply(x) as tfl.SymbolicTensor;
  };

  const clones = new Map<tfl.layers.Layer, tfl.layers.Layer>();
  const rebuilt = new Map<string, tfl.SymbolicTensor>();
  for (const call of graph.calls) {
    if (call.layer.getClassName() === 'InputLayer') {
      const [t] = call.outputTensors;
      rebuilt.set(call.outputs[0], tfl.input({ batchShape: t.shape, dtype: t.dtype, name: call.layer.name }));
      continue;
    }
    const residualIndex = residualEdges.get(call);
    const inputs = call.inputs.map((key, i) => {
      const x = rebuilt.get(key)!;
      return i === residualIndex ? attend(x, call.inputTensors[i].sourceLayer.name) : x;
    });
    let clone = clones.get(call.layer);
    if (clone === undefined) {
      clone = cloneLayer(call.layer);
      clones.set(call.layer, clone);
    }
    const result = clone.apply(inputs.length === 1 ? inputs[0] : inputs, call.callArgs);
    const outputs = Array.isArray(result) ? (result as tfl.SymbolicTensor[]) : [result as tfl.SymbolicTensor];
    for (const [i, t] of outputs.entries()) rebuilt.set(call.outputs[i], selectedLayers.has(call.layer) ? attend(t, call.layer.name) : t);
  }

  const inputs = model.inputs.map((t) => rebuilt.get(tensorKey(t))!);
  const outputs = model.outputs.map((t) => rebuilt.get(tensorKey(t))!);
  const result = tfl.model({ inputs, outputs, name: model.name });
  for (const [original, clone] of clones) {
    const values = tf.tidy(() => original.getWeights().map((w) => w.clone()));
    clone.setWeights(values);
    tf.dispose(values);
  }
  return { model: result, report };
}
