/** The page's version of the CLI's `environment.ts`: what a browser says about its machine. */
import type { BenchEnvironment } from '../../../cli/src/bench/environment.js';
import { runtimeVersions } from '../runtime-versions.js';

export type { BenchEnvironment } from '../../../cli/src/bench/environment.js';

export async function describeEnvironment(): Promise<BenchEnvironment> {
  const memory = (navigator as { deviceMemory?: number }).deviceMemory;
  return {
    cpuModel: 'unknown (browsers do not report it)',
    logicalCores: navigator.hardwareConcurrency ?? 0,
    cpuSimd: typeof WebAssembly.validate === 'function' ? ['wasm-simd128'] : [],
    totalMemoryBytes: memory === undefined ? 0 : memory * 1024 ** 3,
    os: navigator.userAgent,
    node: 'none (browser)',
    v8: /Chrome\/([\d.]+)/.exec(navigator.userAgent)?.[1] ?? 'unknown',
    runtimes: { ...runtimeVersions },
    loadAverageAtStart: 0,
  };
}
