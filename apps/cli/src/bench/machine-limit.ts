import { readFileSync } from 'node:fs';
import { randomTensor } from '@attnkit/core';
import { errorMessage } from './bench-backend.js';
import { loadOnnx } from './backends/package-apis.js';
import { tfjsRuntime } from './backends/tfjs-backend.js';
import { quantile } from './latency-statistics.js';
import { type KernelRate, type LimitFamily, type MachineLimit, type TheoreticalPeak, familyLimits } from './machine-limit-model.js';

export * from './machine-limit-model.js';

export interface MachineLimitOptions {
  /** Families to measure with the thread counts each is measured at. */
  families: ReadonlyArray<{ family: LimitFamily; threads: readonly number[] }>;
  matMulSizes: readonly number[];
  secondsPerKernel: number;
}

export const machineLimitMethod =
  'the fastest run of several fp32 kernels per runtime family and thread count (onnxruntime: MatMul at each size and a 1x1 Conv, which onnxruntime-node runs in its NCHWc layout; tfjs: matMul and 1x1 / 3x3 conv2d), the highest rate of a family as its limit';

type Timed = () => Promise<void>;

async function timeKernel(run: Timed, seconds: number): Promise<number[]> {
  for (let i = 0; i < 2; i++) await run();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (latencies.length < 3 || (performance.now() < deadline && latencies.length < 2000)) {
    const started = performance.now();
    await run();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

interface KernelSpec {
  kernel: string;
  macs: number;
  /** Builds the kernel; returns its run and its disposal. */
  build(): Promise<{ run: Timed; dispose(): Promise<void> }>;
}

function onnxKernels(runtime: 'onnxruntime-node' | 'onnxruntime-web', threads: number, matMulSizes: readonly number[]): KernelSpec[] {
  const session = async (nodes: unknown[], input: [string, number[]], output: [string, number[]], weight: [string, number[]]) => {
    const onnx = await loadOnnx();
    if (onnx.api === undefined) throw new Error(onnx.reason);
    const api = onnx.api;
    const [weightName, weightDims] = weight;
    const model = api.createModel({
      graph: api.createGraph({
        name: 'kernel',
        nodes,
        inputs: [api.valueInfo(input[0], input[1])],
        outputs: [api.valueInfo(output[0], output[1])],
        initializers: [api.tensorFromFloat32(weightName, weightDims, randomTensor(weightDims, 0, 'limit-weight').data)],
      }),
    });
    const runner = await api.createRunner({ runtime, threads });
    const loaded = await runner.load(api.encodeModel(model));
    const feeds = { [input[0]]: { dims: input[1], data: randomTensor(input[1], 0, 'limit-input').data } };
    return { run: async () => void (await loaded.run(feeds)), dispose: () => loaded.dispose() };
  };
  const node = async (op: string, inputs: string[], outputs: string[]) => {
    const onnx = await loadOnnx();
    if (onnx.api === undefined) throw new Error(onnx.reason);
    return onnx.api.createNode(op, inputs, outputs);
  };
  const specs: KernelSpec[] = matMulSizes.map((n) => ({
    kernel: `MatMul ${n}x${n}x${n}`,
    macs: n ** 3,
    build: async () => session([await node('MatMul', ['A', 'B'], ['C'])], ['A', [n, n]], ['C', [n, n]], ['B', [n, n]]),
  }));
  // ResNet-50's widest 1x1 convolution shape (stage 1 expand, 56 x 56): onnxruntime-node runs
  // it in its blocked NCHWc layout, as it runs the networks.
  const [inC, outC, side] = [256, 1024, 56];
  specs.push({
    kernel: `Conv 1x1 ${inC}->${outC} at ${side}x${side}${runtime === 'onnxruntime-node' ? ' (NCHWc)' : ''}`,
    macs: inC * outC * side * side,
    build: async () => session([await node('Conv', ['X', 'W'], ['Y'])], ['X', [1, inC, side, side]], ['Y', [1, outC, side, side]], ['W', [outC, inC, 1, 1]]),
  });
  return specs;
}

function tfjsKernels(backend: 'wasm' | 'cpu', threads: number, matMulSizes: readonly number[]): KernelSpec[] {
  const tensors = async (shapes: number[][]) => {
    const { tf } = await tfjsRuntime(backend, threads);
    await tf.setBackend(backend);
    return { tf, values: shapes.map((shape, i) => tf.tensor(randomTensor(shape, 0, `limit-${i}`).data, shape)) };
  };
  const timed = (tf: typeof import('@tensorflow/tfjs-core'), values: import('@tensorflow/tfjs-core').Tensor[], op: () => import('@tensorflow/tfjs-core').Tensor) => ({
    run: async () => {
      const y = op();
      await y.data();
      y.dispose();
    },
    dispose: async () => {
      tf.dispose(values);
    },
  });
  // The cpu backend is plain JavaScript: the largest size would take seconds per run.
  const sizes = backend === 'cpu' ? matMulSizes.filter((n) => n <= 256) : matMulSizes.filter((n) => n <= 1024);
  const specs: KernelSpec[] = sizes.map((n) => ({
    kernel: `matMul ${n}x${n}x${n}`,
    macs: n ** 3,
    build: async () => {
      const { tf, values } = await tensors([
        [n, n],
        [n, n],
      ]);
      return timed(tf, values, () => tf.matMul(values[0] as import('@tensorflow/tfjs-core').Tensor2D, values[1] as import('@tensorflow/tfjs-core').Tensor2D));
    },
  }));
  if (backend === 'cpu') return specs;
  for (const [kernel, channels, side] of [
    [1, 512, 28],
    [3, 128, 56],
  ] as const) {
    specs.push({
      kernel: `conv2d ${kernel}x${kernel} ${channels}->${channels} at ${side}x${side} (NHWC)`,
      macs: kernel * kernel * channels * channels * side * side,
      build: async () => {
        const { tf, values } = await tensors([
          [1, side, side, channels],
          [kernel, kernel, channels, channels],
        ]);
        return timed(tf, values, () => tf.conv2d(values[0] as import('@tensorflow/tfjs-core').Tensor4D, values[1] as import('@tensorflow/tfjs-core').Tensor4D, 1, 'same'));
      },
    });
  }
  return specs;
}

function kernelsOf(family: LimitFamily, threads: number, matMulSizes: readonly number[]): KernelSpec[] {
  switch (family) {
    case 'onnxruntime native':
      return onnxKernels('onnxruntime-node', threads, matMulSizes);
    case 'onnxruntime wasm':
      return onnxKernels('onnxruntime-web', threads, matMulSizes);
    case 'tfjs wasm':
      return tfjsKernels('wasm', threads, matMulSizes);
    case 'tfjs cpu':
      return tfjsKernels('cpu', threads, matMulSizes);
  }
}

/** Times every family's kernels at every thread count asked for; the limit is the fastest. */
export async function measureMachineLimit(options: MachineLimitOptions, onKernel?: (label: string) => void): Promise<MachineLimit> {
  const kernels: KernelRate[] = [];
  const failures: MachineLimit['failures'] = [];
  for (const { family, threads: threadCounts } of options.families) {
    for (const threads of threadCounts) {
      for (const spec of kernelsOf(family, threads, options.matMulSizes)) {
        onKernel?.(`${family}, ${threads} thread${threads === 1 ? '' : 's'}: ${spec.kernel}`);
        try {
          const built = await spec.build();
          try {
            const latencies = (await timeKernel(built.run, options.secondsPerKernel)).sort((a, b) => a - b);
            const fastest = latencies[0];
            const median = quantile(latencies, 0.5);
            kernels.push({
              family,
              kernel: spec.kernel,
              threads,
              macs: spec.macs,
              samples: latencies.length,
              fastestMilliseconds: fastest,
              medianMilliseconds: median,
              macsPerSecond: spec.macs / (fastest / 1000),
              medianMacsPerSecond: spec.macs / (median / 1000),
            });
          } finally {
            await built.dispose();
          }
        } catch (error) {
          failures.push({ family, kernel: spec.kernel, threads, reason: errorMessage(error) });
        }
      }
    }
  }
  const result: MachineLimit = {
    available: kernels.length > 0,
    method: machineLimitMethod,
    kernels,
    failures,
    limits: familyLimits(kernels),
    peaks: theoreticalPeaks(options.families, readCpuInfo()),
    violations: [],
  };
  if (!result.available) result.reason = failures.length ? failures.map((f) => `${f.family} ${f.kernel}: ${f.reason}`).join('; ') : 'no family was asked for';
  return result;
}

export interface CpuInfo {
  flags: Set<string>;
  /** The clock the kernel reports (`cpu MHz`), in GHz; null when unknown. */
  clockGHz: number | null;
}

function readCpuInfo(): CpuInfo {
  try {
    return parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return { flags: new Set(), clockGHz: null };
  }
}

export function parseCpuInfo(text: string): CpuInfo {
  const lines = text.split('\n');
  const flagsLine = lines.find((l) => /^(flags|Features)\s*:/.test(l)) ?? '';
  const mhz = lines.find((l) => /^cpu MHz\s*:/.test(l));
  const clock = mhz === undefined ? Number.NaN : Number(mhz.split(':')[1]);
  return { flags: new Set(flagsLine.split(':')[1]?.trim().split(/\s+/) ?? []), clockGHz: Number.isFinite(clock) && clock > 0 ? clock / 1000 : null };
}

/** FMA units per core are not in the CPU flags: current x86 and Arm server cores have two. */
export const assumedFmaUnits = 2;

/**
 * Theoretical fp32 MAC rates: vector lanes x FMA units x clock x threads (one thread per core).
 * Native code uses the widest vectors the flags list (AVX-512: 16 lanes, AVX/AVX2: 8, SSE/NEON:
 * 4; without FMA a MAC takes two instructions); WebAssembly SIMD is 128 bits wide (4 lanes)
 * whatever the CPU. An estimate: the clock is what the kernel reports, which boost can exceed.
 */
export function theoreticalPeaks(families: MachineLimitOptions['families'], cpu: CpuInfo): TheoreticalPeak[] {
  if (cpu.clockGHz === null) return [];
  const { flags, clockGHz } = cpu;
  const native = flags.has('avx512f') ? { lanes: 16, isa: 'AVX-512' } : flags.has('avx2') || flags.has('avx') ? { lanes: 8, isa: flags.has('avx2') ? 'AVX2' : 'AVX' } : flags.has('asimd') || flags.has('neon') ? { lanes: 4, isa: 'NEON' } : flags.has('sse2') ? { lanes: 4, isa: 'SSE' } : undefined;
  const fused = flags.has('fma') || flags.has('avx512f') || flags.has('asimd');
  const peaks: TheoreticalPeak[] = [];
  for (const { family, threads: threadCounts } of families) {
    const wasm = family !== 'onnxruntime native';
    if (family === 'tfjs cpu') continue;
    if (!wasm && native === undefined) continue;
    const lanes = wasm ? 4 : native!.lanes;
    const perCycle = (lanes * assumedFmaUnits) / (fused ? 1 : 2);
    for (const threads of threadCounts) {
      const isa = wasm ? 'WebAssembly SIMD (128-bit)' : native!.isa;
      peaks.push({
        family,
        threads,
        macsPerSecond: perCycle * clockGHz * 1e9 * threads,
        derivation: `estimate: ${lanes} fp32 lanes (${isa}) x ${assumedFmaUnits} FMA units (assumed)${fused ? '' : ' / 2 (no FMA: multiply and add apart)'} x ${clockGHz.toFixed(2)} GHz (cpu MHz in /proc/cpuinfo; boost can exceed it) x ${threads} core${threads === 1 ? '' : 's'}`,
      });
    }
  }
  return peaks;
}
