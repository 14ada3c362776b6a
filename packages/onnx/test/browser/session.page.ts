/**
 * Runs in Chromium (bundled by tools/browser/run-in-browser.mjs): onnxruntime-web on the wasm
 * execution provider with the thread count the test asks for, over three models:
 *   - the hand-built conv/relu/Scale-function/pool model of src/test-models.ts;
 *   - ECA written by hand with the model builders (session-cases.ts), built in the page;
 *   - the same ECA and ResNet-18 (width 8) + ECA, emitted by the package's emitter in the page;
 *   - the PyTorch export tools/golden/fixtures/onnx/resnet18_w8.onnx (served under /fixtures/),
 *     as fetched and after a decode/encode round trip through our codec in the browser.
 * Returns outputs and session info; the Node side compares them with its references.
 */
import { decodeModel, encodeModel } from '../../src/model-codec.js';
import { createRunner, type OnnxSession, type RunnerTensor } from '../../src/session-runner.js';
import { buildConvReluPoolModel, convReluPoolInput } from '../../src/test-models.js';
import { buildHandBuiltEcaModel, checksum, ecaInput, emitEcaModel, emitZooModel, zooInput } from './session-cases.js';

export interface SessionPageArgs {
  threads: number;
}

export default async function run({ threads }: SessionPageArgs) {
  const runner = await createRunner({
    runtime: 'onnxruntime-web',
    threads,
    wasmPaths: '/ort/',
    importRuntime: { 'onnxruntime-web': () => import('onnxruntime-web') },
  });
  const sessions: OnnxSession[] = [];
  const runModel = async (bytes: Uint8Array, inputs: Record<string, RunnerTensor>) => {
    const session = await runner.load(bytes);
    sessions.push(session);
    const outputs = await session.run(inputs);
    return { outputs, info: session.info() };
  };
  const timings: Record<string, number> = {};
  let last = performance.now();
  const mark = (step: string) => {
    const now = performance.now();
    timings[step] = Math.round(now - last);
    last = now;
  };
  try {
    const convReluPool = await runModel(encodeModel(buildConvReluPoolModel()), { x: convReluPoolInput });

    mark('convReluPool (includes starting the wasm runtime)');
    const eca = buildHandBuiltEcaModel();
    const x = ecaInput();
    const ecaRun = await runModel(eca.bytes, { x: { dims: [...x.shape], data: x.data } });

    mark('hand-built ECA');
    const emittedEcaBytes = emitEcaModel();
    const emittedEca = await runModel(emittedEcaBytes, { input: { dims: [...x.shape], data: x.data } });
    mark('emitted ECA');
    const zooBytes = emitZooModel();
    mark('emit ResNet-18 + ECA');
    const z = zooInput();
    const zoo = await runModel(zooBytes, { input: { dims: [...z.shape], data: z.data } });

    mark('run ResNet-18 + ECA');
    const response = await fetch('/fixtures/onnx/resnet18_w8.onnx');
    if (!response.ok) throw new Error(`GET /fixtures/onnx/resnet18_w8.onnx: ${response.status}`);
    const exported = new Uint8Array(await response.arrayBuffer());
    const golden = (await (await fetch('/fixtures/onnx/resnet18_w8.json')).json()) as { input: { shape: number[]; data: number[] } };
    const networkInput = { input: { dims: golden.input.shape, data: Float32Array.from(golden.input.data) } };
    const network = await runModel(exported, networkInput);
    const reencoded = await runModel(encodeModel(decodeModel(exported)), networkInput);

    mark('PyTorch ResNet-18 export, as fetched and re-encoded');
    return {
      timings,
      runner: { runtime: runner.runtime, version: runner.version },
      hardwareConcurrency: navigator.hardwareConcurrency,
      convReluPool: { y: convReluPool.outputs.y, info: convReluPool.info },
      eca: {
        kernelSize: eca.kernelSize,
        modelChecksum: checksum(eca.bytes),
        modelBytes: eca.bytes.length,
        inputChecksum: checksum(new Uint8Array(x.data.buffer)),
        y: ecaRun.outputs.y,
        info: ecaRun.info,
      },
      emittedEca: { modelChecksum: checksum(emittedEcaBytes), y: emittedEca.outputs.output, info: emittedEca.info },
      emittedZoo: { modelChecksum: checksum(zooBytes), logits: zoo.outputs.output, info: zoo.info },
      network: {
        bytes: exported.length,
        logits: network.outputs.logits,
        reencodedLogits: reencoded.outputs.logits,
        info: network.info,
      },
    };
  } finally {
    for (const session of sessions) await session.dispose();
  }
}
