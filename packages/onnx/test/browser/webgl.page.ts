/**
 * Runs in Chromium (bundled by tools/browser/run-in-browser.mjs): onnxruntime-web's WebGL
 * backend (from `onnxruntime-web/all`) through our runner, on ECA emitted two ways:
 *   - as emitted by default (an `ai.attnkit` function, the expanded gate): WebGL cannot load it;
 *     the page returns our runner's error;
 *   - with `{ inlineFunctions: true, gateMul: 'broadcast' }`: loads and runs.
 * Plus PyTorch's own export of ResNet-18 (width 8) and its logits, to show what WebGL computes
 * on this machine's GL. The Node side asserts what loads, the error and the shapes; see there
 * for why values are reported, not asserted.
 */
import { attentionNetwork, initializeWeights, randomTensor, relativeL2, runReference, traceNetwork } from '@attnkit/core';
import '@attnkit/eca';
import * as ort from 'onnxruntime-web/all';
import { emitModel, type EmitOptions } from '../../src/emit-model.js';
import { encodeModel } from '../../src/model-codec.js';
import { createRunner } from '../../src/session-runner.js';

const shape = [1, 64, 8, 8];

export default async function run() {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2');
  const debug = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl && debug ? String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : null;
  const runner = await createRunner({ runtime: 'onnxruntime-web', executionProviders: ['webgl'], wasmPaths: '/ort/', importRuntime: { 'onnxruntime-web': async () => ort } });

  const network = attentionNetwork({ type: 'eca', kernelSize: 3 }, 64, shape);
  const graph = traceNetwork(network, shape);
  const weights = initializeWeights(graph, 0);
  const x = randomTensor(shape, 1);
  const [reference] = runReference(network, weights, x);
  const attempt = async (options: EmitOptions) => {
    try {
      const session = await runner.load(encodeModel(emitModel(graph, weights, options)));
      const outputs = await session.run({ input: { dims: shape, data: x.data } });
      const y = outputs.output;
      return { loaded: true as const, dims: [...y.dims], info: session.info(), relativeL2: relativeL2(y.data as Float32Array, reference.data) };
    } catch (error) {
      const e = error as Error & { code?: string };
      return { loaded: false as const, code: e.code, message: e.message };
    }
  };
  const byDefault = await attempt({});
  const portable = await attempt({ inlineFunctions: true, gateMul: 'broadcast' });

  const exported = new Uint8Array(await (await fetch('/fixtures/onnx/resnet18_w8.onnx')).arrayBuffer());
  const golden = (await (await fetch('/fixtures/onnx/resnet18_w8.json')).json()) as Record<string, { shape: number[]; data: number[] }>;
  const session = await runner.load(exported);
  const logits = (await session.run({ input: { dims: golden.input.shape, data: Float32Array.from(golden.input.data) } })).logits;
  return {
    renderer,
    byDefault,
    portable,
    torchExport: { dims: [...logits.dims], relativeL2: relativeL2(logits.data as Float32Array, golden.plainLogits.data) },
  };
}
