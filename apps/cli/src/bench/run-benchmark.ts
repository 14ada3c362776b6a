import { type Tensor, maxAbsDiff, randomTensor, relativeL2 } from '@attnkit/core';
import { type BenchBackend, type BenchVariant, NotAvailableError, type PreparedRunner, errorMessage } from './bench-backend.js';
import type { AttentionEntry, BenchBackendName, BenchConfig, BenchModel } from './bench-config.js';
import type { BackendStatus, BenchResults, CellResult, GroupResult } from './bench-results.js';
import { evaluateTargets } from './bench-targets.js';
import { createBackendTable } from './backends/backend-table.js';
import { describeEnvironment } from './environment.js';
import { isStable, pairedRatio, summarizeLatencies } from './latency-statistics.js';
import { type LimitFamily, type MachineLimit, familyLimits, findLimitViolations, limitFamilyOf, measureMachineLimit } from './machine-limit.js';
import { ModelSource } from './model-source.js';

/** One point of the matrix, before it runs. */
export interface BenchCell {
  id: string;
  model: BenchModel;
  attention: AttentionEntry;
  backend: BenchBackendName;
  variant: BenchVariant;
  inputSize: number;
  batchSize: number;
  threads: number;
  inputShape: number[];
}

export interface BenchProgress {
  /** Work units done and in total (one per cell prepared, plus its share of timed runs). */
  done: number;
  total: number;
  phase: 'machine-limit' | 'prepare' | 'warm-up' | 'measure' | 'done';
  group: string;
  cell?: string;
}

export interface RunBenchmarkOptions {
  onProgress?(progress: BenchProgress): void;
  /** Backends by name; the real table by default. */
  backends?: Record<BenchBackendName, BenchBackend>;
  /** Run only the cells of this backend at this thread count (a child process's share). */
  only?: { backend: BenchBackendName; threads: number };
  /**
   * Runs the cells of a backend at a thread count this process cannot give it (the runtime fixes
   * its threads once per process) elsewhere, in practice a child process with `only`.
   */
  runIsolated?(share: { backend: BenchBackendName; threads: number }): Promise<BenchPartial>;
}

/** What one process measured: cells, groups, the machine limit and the outputs (for agreement). */
export interface BenchPartial {
  cells: CellResult[];
  groups: GroupResult[];
  machineLimit: MachineLimit | null;
  outputs: Record<string, number[]>;
}

const isTfjs = (backend: BenchBackendName) => backend.startsWith('tfjs-');

/**
 * The matrix in report order: model, backend, threads, attention, input size, batch, variant;
 * then the cells of `extra` sub-matrices that the main matrix does not have.
 */
export function expandCells(config: BenchConfig, backends: Record<BenchBackendName, BenchBackend>): BenchCell[] {
  const cells: BenchCell[] = [];
  const ids = new Set<string>();
  const matrix = (
    models: readonly BenchModel[],
    pick: {
      backends?: readonly BenchBackendName[];
      attention?: readonly AttentionEntry[];
      inputSizes?: readonly number[];
      batchSizes?: readonly number[];
      threads?: readonly number[];
    },
  ) => {
    for (const model of models) {
      for (const backend of pick.backends?.filter((b) => model.backends.includes(b)) ?? model.backends) {
        for (const threads of pick.threads ?? model.threads ?? config.threads[backend]) {
          for (const attention of pick.attention ?? model.attention) {
            for (const inputSize of pick.inputSizes ?? config.inputSizes) {
              for (const batchSize of pick.batchSizes ?? config.batchSizes) {
                for (const variant of backends[backend].variants) {
                  if (variant === 'predict' && (config.tfjsPredict === 'off' || (config.tfjsPredict === 'baseline' && attention.spec !== undefined))) continue;
                  const suffix = variant === 'default' ? '' : `/${variant}`;
                  const id = `${model.label}/${attention.label}/${backend}${suffix}/${inputSize}/b${batchSize}/t${threads}`;
                  if (ids.has(id)) continue;
                  ids.add(id);
                  cells.push({ id, model, attention, backend, variant, inputSize, batchSize, threads, inputShape: [batchSize, 3, inputSize, inputSize] });
                }
              }
            }
          }
        }
      }
    }
  };
  matrix(config.models, {});
  for (const extra of config.extra) matrix(config.models.filter((m) => extra.models.includes(m.label)), extra);
  return cells;
}

/**
 * Thread counts a backend's runtime fixes once per process: the first count of its cells runs
 * here, the others (`isolated`) in a process of their own.
 */
export function splitByProcess(cells: readonly BenchCell[], backends: Record<BenchBackendName, BenchBackend>): { here: BenchCell[]; isolated: Array<{ backend: BenchBackendName; threads: number }> } {
  const home = new Map<BenchBackendName, number>();
  const isolated: Array<{ backend: BenchBackendName; threads: number }> = [];
  const here: BenchCell[] = [];
  for (const cell of cells) {
    if (!backends[cell.backend].threadsFixedPerProcess) {
      here.push(cell);
      continue;
    }
    if (!home.has(cell.backend)) home.set(cell.backend, cell.threads);
    if (home.get(cell.backend) === cell.threads) here.push(cell);
    else if (!isolated.some((s) => s.backend === cell.backend && s.threads === cell.threads)) isolated.push({ backend: cell.backend, threads: cell.threads });
  }
  return { here, isolated };
}

interface LiveCell {
  cell: BenchCell;
  result: CellResult;
  runner?: PreparedRunner;
  input?: Tensor;
  output?: Float32Array;
  measuredMs: number;
}

function emptyResult(cell: BenchCell): CellResult {
  const source = cell.model.source;
  return {
    id: cell.id,
    model: cell.model.label,
    modelSource: source.kind === 'zoo' ? `zoo:${source.backbone}` : `file:${source.path}`,
    ...(cell.model.sameNetworkAs ? { sameNetworkAs: cell.model.sameNetworkAs } : {}),
    ...(cell.model.weightsFrom ? { weightsFrom: cell.model.weightsFrom.label, sameNetwork: null } : {}),
    attention: cell.attention.label,
    backend: cell.backend,
    variant: cell.variant,
    inputSize: cell.inputSize,
    batchSize: cell.batchSize,
    threads: cell.threads,
    inputShape: cell.inputShape,
    status: 'ok',
    costs: null,
    ...(source.kind === 'file' ? { costsNote: 'counted from the model when a backend loads it; this cell did not get that far' } : {}),
    prepareSeconds: null,
    warmup: null,
    latencyMs: null,
    samplesMs: [],
    samplesRound: [],
    overhead: null,
    agreement: null,
    memory: null,
    runtime: null,
  };
}

/**
 * The bench engine: config -> cells -> prepared runners -> interleaved measurements -> results.
 *
 * Cells are prepared per group and measured round-robin inside it, a few runs per cell per turn,
 * so drift (thermal, other processes) hits every cell of a group alike. With schedule 'group' a
 * group is one (network, backend): a zoo model's cells plus those of files that are another
 * export of it (`weightsFrom`, or `sameNetworkAs` its backbone), so every ratio the report draws
 * (attention overhead, fast path vs predict, ours vs torch.onnx.export) is within one group, and
 * only one network's weights live in one runtime at a time.
 * With 'all', every ONNX cell is one group and each tfjs backend another (tfjs has one current
 * backend per process; switching inside a round would move weights between backends).
 */
export async function runBenchmark(config: BenchConfig, options: RunBenchmarkOptions = {}): Promise<BenchResults> {
  const started = new Date();
  const backends = options.backends ?? createBackendTable();
  const all = expandCells(config, backends);
  const environment = await describeEnvironment();
  const usedBackends = [...new Set(all.map((c) => c.backend))];
  const statuses: BackendStatus[] = [];
  for (const name of usedBackends) {
    const reason = await backends[name].availability();
    statuses.push({ name, available: reason === undefined, ...(reason === undefined ? {} : { reason }) });
  }
  const { here, isolated } = splitByProcess(all, backends);
  const progress = { done: 0, total: all.length * 2 + (config.machineLimit.enabled ? 1 : 0) };
  const partial = await measureCells(config, here, backends, statuses, progress, options);
  const cells = [...partial.cells];
  const groups = [...partial.groups];
  const outputs = new Map(Object.entries(partial.outputs).map(([id, values]) => [id, Float32Array.from(values)]));
  let machineLimit = partial.machineLimit;
  for (const share of isolated) {
    const shareCells = all.filter((c) => c.backend === share.backend && c.threads === share.threads);
    let elsewhere: BenchPartial | undefined;
    let reason = `${share.backend} fixes its thread count once per process, so ${share.threads} threads need a process of their own (the attnkit CLI starts one)`;
    if (options.runIsolated) {
      options.onProgress?.({ done: progress.done, total: progress.total, phase: 'measure', group: `${share.backend}, ${share.threads} threads, in a child process` });
      try {
        elsewhere = await options.runIsolated(share);
      } catch (error) {
        reason = `the child process for ${share.backend} with ${share.threads} threads failed: ${errorMessage(error)}`;
      }
    }
    progress.done += shareCells.length * 2;
    if (elsewhere === undefined) {
      for (const cell of shareCells) cells.push({ ...emptyResult(cell), status: 'unavailable', reason });
      continue;
    }
    cells.push(...elsewhere.cells);
    groups.push(...elsewhere.groups);
    for (const [id, values] of Object.entries(elsewhere.outputs)) outputs.set(id, Float32Array.from(values));
    machineLimit = mergeMachineLimits(machineLimit, elsewhere.machineLimit);
  }
  // Report order: the matrix's, wherever a cell ran.
  const order = new Map(all.map((c, i) => [c.id, i]));
  cells.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  if (machineLimit !== null) machineLimit.violations = findLimitViolations(machineLimit, cells);

  addOverheads(cells);
  addAgreement(cells, outputs, config);
  addSameNetworkCheck(cells, outputs);
  options.onProgress?.({ done: progress.total, total: progress.total, phase: 'done', group: '' });
  const finished = new Date();
  const results: Omit<BenchResults, 'targets'> = {
    format: 'attnkit-bench-results',
    formatVersion: 1,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: (finished.getTime() - started.getTime()) / 1000,
    config: {
      source: config.source,
      models: config.models.map((m) => m.label),
      attention: [...new Set(config.models.flatMap((m) => m.attention.map((a) => a.label)))],
      backends: usedBackends,
      inputSizes: config.inputSizes,
      batchSizes: config.batchSizes,
      threads: Object.fromEntries(usedBackends.map((b) => [b, config.threads[b]])),
      extra: config.extra.map((e) => ({ ...e, ...(e.attention ? { attention: e.attention.map((a) => a.label) } : {}) })),
      seed: config.seed,
      warmup: { ...config.warmup },
      measure: { ...config.measure },
      schedule: config.schedule,
      reference: config.reference,
    },
    schedule: describeSchedule(config, groups.length, isolated),
    environment,
    machineLimit,
    backends: statuses,
    cells,
    groups,
  };
  return { ...results, targets: evaluateTargets(results) };
}

/** Only the cells of `options.only` (a child process's share), without overheads or targets. */
export async function runBenchmarkShare(config: BenchConfig, only: { backend: BenchBackendName; threads: number }, options: RunBenchmarkOptions = {}): Promise<BenchPartial> {
  const backends = options.backends ?? createBackendTable();
  const cells = expandCells(config, backends).filter((c) => c.backend === only.backend && c.threads === only.threads);
  const reason = await backends[only.backend].availability();
  const statuses: BackendStatus[] = [{ name: only.backend, available: reason === undefined, ...(reason === undefined ? {} : { reason }) }];
  return measureCells(config, cells, backends, statuses, { done: 0, total: cells.length * 2 + 1 }, options);
}

/** Kernels of two processes' limits together; the limits and peaks recomputed over all of them. */
function mergeMachineLimits(a: MachineLimit | null, b: MachineLimit | null): MachineLimit | null {
  if (a === null || b === null) return a ?? b;
  const kernels = [...a.kernels, ...b.kernels];
  const peaks = [...a.peaks, ...b.peaks.filter((p) => !a.peaks.some((q) => q.family === p.family && q.threads === p.threads))];
  return { ...a, available: kernels.length > 0, kernels, failures: [...a.failures, ...b.failures], limits: familyLimits(kernels), peaks, violations: [] };
}

/** Measures `cells` in this process: the machine limit of their families, then group by group. */
async function measureCells(
  config: BenchConfig,
  cells: readonly BenchCell[],
  backends: Record<BenchBackendName, BenchBackend>,
  statuses: readonly BackendStatus[],
  progress: { done: number; total: number },
  options: RunBenchmarkOptions,
): Promise<BenchPartial> {
  const report = (phase: BenchProgress['phase'], group: string, cell?: string) =>
    options.onProgress?.({ done: progress.done, total: progress.total, phase, group, ...(cell ? { cell } : {}) });
  const unavailable = new Map(statuses.filter((s) => !s.available).map((s) => [s.name, s.reason as string]));

  let machineLimit: MachineLimit | null = null;
  if (config.machineLimit.enabled) {
    const families = new Map<LimitFamily, Set<number>>();
    for (const cell of cells) {
      if (unavailable.has(cell.backend)) continue;
      const family = limitFamilyOf[cell.backend];
      families.set(family, (families.get(family) ?? new Set()).add(cell.threads));
    }
    machineLimit = await measureMachineLimit(
      { families: [...families].map(([family, threads]) => ({ family, threads: [...threads].sort((x, y) => x - y) })), matMulSizes: config.machineLimit.matMulSizes, secondsPerKernel: config.machineLimit.secondsPerKernel },
      (kernel) => report('machine-limit', 'machine limit', kernel),
    );
    progress.done += 1;
  }

  const threadCounts = (backend: BenchBackendName) => new Set(cells.filter((c) => c.backend === backend).map((c) => c.threads)).size;
  const withThreads = (cell: BenchCell, label: string) => (threadCounts(cell.backend) > 1 || cell.threads !== config.threads[cell.backend][0] ? `${label}, ${cell.threads} thread${cell.threads === 1 ? '' : 's'}` : label);
  const groupKey = (cell: BenchCell) =>
    withThreads(cell, config.schedule === 'group' ? `${networkOf(cell.model, config)} on ${cell.backend}` : isTfjs(cell.backend) ? `all ${cell.backend} cells` : 'all ONNX cells');
  const groups = new Map<string, BenchCell[]>();
  for (const cell of cells) {
    const key = groupKey(cell);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }

  const source = new ModelSource();
  const inputs = new Map<string, Tensor>();
  const inputFor = (shape: number[]) => {
    const key = shape.join('x');
    let input = inputs.get(key);
    if (input === undefined) {
      input = randomTensor(shape, config.seed, 'input');
      inputs.set(key, input);
    }
    return input;
  };
  const outputs: Record<string, number[]> = {};
  const results: CellResult[] = [];
  const groupResults: GroupResult[] = [];
  // Cached weights by zoo label: a zoo model's own, also used by files that take `weightsFrom` it.
  const weightsLabel = (model: BenchModel) => (model.source.kind === 'zoo' ? model.label : model.weightsFrom?.label);
  const remainingGroupsOfWeights = new Map<string, number>();
  for (const group of groups.values()) {
    for (const label of new Set(group.map((c) => weightsLabel(c.model)))) if (label !== undefined) remainingGroupsOfWeights.set(label, (remainingGroupsOfWeights.get(label) ?? 0) + 1);
  }

  for (const [label, groupCells] of groups) {
    const groupStarted = performance.now();
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const sampleRss = () => {
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    };
    const live: LiveCell[] = [];
    for (const cell of groupCells) {
      report('prepare', label, cell.id);
      const entry: LiveCell = { cell, result: { ...emptyResult(cell), group: label }, measuredMs: 0 };
      live.push(entry);
      await prepareCell(entry, config, backends, source, unavailable, inputFor);
      sampleRss();
      if (entry.runner) {
        report('warm-up', label, cell.id);
        await warmUp(entry, config);
        sampleRss();
      }
      progress.done += entry.runner ? 1 : 2;
    }

    const active = live.filter((e) => e.runner !== undefined);
    // One untimed turn each after everyone is prepared: the last cell prepared should not be
    // the only one whose caches are warm.
    for (const entry of active) {
      await entry.runner!.activate?.();
      await entry.runner!.run(entry.input!);
    }
    const budgetDone = (entry: LiveCell) => {
      const { measure } = config;
      const n = entry.result.samplesMs.length;
      if (measure.iterations !== undefined) return n >= measure.iterations;
      return n >= measure.maxIterations || (n >= measure.minIterations && entry.measuredMs >= (measure.secondsPerCell ?? 0) * 1000);
    };
    const share = (entry: LiveCell) => {
      const { measure } = config;
      if (measure.iterations !== undefined) return entry.result.samplesMs.length / measure.iterations;
      return Math.min(1, Math.max(entry.measuredMs / ((measure.secondsPerCell ?? 1) * 1000), entry.result.samplesMs.length / measure.maxIterations));
    };
    let pending = active.filter((e) => !budgetDone(e));
    const doneBefore = progress.done;
    for (let turn = 0; pending.length > 0; turn++) {
      for (const entry of pending) {
        report('measure', label, entry.cell.id);
        try {
          await entry.runner!.activate?.();
          for (let i = 0; i < config.measure.iterationsPerRound && !budgetDone(entry); i++) {
            const t0 = performance.now();
            await entry.runner!.run(entry.input!);
            const elapsed = performance.now() - t0;
            entry.result.samplesMs.push(elapsed);
            entry.result.samplesRound.push(turn);
            entry.measuredMs += elapsed;
          }
        } catch (error) {
          fail(entry, error);
        }
        sampleRss();
      }
      pending = pending.filter((e) => e.runner !== undefined && !budgetDone(e));
      progress.done = doneBefore + active.reduce((sum, e) => sum + (e.runner ? share(e) : 1), 0);
    }
    progress.done = doneBefore + active.length;

    for (const entry of live) {
      if (entry.runner) {
        const tfjs = entry.runner.memory?.() ?? null;
        entry.result.latencyMs = summarizeLatencies(entry.result.samplesMs);
        entry.result.memory = { groupPeakRssBytes: rssPeak, tfjs: entry.result.memory?.tfjs ?? tfjs };
        await entry.runner.dispose();
        entry.runner = undefined;
      }
      if (entry.output && entry.result.status === 'ok') outputs[entry.cell.id] = Array.from(entry.output);
      results.push(entry.result);
    }
    groupResults.push({ label, cells: groupCells.length, rssBeforeBytes: rssBefore, rssPeakBytes: rssPeak, seconds: (performance.now() - groupStarted) / 1000 });
    for (const weights of new Set(groupCells.map((c) => weightsLabel(c.model)))) {
      if (weights === undefined) continue;
      const left = (remainingGroupsOfWeights.get(weights) ?? 1) - 1;
      remainingGroupsOfWeights.set(weights, left);
      if (left === 0) source.release(weights);
    }
  }

  return { cells: results, groups: groupResults, machineLimit, outputs };
}

function describeSchedule(config: BenchConfig, groups: number, isolated: ReadonlyArray<{ backend: BenchBackendName; threads: number }>): string {
  const budget =
    config.measure.iterations !== undefined
      ? `${config.measure.iterations} timed runs per cell`
      : `a time budget of ${config.measure.secondsPerCell} s of timed runs per cell (at least ${config.measure.minIterations}, at most ${config.measure.maxIterations} runs)`;
  const grouping =
    config.schedule === 'group'
      ? `${groups} groups, one per (network, backend), a file that is another export of a zoo network (a torch.onnx.export) in that network's group: a group's cells are prepared together, measured round-robin and disposed before the next group is prepared, so at most one network's variants are resident in one runtime at a time (ResNet-50 weights are ~100 MB per variant and backend). Overheads, fast-path/predict ratios and ours vs torch.onnx.export compare cells of the same group, measured interleaved`
      : `${groups} groups: all ONNX cells together, and each tfjs backend apart (tfjs has one current backend per process), every cell of a group resident at once`;
  const apart = isolated.length
    ? `; ${isolated.map((s) => `${s.backend} with ${s.threads} threads`).join(', ')} ran in a child process each (the runtime fixes its threads once per process), so those cells are interleaved with each other, not with the rest`
    : '';
  return `${grouping}${apart}; ${config.measure.iterationsPerRound} runs per cell per round-robin turn; warm-up per cell until the last ${config.warmup.window} latencies are within ${(config.warmup.stableWithin * 100).toFixed(0)}% of their median (at least ${config.warmup.minIterations}, at most ${config.warmup.maxIterations} runs or ${config.warmup.maxSeconds} s); ${budget}`;
}

function fail(entry: LiveCell, error: unknown): void {
  entry.result.status = error instanceof NotAvailableError ? 'unavailable' : 'failed';
  entry.result.reason = errorMessage(error);
  entry.result.latencyMs = null;
  void entry.runner?.dispose().catch(() => undefined);
  entry.runner = undefined;
}

async function prepareCell(
  entry: LiveCell,
  config: BenchConfig,
  backends: Record<BenchBackendName, BenchBackend>,
  source: ModelSource,
  unavailable: Map<BenchBackendName, string>,
  inputFor: (shape: number[]) => Tensor,
): Promise<void> {
  const { cell, result } = entry;
  let prepared: Awaited<ReturnType<ModelSource['resolve']>>;
  try {
    if (cell.model.unavailable) throw new NotAvailableError(cell.model.unavailable);
    prepared = await source.resolve(cell.model, cell.attention, cell.inputShape, config.seed);
    result.costs = prepared.costs ?? null;
  } catch (error) {
    return fail(entry, error instanceof NotAvailableError || !(error instanceof Error) ? error : new Error(`building ${cell.model.label} with ${cell.attention.label}: ${error.message}`));
  }
  const reason = unavailable.get(cell.backend);
  if (reason !== undefined) return fail(entry, new NotAvailableError(reason));
  const started = performance.now();
  try {
    entry.runner = await backends[cell.backend].prepare({
      model: prepared.prepared,
      attention: cell.attention.spec,
      variant: cell.variant,
      inputShape: cell.inputShape,
      seed: config.seed,
      threads: cell.threads,
    });
    result.runtime = entry.runner.info;
    const counted = entry.runner.counted;
    if (counted !== undefined) {
      if (result.costs === null) result.costs = counted.costs;
      if (counted.reason !== undefined) result.costsNote = counted.reason;
      else delete result.costsNote;
      if (cell.attention.spec !== undefined) result.insertions = counted.insertions;
    }
    entry.input = inputFor(cell.inputShape);
    await entry.runner.activate?.();
    entry.output = await entry.runner.run(entry.input);
    result.prepareSeconds = (performance.now() - started) / 1000;
    const tfjs = entry.runner.memory?.();
    if (tfjs) result.memory = { groupPeakRssBytes: 0, tfjs };
  } catch (error) {
    fail(entry, error);
  }
}

async function warmUp(entry: LiveCell, config: BenchConfig): Promise<void> {
  const { minIterations, maxIterations, maxSeconds, stableWithin, window } = config.warmup;
  const latencies: number[] = [];
  const started = performance.now();
  try {
    while (latencies.length < maxIterations && (performance.now() - started) / 1000 < maxSeconds) {
      const t0 = performance.now();
      await entry.runner!.run(entry.input!);
      latencies.push(performance.now() - t0);
      if (latencies.length >= minIterations && isStable(latencies, window, stableWithin)) break;
    }
  } catch (error) {
    return fail(entry, error);
  }
  entry.result.warmup = { iterations: latencies.length, stable: isStable(latencies, window, stableWithin), seconds: (performance.now() - started) / 1000, latenciesMs: latencies };
}

function addOverheads(results: CellResult[]): void {
  const key = (c: CellResult, attention: string) => `${c.model}\u0000${attention}\u0000${c.backend}\u0000${c.variant}\u0000${c.inputSize}\u0000${c.batchSize}\u0000${c.threads}`;
  const byKey = new Map(results.map((c) => [key(c, c.attention), c]));
  for (const cell of results) {
    if (cell.attention === 'none' || cell.status !== 'ok') continue;
    const baseline = byKey.get(key(cell, 'none'));
    if (baseline?.status !== 'ok' || baseline.samplesMs.length === 0) continue;
    cell.overhead = overheadAgainst(cell, baseline);
  }
}

/** A cell's added latency over its baseline: the median of paired per-turn ratios, the ratio of medians beside it. */
export function overheadAgainst(cell: CellResult, baseline: CellResult): NonNullable<CellResult['overhead']> {
  const { ratio, low, high, pairedRounds } = pairedRatio(cell, baseline);
  const ratioOfMedians = summarizeLatencies(cell.samplesMs).median / summarizeLatencies(baseline.samplesMs).median;
  return { baseline: baseline.id, ratio, percent: (ratio - 1) * 100, ci95Percent: [(low - 1) * 100, (high - 1) * 100], pairedRounds, ratioOfMedians };
}

/**
 * The zoo network a model belongs to, for grouping: a file filled from a zoo model's weights, or
 * another export of a zoo backbone that the config lists, joins that model's groups.
 */
export function networkOf(model: BenchModel, config: Pick<BenchConfig, 'models'>): string {
  if (model.weightsFrom !== undefined) return model.weightsFrom.label;
  if (model.sameNetworkAs !== undefined) {
    const zoo = config.models.find((m) => m.source.kind === 'zoo' && m.source.backbone === model.sameNetworkAs && Object.keys(m.source.options).length === 0);
    if (zoo !== undefined) return zoo.label;
  }
  return model.label;
}

/** Relative L2 difference below which a filled weightless graph counts as the same function. */
export const sameNetworkTolerance = 1e-5;

/**
 * A file filled from a zoo model's weights (`weightsFrom`) must compute what our emitted model
 * computes: its output against the zoo model's plain cell at the same size and batch, on the
 * same backend when that ran (the same input: randomTensor(shape, seed)).
 */
function addSameNetworkCheck(results: CellResult[], outputs: Map<string, Float32Array>): void {
  for (const cell of results) {
    if (cell.weightsFrom === undefined) continue;
    const output = outputs.get(cell.id);
    if (output === undefined) continue;
    const candidates = results.filter(
      (c) => c.model === cell.weightsFrom && c.modelSource.startsWith('zoo:') && c.attention === 'none' && c.variant !== 'predict' && c.inputSize === cell.inputSize && c.batchSize === cell.batchSize && outputs.has(c.id),
    );
    const reference = candidates.find((c) => c.backend === cell.backend) ?? candidates[0];
    if (reference === undefined) continue;
    const expected = outputs.get(reference.id)!;
    if (expected.length !== output.length) continue;
    const rel = relativeL2(output, expected);
    cell.sameNetwork = { reference: reference.id, relativeL2: rel, maxAbs: maxAbsDiff(output, expected), tolerance: sameNetworkTolerance, pass: rel < sameNetworkTolerance };
  }
}

/** Same model, attention, weights and input on every backend: compare with the reference backend. */
function addAgreement(results: CellResult[], outputs: Map<string, Float32Array>, config: BenchConfig): void {
  const key = (c: CellResult) => `${c.model}\u0000${c.attention}\u0000${c.inputSize}\u0000${c.batchSize}`;
  const order: string[] = [config.reference, ...config.models.flatMap((m) => m.backends)];
  for (const cell of results) {
    const output = outputs.get(cell.id);
    if (output === undefined) continue;
    const candidates = results.filter((c) => key(c) === key(cell) && outputs.has(c.id) && c.variant !== 'predict');
    candidates.sort((a, b) => order.indexOf(a.backend) - order.indexOf(b.backend));
    const reference = candidates[0];
    if (reference === undefined) continue;
    const expected = outputs.get(reference.id)!;
    if (expected.length !== output.length) continue;
    cell.agreement = { reference: reference.id, maxAbs: maxAbsDiff(output, expected), relativeL2: relativeL2(output, expected), outputSize: output.length };
  }
}
