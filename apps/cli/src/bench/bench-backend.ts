import type { AttentionSpec, Graph, Tensor } from '@attnkit/core';
import type { BenchBackendName } from './bench-config.js';
import type { InsertionRecord } from './file-costs.js';
import type { CellCosts } from './model-source.js';

/**
 * The one interface between the bench engine and a runtime. A backend prepares one cell
 * (a model with one attention choice at one input shape) and hands back a runner; the engine
 * never sees tfjs or onnxruntime types.
 */
export interface BenchBackend {
  readonly name: BenchBackendName;
  /** The timed paths this backend offers; tfjs has the fast path and LayersModel.predict. */
  readonly variants: readonly BenchVariant[];
  /** The runtime reads its thread count once per process (onnxruntime-web, tfjs-backend-wasm). */
  readonly threadsFixedPerProcess?: boolean;
  /** `undefined` when the backend can run here, otherwise why not (shown in the results). */
  availability(): Promise<string | undefined>;
  prepare(request: PrepareRequest): Promise<PreparedRunner>;
}

/**
 * `default`: the backend's one path. tfjs: `fast` is compileInference (BatchNorm folded, fused
 * ops), `predict` is LayersModel.predict on the same model.
 */
export type BenchVariant = 'default' | 'fast' | 'predict';

/** A model as the engine hands it to a backend. */
export type PreparedModel =
  | {
      kind: 'graph';
      /** Traced at `inputShape`, with the attention already built in by the zoo. */
      graph: Graph;
      /** Seeded canonical weights (core's initializeWeights), by PyTorch name. */
      weights: ReadonlyMap<string, Tensor>;
    }
  | {
      kind: 'file';
      path: string;
      format: 'onnx' | 'tfjs';
      /** The insertion machinery's placement (`'residual'` or layer / node names). */
      insertAt: string | string[];
      /**
       * A weightless graph's source of weights: the zoo model (traced at `inputShape`, with its
       * seeded weights) whose emitted, BatchNorm-folded initializers fill the file's.
       */
      weightsFrom?: { label: string; graph: Graph; weights: ReadonlyMap<string, Tensor> };
    };

export interface PrepareRequest {
  model: PreparedModel;
  /** For file models: the module to insert (`undefined` = run the file as it is). */
  attention: AttentionSpec | undefined;
  variant: BenchVariant;
  /** Canonical `[N, C, H, W]`. */
  inputShape: readonly number[];
  seed: number;
  threads: number;
}

export interface RunnerInfo {
  runtime: string;
  version: string;
  /** Threads the runtime really uses, or 'default' when it decides. */
  threads: number | 'default';
  simd: boolean | null;
  /** Free-form facts worth a line in the report (execution providers, fused steps, ...). */
  notes: string[];
}

export interface PreparedRunner {
  /** Runs on a canonical NCHW input and returns the flat output (classifier logits). */
  run(input: Tensor): Promise<Float32Array>;
  readonly info: RunnerInfo;
  /** tfjs only: live tensors and bytes, as tf.memory() reports them. */
  memory?(): { tensors: number; bytes: number };
  /**
   * Model files: the counts read from the model as it was built (file-costs.ts) and what the
   * package's insertion put where; `costs` null with `reason` when the file cannot be counted.
   */
  readonly counted?: FileCounts;
  /** Called before each round-robin turn, untimed (tfjs: make this runner's backend current). */
  activate?(): Promise<void>;
  dispose(): Promise<void>;
}

export interface FileCounts {
  costs: CellCosts | null;
  /** The insertion report, one entry per inserted module; [] for the plain file. */
  insertions: InsertionRecord[];
  reason?: string;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A cell that cannot run here (an API not landed, a runtime that does not load, a format mismatch). */
export class NotAvailableError extends Error {
  override readonly name = 'NotAvailableError';
}
