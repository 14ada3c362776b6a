import { readFile } from 'node:fs/promises';
import { AttnkitError, ErrorCodes, type Tensor } from '@attnkit/core';
import type { OnnxModel } from '@attnkit/onnx';
import { type BenchBackend, type FileCounts, NotAvailableError, type PrepareRequest, type PreparedRunner, errorMessage } from '../bench-backend.js';
import type { InsertionEntry as OnnxInsertionEntry } from '@attnkit/onnx';
import { channelConvFor } from '../../onnx-emit-options.js';
import { onnxFileCosts } from '../file-costs.js';
import { fillInitializers, isWeightless } from '../weightless-graph.js';
import {
  type OnnxApi,
  type OnnxEmitter,
  type OnnxInserter,
  findExport,
  loadOnnx,
  onnxEmitterNames,
  onnxInserterNames,
} from './package-apis.js';

type Runtime = 'onnxruntime-node' | 'onnxruntime-web';

/**
 * onnx-node (onnxruntime-node, native) and onnx-wasm (onnxruntime-web's WebAssembly build in
 * Node). Zoo models are emitted from core's graph IR by @attnkit/onnx; model files are loaded
 * as they are, with attention inserted by @attnkit/onnx's insertion.
 */
export function createOnnxBackend(name: 'onnx-node' | 'onnx-wasm'): BenchBackend {
  const runtime: Runtime = name === 'onnx-node' ? 'onnxruntime-node' : 'onnxruntime-web';
  const runners = new Map<number, ReturnType<OnnxApi['createRunner']>>();
  const runnerFor = (api: OnnxApi, threads: number) => {
    let runner = runners.get(threads);
    if (runner === undefined) {
      runner = api.createRunner({ runtime, threads });
      runners.set(threads, runner);
    }
    return runner;
  };
  return {
    name,
    variants: ['default'],
    threadsFixedPerProcess: runtime === 'onnxruntime-web',
    async availability() {
      const loaded = await loadOnnx();
      if (loaded.api === undefined) return loaded.reason;
      try {
        await runnerFor(loaded.api, 1);
        return undefined;
      } catch (error) {
        return `${runtime} does not load: ${(error as Error).message}`;
      }
    },
    async prepare(request: PrepareRequest): Promise<PreparedRunner> {
      const loaded = await loadOnnx();
      if (loaded.api === undefined) throw new NotAvailableError(loaded.reason);
      const api = loaded.api;
      const { bytes, counted } = await modelBytes(api, request, runtime);
      const runner = await runnerFor(api, request.threads);
      const session = await runner.load(bytes);
      const info = session.info();
      const inputName = session.inputNames[0];
      const outputName = session.outputNames[0];
      return {
        info: {
          runtime: info.runtime,
          version: info.version,
          threads: info.threads,
          simd: info.simd,
          notes: [`execution providers: ${info.executionProviders.join(', ')}`, `session created in ${info.loadMilliseconds.toFixed(0)} ms`, `model ${(bytes.length / 1024 ** 2).toFixed(1)} MiB`, ...(runtime === 'onnxruntime-node' && request.model.kind === 'graph' ? ['channel convs of the ECA family banded (1x1 Conv) where C <= 320'] : [])],
        },
        ...(counted ? { counted } : {}),
        async run(input: Tensor) {
          const outputs = await session.run({ [inputName]: { dims: [...input.shape], data: input.data } });
          return outputs[outputName].data;
        },
        dispose: () => session.dispose(),
      };
    },
  };
}

async function modelBytes(api: OnnxApi, request: PrepareRequest, runtime: Runtime): Promise<{ bytes: Uint8Array; counted?: FileCounts }> {
  const { model } = request;
  if (model.kind === 'graph') {
    const emit = findExport<OnnxEmitter>(api, onnxEmitterNames);
    if (emit === undefined) throw new NotAvailableError(`@attnkit/onnx has no emitter from core's graph IR yet (looked for ${onnxEmitterNames.join(', ')})`);
    return { bytes: toBytes(api, await emit(model.graph, model.weights, { channelConv: channelConvFor(runtime) })) };
  }
  if (model.format !== 'onnx') throw new NotAvailableError(`a ${model.format} model file does not run on ONNX backends`);
  let bytes: Uint8Array = new Uint8Array(await readFile(model.path));
  const decoded = api.decodeModel(bytes) as OnnxModel;
  if (model.weightsFrom !== undefined) {
    // Fill the file's initializers from the emitted zoo model: the same folded weights (and the
    // same emitter call) as that model's own cells.
    const emit = findExport<OnnxEmitter>(api, onnxEmitterNames);
    if (emit === undefined) throw new NotAvailableError(`@attnkit/onnx has no emitter from core's graph IR yet (looked for ${onnxEmitterNames.join(', ')})`);
    const ours = toModel(api, await emit(model.weightsFrom.graph, model.weightsFrom.weights));
    const fileName = model.path.split(/[\\/]/).pop();
    bytes = api.encodeModel(fillInitializers(decoded, ours, { target: fileName ?? model.path, source: `the emitted ${model.weightsFrom.label}` }).model);
  } else if (isWeightless(decoded)) {
    throw new AttnkitError(
      ErrorCodes.WEIGHTS_MISMATCH,
      `${model.path} is a weightless graph (its initializers were stripped); give the config entry "weightsFrom": "<a zoo model>" to fill them with that model's emitted weights`,
    );
  }
  if (request.attention === undefined) return { bytes, counted: count(api, decoded, request, []) };
  const insert = findExport<OnnxInserter>(api, onnxInserterNames);
  if (insert === undefined) throw new NotAvailableError(`@attnkit/onnx has no insertion into .onnx models yet (looked for ${onnxInserterNames.join(', ')})`);
  const after = model.insertAt === 'residual' ? 'residual' : Array.isArray(model.insertAt) ? model.insertAt : [model.insertAt];
  const result = await insert(bytes, { attention: request.attention, at: after, seed: request.seed });
  const inserted = result !== null && typeof result === 'object' && 'model' in result ? (result as { model: unknown }).model : result;
  const report = result !== null && typeof result === 'object' && Array.isArray((result as { report?: unknown }).report) ? (result as { report: OnnxInsertionEntry[] }).report : undefined;
  return { bytes: toBytes(api, inserted), counted: report ? count(api, decoded, request, report) : { costs: null, insertions: [], reason: 'the insertion returned no report' } };
}

/** The file's own counts (the plain model; initializer dims only, so a weightless graph counts too) plus the inserted modules. */
function count(api: OnnxApi, plain: OnnxModel, request: PrepareRequest, report: OnnxInsertionEntry[]): FileCounts {
  const insertions = report.map((e) => ({ point: e.node, module: e.name, tensor: e.tensor, channels: e.channels, ...(e.kernelSize === undefined ? {} : { kernelSize: e.kernelSize }), parameters: e.parameters, macs: 0, flops: 0, shape: [] }));
  if (typeof api.inferShapes !== 'function') return { costs: null, insertions, reason: '@attnkit/onnx does not export inferShapes' };
  const inferShapes = api.inferShapes;
  try {
    return onnxFileCosts(plain, request.inputShape, (graph) => inferShapes(graph), request.attention, report);
  } catch (error) {
    return { costs: null, insertions, reason: `not counted: ${errorMessage(error)}` };
  }
}

/** The plain model object of what an emitter gave. */
function toModel(api: OnnxApi, emitted: unknown): OnnxModel {
  if (emitted instanceof Uint8Array) return api.decodeModel(emitted) as OnnxModel;
  if (emitted !== null && typeof emitted === 'object' && 'bytes' in emitted && (emitted as { bytes: unknown }).bytes instanceof Uint8Array) return api.decodeModel((emitted as { bytes: Uint8Array }).bytes) as OnnxModel;
  if (emitted !== null && typeof emitted === 'object' && 'model' in emitted) return (emitted as { model: OnnxModel }).model;
  return emitted as OnnxModel;
}

/** Emitters may give bytes or the package's plain model object. */
function toBytes(api: OnnxApi, model: unknown): Uint8Array {
  if (model instanceof Uint8Array) return model;
  if (model !== null && typeof model === 'object' && 'bytes' in model && (model as { bytes: unknown }).bytes instanceof Uint8Array) return (model as { bytes: Uint8Array }).bytes;
  if (model !== null && typeof model === 'object' && 'model' in model) return api.encodeModel((model as { model: unknown }).model);
  return api.encodeModel(model);
}
