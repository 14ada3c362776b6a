import { randomTensor } from '@attnkit/core';
import { errorMessage } from './bench-backend.js';
import { loadOnnx } from './backends/package-apis.js';
import { summarizeLatencies } from './latency-statistics.js';

/** The fp32 matrix-multiply rate of this machine, as onnxruntime-node reaches it. */
export interface MachineLimit {
  available: boolean;
  reason?: string;
  method: string;
  /** M = K = N. */
  size: number;
  threads: number;
  medianMilliseconds?: number;
  samples?: number;
  /** Multiply-accumulates per second (median run). */
  macsPerSecond?: number;
}

/**
 * Times C = A x B with A, B of [size, size] float32 in onnxruntime-node for `seconds`. The model
 * is built with @attnkit/onnx's protobuf helpers. A large square MatMul is the best case of the
 * GEMM kernels that convolutions lower to, so a network at this rate is at the machine's limit.
 */
export async function measureMachineLimit(options: { size: number; seconds: number; threads: number }): Promise<MachineLimit> {
  const { size, seconds, threads } = options;
  const method = `median time of an fp32 MatMul [${size}, ${size}] x [${size}, ${size}] on onnxruntime-node (${threads} threads), ${size}^3 MACs per run`;
  const onnx = await loadOnnx();
  if (onnx.api === undefined) return { available: false, reason: onnx.reason, method, size, threads };
  const api = onnx.api;
  try {
    const b = randomTensor([size, size], 0, 'matmul-b');
    const model = api.createModel({
      graph: api.createGraph({
        name: 'matmul',
        nodes: [api.createNode('MatMul', ['A', 'B'], ['C'])],
        inputs: [api.valueInfo('A', [size, size])],
        outputs: [api.valueInfo('C', [size, size])],
        initializers: [api.tensorFromFloat32('B', [size, size], b.data)],
      }),
    });
    const runner = await api.createRunner({ runtime: 'onnxruntime-node', threads });
    const session = await runner.load(api.encodeModel(model));
    const a = randomTensor([size, size], 0, 'matmul-a');
    const feeds = { A: { dims: [size, size], data: a.data } };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    const latencies: number[] = [];
    const deadline = performance.now() + seconds * 1000;
    while (latencies.length < 5 || (performance.now() < deadline && latencies.length < 1000)) {
      const started = performance.now();
      await session.run(feeds);
      latencies.push(performance.now() - started);
    }
    await session.dispose();
    const summary = summarizeLatencies(latencies);
    return { available: true, method, size, threads, medianMilliseconds: summary.median, samples: summary.samples, macsPerSecond: size ** 3 / (summary.median / 1000) };
  } catch (error) {
    return { available: false, reason: errorMessage(error), method, size, threads };
  }
}
