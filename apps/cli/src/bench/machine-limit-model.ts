import type { BenchBackendName } from './bench-config.js';

/**
 * The fastest fp32 multiply-accumulate rate each runtime family reaches on this machine: native
 * code and WebAssembly SIMD have different ceilings, and so do runtimes with their own kernels.
 */
export type LimitFamily = 'onnxruntime native' | 'onnxruntime wasm' | 'tfjs wasm' | 'tfjs cpu';

export const limitFamilyOf: Record<BenchBackendName, LimitFamily> = {
  'onnx-node': 'onnxruntime native',
  'onnx-wasm': 'onnxruntime wasm',
  'tfjs-wasm': 'tfjs wasm',
  'tfjs-cpu': 'tfjs cpu',
};

/** One timed kernel. Its rate is that of its fastest run: a bound must not be lowered by noise. */
export interface KernelRate {
  family: LimitFamily;
  kernel: string;
  threads: number;
  macs: number;
  samples: number;
  fastestMilliseconds: number;
  medianMilliseconds: number;
  /** macs / fastest run. */
  macsPerSecond: number;
  /** macs / median run, for comparison. */
  medianMacsPerSecond: number;
}

/** The limit of a family at a thread count: its fastest kernel. */
export interface FamilyLimit {
  family: LimitFamily;
  threads: number;
  macsPerSecond: number;
  kernel: string;
}

/** A theoretical peak from the CPU's flags and clock; an estimate, never a measurement. */
export interface TheoreticalPeak {
  family: LimitFamily;
  threads: number;
  macsPerSecond: number;
  derivation: string;
}

/** A cell whose median ran faster than its family's limit: the limit is then not a limit. */
export interface LimitViolation {
  cell: string;
  family: LimitFamily;
  threads: number;
  macsPerSecond: number;
  limitMacsPerSecond: number;
}

export interface MachineLimit {
  available: boolean;
  reason?: string;
  method: string;
  kernels: KernelRate[];
  /** Kernels that could not run, and why. */
  failures: Array<{ family: LimitFamily; kernel: string; threads: number; reason: string }>;
  limits: FamilyLimit[];
  peaks: TheoreticalPeak[];
  /** Filled after the cells ran (see findLimitViolations). */
  violations: LimitViolation[];
}

/** The fastest kernel of each (family, threads). */
export function familyLimits(kernels: readonly KernelRate[]): FamilyLimit[] {
  const best = new Map<string, FamilyLimit>();
  for (const k of kernels) {
    const key = `${k.family}\u0000${k.threads}`;
    const current = best.get(key);
    if (current === undefined || k.macsPerSecond > current.macsPerSecond) best.set(key, { family: k.family, threads: k.threads, macsPerSecond: k.macsPerSecond, kernel: k.kernel });
  }
  return [...best.values()];
}

/**
 * The limit a cell is held to: its family's at its thread count; without a measurement at that
 * count, the family's highest at any count.
 */
export function limitFor(limit: Pick<MachineLimit, 'limits'>, family: LimitFamily, threads: number): FamilyLimit | undefined {
  const same = limit.limits.find((l) => l.family === family && l.threads === threads);
  if (same !== undefined) return same;
  return limit.limits.filter((l) => l.family === family).sort((a, b) => b.macsPerSecond - a.macsPerSecond)[0];
}

/** Cells that ran faster (MACs / median latency) than the limit they are held to. */
export function findLimitViolations(
  limit: Pick<MachineLimit, 'limits'>,
  cells: ReadonlyArray<{ id: string; backend: BenchBackendName; threads: number; status: string; costs: { macs: number } | null; latencyMs: { median: number } | null }>,
): LimitViolation[] {
  const violations: LimitViolation[] = [];
  for (const cell of cells) {
    if (cell.status !== 'ok' || cell.costs === null || cell.latencyMs === null) continue;
    const family = limitFamilyOf[cell.backend];
    const bound = limitFor(limit, family, cell.threads);
    if (bound === undefined) continue;
    const rate = cell.costs.macs / (cell.latencyMs.median / 1000);
    if (rate > bound.macsPerSecond) violations.push({ cell: cell.id, family, threads: cell.threads, macsPerSecond: rate, limitMacsPerSecond: bound.macsPerSecond });
  }
  return violations;
}
