import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

/** The machine and runtimes a result belongs to. */
export interface BenchEnvironment {
  cpuModel: string;
  logicalCores: number;
  /** SIMD instruction sets the CPU reports (x86: sse4_2, avx, avx2, fma, avx512f). */
  cpuSimd: string[];
  totalMemoryBytes: number;
  os: string;
  node: string;
  v8: string;
  /** Versions of the runtime packages, as installed. */
  runtimes: Record<string, string>;
  /** 1-minute load average when the run started: other processes on the machine skew latencies. */
  loadAverageAtStart: number;
}

const simdFlags = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'neon', 'asimd'];

function cpuFlags(): string[] {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l)) ?? '';
    const flags = new Set(line.split(':')[1]?.trim().split(/\s+/) ?? []);
    return simdFlags.filter((f) => flags.has(f));
  } catch {
    return [];
  }
}

async function packageVersion(name: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const { existsSync } = await import('node:fs');
  const require = createRequire(import.meta.url);
  try {
    // Some packages (onnxruntime-web) do not export their package.json: walk up from the entry.
    let directory = dirname(require.resolve(name));
    while (!existsSync(join(directory, 'package.json')) || (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
      const parent = dirname(directory);
      if (parent === directory) return 'unknown';
      directory = parent;
    }
    return (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export async function describeEnvironment(): Promise<BenchEnvironment> {
  const list = cpus();
  const names = ['onnxruntime-node', 'onnxruntime-web', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'];
  const runtimes: Record<string, string> = {};
  for (const name of names) runtimes[name] = await packageVersion(name);
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    logicalCores: list.length,
    cpuSimd: cpuFlags(),
    totalMemoryBytes: totalmem(),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.versions.node,
    v8: process.versions.v8,
    runtimes,
    loadAverageAtStart: loadavg()[0],
  };
}
