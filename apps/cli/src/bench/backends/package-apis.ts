import type { AttentionSpec, Graph, NetworkDefinition, Tensor } from '@attnkit/core';
import type { OnnxGraph, Shape } from '@attnkit/onnx';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { InsertionReportEntry as TfjsInsertionEntry } from '@attnkit/tfjs';

/**
 * Thin adapter over the attnkit packages the bench drives. They are loaded at run time and
 * checked for the exports the bench needs, so a package whose API has not landed (or does not
 * load) makes its backends "not available: <reason>" instead of breaking the CLI. The interfaces
 * below are the subset of each package's public API the bench calls.
 */
export interface ZooApi {
  createBackbone(name: string, options?: Record<string, unknown>): NetworkDefinition;
  listBackbones(): string[];
}

export interface TfjsInferenceFunction {
  (input: tf.Tensor4D): tf.Tensor;
  dispose(): void;
  readonly summary?: { steps: number; layers: number; foldedBatchNorms: number; fusedActivations: number };
}

export interface TfjsApi {
  toLayersModel(graph: Graph, weights: ReadonlyMap<string, Tensor>): tfl.LayersModel;
  compileInference(model: tfl.LayersModel): TfjsInferenceFunction;
  insertAttention?(model: tfl.LayersModel, options: { attention: AttentionSpec; after: readonly string[] | 'residual'; seed?: number }): { model: tfl.LayersModel; report: TfjsInsertionEntry[] };
  /** Every layer call in graph order (bench costs of model.json files). */
  readModelGraph?(model: tfl.LayersModel): { calls: Array<{ layer: tfl.layers.Layer; inputTensors: tfl.SymbolicTensor[]; outputTensors: tfl.SymbolicTensor[] }> };
  useBackend?(name: 'cpu' | 'wasm', options?: Record<string, unknown>): Promise<unknown>;
}

export interface OnnxRunnerSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(inputs: Record<string, { dims: number[]; data: Float32Array }>): Promise<Record<string, { dims: number[]; data: Float32Array }>>;
  info(): { runtime: string; version: string; executionProviders: string[]; threads: number | 'default'; simd: boolean | null; loadMilliseconds: number };
  dispose(): Promise<void>;
}

export interface OnnxApi {
  createRunner(options: { runtime: 'onnxruntime-node' | 'onnxruntime-web'; threads?: number }): Promise<{ runtime: string; version: string; load(bytes: Uint8Array): Promise<OnnxRunnerSession> }>;
  encodeModel(model: unknown): Uint8Array;
  decodeModel(bytes: Uint8Array): unknown;
  createModel(fields: Record<string, unknown>): unknown;
  createGraph(fields: Record<string, unknown>): unknown;
  createNode(opType: string, inputs: readonly string[], outputs: readonly string[], options?: Record<string, unknown>): unknown;
  valueInfo(name: string, dims: readonly (number | string | null)[]): unknown;
  tensorFromFloat32(name: string, dims: readonly number[], data: Float32Array): unknown;
  /** Static shapes of every tensor (bench costs of .onnx files). */
  inferShapes?(graph: OnnxGraph): Map<string, Shape>;
}

/** The ONNX emitter from core's graph IR: looked up by the names the ONNX package may export. */
export type OnnxEmitter = (graph: Graph, weights: ReadonlyMap<string, Tensor>, options?: { channelConv?: 'conv' | 'banded' }) => unknown;
export const onnxEmitterNames = ['emitModel'] as const;

/** Insertion of attention into an .onnx model, looked up likewise. */
export type OnnxInserter = (model: unknown, options: { attention: AttentionSpec; at: readonly string[] | 'residual'; seed?: number }) => unknown;
export const onnxInserterNames = ['insertAttention'] as const;

export type Loaded<T> = { api: T; reason?: undefined } | { api?: undefined; reason: string };

const cache = new Map<string, Promise<Loaded<Record<string, unknown>>>>();

/** Imports a package and checks that it exports every function in `required`. */
export function loadPackage<T>(name: string, required: readonly string[]): Promise<Loaded<T>> {
  let loading = cache.get(name);
  if (loading === undefined) {
    // A non-literal specifier: the package is resolved when the bench runs, not when the CLI is built.
    const specifier: string = name;
    loading = import(/* @vite-ignore */ specifier).then(
      (module: Record<string, unknown>) => ({ api: module }),
      (error: unknown) => ({ reason: `${name} does not load (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` }),
    );
    cache.set(name, loading);
  }
  return loading.then((loaded) => {
    if (loaded.api === undefined) return loaded;
    const missing = required.filter((key) => typeof loaded.api[key] !== 'function');
    if (missing.length) return { reason: `${name} does not export ${missing.join(', ')} yet` };
    return { api: loaded.api as T };
  });
}

export const loadZoo = () => loadPackage<ZooApi>('@attnkit/zoo', ['createBackbone', 'listBackbones']);
export const loadTfjs = () => loadPackage<TfjsApi>('@attnkit/tfjs', ['toLayersModel', 'compileInference']);
export const loadOnnx = () =>
  loadPackage<OnnxApi>('@attnkit/onnx', ['createRunner', 'encodeModel', 'decodeModel', 'createModel', 'createGraph', 'createNode', 'valueInfo', 'tensorFromFloat32']);

/** The first function among `names` that a loaded package exports. */
export function findExport<T>(api: object, names: readonly string[]): T | undefined {
  for (const name of names) {
    const value = (api as Record<string, unknown>)[name];
    if (typeof value === 'function') return value as T;
  }
  return undefined;
}
