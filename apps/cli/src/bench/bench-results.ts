import type { BenchBackendName } from './bench-config.js';
import type { BenchVariant, RunnerInfo } from './bench-backend.js';
import type { BenchEnvironment } from './environment.js';
import type { LatencySummary } from './latency-statistics.js';
import type { MachineLimit } from './machine-limit.js';
import type { InsertionRecord } from './file-costs.js';
import type { CellCosts } from './model-source.js';

/** What `results.json` holds; the table, the report and the charts read only this. */
export interface BenchResults {
  format: 'attnkit-bench-results';
  formatVersion: 1;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  config: {
    source: string;
    models: string[];
    attention: string[];
    backends: BenchBackendName[];
    inputSizes: number[];
    batchSizes: number[];
    /** Thread counts per backend. */
    threads: Record<string, number[]>;
    /** Sub-matrices added to the main one. */
    extra: Array<Record<string, unknown>>;
    seed: number;
    warmup: Record<string, number>;
    measure: Record<string, number | undefined>;
    schedule: 'group' | 'all';
    reference: BenchBackendName;
  };
  /** How cells were prepared and interleaved, in words, for the report. */
  schedule: string;
  environment: BenchEnvironment;
  machineLimit: MachineLimit | null;
  backends: BackendStatus[];
  cells: CellResult[];
  /** Peak RSS of each prepared group. */
  groups: GroupResult[];
  targets: TargetResult[];
}

export interface BackendStatus {
  name: BenchBackendName;
  available: boolean;
  reason?: string;
}

export interface CellResult {
  id: string;
  model: string;
  /** `zoo:resnet50` or `file:/path/to/model.onnx`. */
  modelSource: string;
  /** A file model that is another export of a zoo backbone (e.g. torch.onnx.export). */
  sameNetworkAs?: string;
  /** A weightless .onnx filled from this zoo model's emitted weights (its label). */
  weightsFrom?: string;
  /**
   * For `weightsFrom` cells: the output against the zoo model's plain cell on the same input
   * (pass: relative L2 < tolerance); null when that cell did not run.
   */
  sameNetwork?: { reference: string; relativeL2: number; maxAbs: number; tolerance: number; pass: boolean } | null;
  /** The group it was prepared and measured (interleaved) in. */
  group?: string;
  attention: string;
  backend: BenchBackendName;
  variant: BenchVariant;
  inputSize: number;
  batchSize: number;
  /** Intra-op threads asked of the runtime. */
  threads: number;
  inputShape: number[];
  status: 'ok' | 'unavailable' | 'failed';
  reason?: string;
  /**
   * Exact counts: of the traced graph for zoo models; of the model itself (plus the inserted
   * modules) for model files, counted when a backend loads the file (`costs.source` says which).
   */
  costs: CellCosts | null;
  /** Model files: why `costs` is null, when it is. */
  costsNote?: string;
  /** Model files with attention: the package's insertion report, one entry per inserted module. */
  insertions?: InsertionRecord[];
  prepareSeconds: number | null;
  warmup: { iterations: number; stable: boolean; seconds: number; latenciesMs: number[] } | null;
  latencyMs: LatencySummary | null;
  /** Every timed run, in order, so any statistic can be recomputed. */
  samplesMs: number[];
  /** The round-robin turn of each timed run: runs of two cells in one turn are paired. */
  samplesRound: number[];
  /**
   * Against the plain network on the same backend, variant, size, batch and threads. `ratio` is
   * the median of paired per-turn ratios (the ratio of medians when fewer than 5 turns pair);
   * `ratioOfMedians` is median(cell) / median(baseline), shown beside it.
   */
  overhead: { baseline: string; ratio: number; percent: number; ci95Percent: [number, number]; pairedRounds: number; ratioOfMedians: number } | null;
  /** Against the reference backend's output for the same model, attention and input. */
  agreement: { reference: string; maxAbs: number; relativeL2: number; outputSize: number } | null;
  memory: { groupPeakRssBytes: number; tfjs: { tensors: number; bytes: number } | null } | null;
  runtime: RunnerInfo | null;
}

export interface GroupResult {
  label: string;
  cells: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  seconds: number;
}

export interface TargetResult {
  id: string;
  description: string;
  /** What was compared, e.g. "1.013x" or "+0.8%". */
  measured: string | null;
  threshold: string;
  /** null: could not be measured (see note). */
  pass: boolean | null;
  /** false when the measurement's 95% interval spans the threshold: the verdict could go either way. */
  conclusive?: boolean;
  /**
   * For verdicts on a latency ratio: which estimate the verdict uses ('median of paired per-turn
   * ratios' or 'ratio of medians') and the ratio of the two cells' medians, shown beside it.
   */
  ratioBasis?: 'median of paired per-turn ratios' | 'ratio of medians';
  ratioOfMedians?: number;
  note: string;
}

/** 'PASS', 'FAIL', with ' (inconclusive)' when the interval spans the threshold; 'not measured'. */
export function verdict(target: Pick<TargetResult, 'pass' | 'conclusive'>): string {
  if (target.pass === null) return 'not measured';
  return `${target.pass ? 'PASS' : 'FAIL'}${target.conclusive === false ? ' (inconclusive)' : ''}`;
}
