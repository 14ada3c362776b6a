import { AttnkitError, ErrorCodes, isAttnkitError, randomTensor, type Tensor } from '@attnkit/core';
import { readRegularFile } from '@attnkit/core/node';
import { createRunner, decodeModel, emitModel, encodeModel } from '@attnkit/onnx';
import { channelConvFor } from '../onnx-emit-options.js';
import { compileInference, toLayersModel, useBackend } from '@attnkit/tfjs';
import { fileSystem } from '@attnkit/tfjs/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Command } from 'commander';
import { isStable, quantile } from '../bench/latency-statistics.js';
import { imageToInput } from '../image-input.js';
import { parseInteger, printJson, runCommand } from '../cli-support.js';
import { readOnnxFile } from '../onnx-file.js';
import { type NetworkArguments, buildNetwork, parseInputSize, parseSeed, withNetworkOptions } from '../zoo-network.js';

export interface RunArguments extends NetworkArguments {
  backend?: string;
  input?: string;
  iterations?: string;
  json?: boolean;
}

/** What `attnkit run --json` prints. `output` is batch 1, flat, in canonical (NCHW) order. */
export interface RunResult {
  backend: string;
  outputShape: number[];
  output: number[];
  latencyMs: { median: number; p90: number };
  /** Untimed runs before timing, until latencies settled (`stable`) or the cap was reached. */
  warmup: { runs: number; stable: boolean };
}

/** What to run: a zoo backbone by name, or a model file that keeps its own weights. */
export type Target = { kind: 'backbone'; name: string } | { kind: 'file'; path: string };

/** A loaded model on one backend: canonical NCHW tensor in, canonical values out. */
export interface Runner {
  /** The canonical input shape `[1, C, H, W]` the model takes. */
  inputShape: number[];
  run(input: Tensor): Promise<{ shape: number[]; data: Float32Array }>;
  dispose(): void;
}

export interface RunBackend {
  description: string;
  load(target: Target, args: RunArguments): Promise<Runner>;
}

/** tfjs: a zoo LayersModel (or a loaded model.json) run through compileInference, NHWC inside. */
function tfjsBackend(name: 'cpu' | 'wasm'): RunBackend {
  return {
    description: `TensorFlow.js, ${name} backend (fused inference)`,
    async load(target, args) {
      await useBackend(name);
      let model: tfl.LayersModel;
      if (target.kind === 'file') {
        model = await loadLayersModelFile(target.path);
      } else {
        const network = await buildNetwork(target.name, args);
        model = toLayersModel(network.graph, network.weights);
      }
      if (model.inputs[0].shape.length !== 4) {
        model.dispose();
        throw new AttnkitError(ErrorCodes.UNSUPPORTED, `run takes image models with a 4-D [N, H, W, C] input; ${target.kind === 'file' ? target.path : target.name} takes [${model.inputs[0].shape.join(', ')}]`, {});
      }
      const [, height, width, channels] = model.inputs[0].shape;
      if (height === null || width === null || channels === null) {
        throw new AttnkitError(ErrorCodes.UNSUPPORTED, `run needs a model with a fixed input size; ${target.kind === 'file' ? target.path : target.name} takes [${model.inputs[0].shape.join(', ')}]`, {});
      }
      const infer = compileInference(model);
      return {
        inputShape: [1, channels, height, width],
        async run(input) {
          const y = tf.tidy(() => {
            const x = tf.transpose(tf.tensor4d(input.data, input.shape as [number, number, number, number]), [0, 2, 3, 1]) as tf.Tensor4D;
            const out = infer(x);
            // Back to canonical NCHW so outputs compare number by number across runtimes.
            return out.rank === 4 ? tf.transpose(out, [0, 3, 1, 2]) : out;
          });
          const data = (await y.data()) as Float32Array;
          const shape = [...y.shape];
          y.dispose();
          return { shape, data };
        },
        dispose() {
          infer.dispose();
          model.dispose();
        },
      };
    },
  };
}

/** A tfjs model.json through the contained file-system loader; tfjs's own errors (unknown layer class, a missing weight) wrapped with the file. */
async function loadLayersModelFile(path: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(fileSystem(path));
  } catch (error) {
    if (isAttnkitError(error)) throw error;
    throw new AttnkitError(
      ErrorCodes.INVALID_FILE,
      `TensorFlow.js could not load the model ${path}: ${(error as Error).message}; expected a tfjs LayersModel (model.json + weight shards) whose layers tfjs and attnkit register and whose weights match its layers`,
      { path, reason: (error as Error).message },
    );
  }
}

/** ONNX: a .onnx file, or a zoo backbone emitted by @attnkit/onnx, on onnxruntime-node or -web (wasm). */
function onnxBackend(runtime: 'onnxruntime-node' | 'onnxruntime-web'): RunBackend {
  return {
    description: `ONNX Runtime, ${runtime === 'onnxruntime-node' ? 'onnxruntime-node (native CPU)' : 'onnxruntime-web (WebAssembly)'}`,
    async load(target, args) {
      let bytes: Uint8Array;
      if (target.kind === 'file') {
        // External data inside the model's folder is read and embedded; the runtime gets one buffer.
        const file = await readOnnxFile(target.path);
        bytes = file.bytes ?? encodeModel(file.model);
      } else {
        const network = await buildNetwork(target.name, args);
        bytes = encodeModel(emitModel(network.graph, network.weights, { channelConv: channelConvFor(runtime) }, network.backbone.metadata));
      }
      const input = decodeModel(bytes).graph.inputs[0];
      // A symbolic batch dim (torch.onnx.export's dynamic_axes) is bound to the batch run runs: 1.
      const dims = input.type?.kind === 'tensor' ? input.type.shape?.map((d, axis) => (axis === 0 && typeof d !== 'number' ? 1 : d)) : undefined;
      if (!dims || dims.some((d) => typeof d !== 'number')) {
        throw new AttnkitError(ErrorCodes.UNSUPPORTED, `run needs a model with a fixed input size; input '${input.name}' is [${(dims ?? []).join(', ')}]`, {});
      }
      const what = target.kind === 'file' ? target.path : `the emitted ${target.name}`;
      const session = await (await createRunner({ runtime }))
        .load(bytes)
        .catch((error: unknown) => {
          // onnxruntime's reason is kept; the file it was loading is added.
          if (isAttnkitError(error)) throw new AttnkitError(error.code, `${what}: ${error.message}`, { ...error.details, path: what });
          throw error;
        });
      return {
        inputShape: dims as number[],
        async run(x) {
          const outputs = await session.run({ [session.inputNames[0]]: { dims: [...x.shape], data: x.data } });
          const { dims: shape, data } = outputs[session.outputNames[0]];
          return { shape, data };
        },
        dispose() {
          void session.dispose();
        },
      };
    },
  };
}

/** One entry per `--backend`; ONNX runtimes join this table. */
export const BACKENDS: Record<string, RunBackend> = {
  'tfjs-cpu': tfjsBackend('cpu'),
  'tfjs-wasm': tfjsBackend('wasm'),
  'onnx-node': onnxBackend('onnxruntime-node'),
  'onnx-wasm': onnxBackend('onnxruntime-web'),
};

/**
 * Runs a backbone or model file once per iteration on a seeded input. The same `--seed` gives
 * the same weights (core's initializeWeights) and the same input (core's randomTensor) on every
 * backend; a model file keeps its weights and takes only the input from the seed.
 */
export async function runModel(targetArgument: string, args: RunArguments): Promise<RunResult> {
  const backendName = args.backend ?? 'tfjs-cpu';
  const backend = BACKENDS[backendName];
  if (backend === undefined) {
    const allowed = Object.keys(BACKENDS);
    throw new AttnkitError(ErrorCodes.INVALID_OPTION, `--backend ${backendName} is not available; backends: ${allowed.join(', ')}`, { path: '--backend', value: backendName, allowed });
  }
  const inputKind = args.input ?? 'random';
  const image = inputKind === 'random' ? undefined : await readInputFile(inputKind);
  const iterations = args.iterations === undefined ? 10 : parseInteger('--iterations', args.iterations);
  const seed = parseSeed(args.seed);
  parseInputSize(args.inputSize);
  const target: Target = /\.(json|onnx)$/.test(targetArgument) ? { kind: 'file', path: targetArgument } : { kind: 'backbone', name: targetArgument };
  const runner = await backend.load(target, args);
  try {
    const input = image === undefined ? randomTensor(runner.inputShape, seed) : imageBatch(image, runner.inputShape, inputKind);
    const first = await runner.run(input);
    const warmup = await warmUp(() => runner.run(input));
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await runner.run(input);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return {
      backend: backendName,
      outputShape: first.shape,
      output: Array.from(first.data.subarray(0, first.data.length / first.shape[0])),
      latencyMs: { median: Number(quantile(times, 0.5).toFixed(3)), p90: Number(quantile(times, 0.9).toFixed(3)) },
      warmup,
    };
  } finally {
    runner.dispose();
  }
}

async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(path, { what: '--input' });
  } catch (error) {
    if (!isAttnkitError(error)) throw error;
    throw new AttnkitError(error.code, `${error.message}; give 'random' or the path of a .jpg or .png image`, { ...error.details, path: '--input', value: path });
  }
}

/** The image, preprocessed for the model's input shape, repeated over its batch. */
function imageBatch(png: Uint8Array, shape: readonly number[], source: string): Tensor {
  const [batch, channels, height, width] = shape;
  if (channels !== 3) {
    throw new AttnkitError(ErrorCodes.SHAPE_MISMATCH, `--input ${source}: the model takes ${channels} input channels; an image gives 3 (RGB)`, { shape });
  }
  const one = imageToInput(png, height, width, source);
  const data = new Float32Array(batch * one.data.length);
  for (let n = 0; n < batch; n++) data.set(one.data, n * one.data.length);
  return { shape: [...shape], data };
}

/**
 * Untimed runs until the runtime has settled (onnxruntime-web compiles its wasm in the
 * background; tfjs uploads weights and builds kernels on first calls): the bench's rule, the
 * last 3 latencies within 10% of their median, at most 30 runs or 20 s.
 */
async function warmUp(run: () => Promise<unknown>): Promise<{ runs: number; stable: boolean }> {
  const latencies: number[] = [];
  const started = performance.now();
  while (latencies.length < 30 && performance.now() - started < 20_000) {
    const start = performance.now();
    await run();
    latencies.push(performance.now() - start);
    if (isStable(latencies, 3, 0.1)) break;
  }
  return { runs: latencies.length, stable: isStable(latencies, 3, 0.1) };
}

export function registerRunCommand(program: Command): void {
  withNetworkOptions(
    program
      .command('run')
      .description('run a zoo backbone or a model file on one backend: output values and latency')
      .argument('<target>', 'a backbone (resnet18 ... mobilenet_v2), a tfjs model.json or a .onnx file'),
  )
    .option('--backend <backend>', `runtime: ${Object.keys(BACKENDS).join(', ')}`, 'tfjs-cpu')
    .option('--seed <n>', 'seed of the weights (backbones) and of the random input', '0')
    .option('--input <input>', "'random' (seeded U(-1, 1)) or a .jpg / .png image (torchvision's eval resize and centre crop, ImageNet-normalized)", 'random')
    .option('--iterations <n>', 'timed runs after warm-up (untimed runs until latencies settle)', '10')
    .option('--json', 'print JSON only')
    .action((target: string, options: RunArguments) =>
      runCommand(async () => {
        const result = await runModel(target, options);
        if (options.json) return printJson(result);
        const preview = result.output.slice(0, 5).map((v) => v.toFixed(5)).join(', ');
        process.stdout.write(
          `${result.backend}: output [${result.outputShape.join(', ')}] = [${preview}${result.output.length > 5 ? ', ...' : ''}]\nlatency median ${result.latencyMs.median} ms, p90 ${result.latencyMs.p90} ms\n`,
        );
      }),
    );
}
