/**
 * Runs in Chromium (bundled by tools/browser/run-in-browser.mjs): every registered module alone
 * and four zoo networks as LayersModels on tfjs's webgl backend, through `predict` and through
 * `compileInference`, plus the tensor count around 100 predictions and a dispose. Outputs come
 * back NCHW (flattened) for the Node side to compare with core's reference interpreter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { compileInference, toLayersModel, useBackend } from '../../src/index.js';
import { nchwToNhwc } from '../../src/test-networks.js';
import { caseGraph, caseInput, caseWeights, webglCases } from './networks-webgl.cases.js';

const toNchw = (y: tf.Tensor): tf.Tensor => (y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y);

export default async function run() {
  const report = await useBackend('webgl', { importBackend: () => import('@tensorflow/tfjs-backend-webgl') });
  const gl = { float32: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'), version: tf.env().getNumber('WEBGL_VERSION') };
  const outputs: Record<string, { predict: Float32Array; fast: Float32Array }> = {};
  for (const c of webglCases()) {
    const graph = caseGraph(c);
    const model = toLayersModel(graph, caseWeights(graph));
    const infer = compileInference(model);
    const x = nchwToNhwc(caseInput(c));
    const predict = tf.tidy(() => toNchw(model.predict(x) as tf.Tensor));
    const fast = tf.tidy(() => toNchw(infer(x)));
    outputs[c.name] = { predict: (await predict.data()) as Float32Array, fast: (await fast.data()) as Float32Array };
    tf.dispose([predict, fast, x]);
    infer.dispose();
    model.dispose();
  }

  // Tensor count around 100 predictions and a dispose (ResNet-18 + ECA).
  const [zoo] = webglCases().filter((c) => c.name.startsWith('resnet18 width 8 + eca'));
  const start = tf.memory().numTensors;
  const graph = caseGraph(zoo);
  const model = toLayersModel(graph, caseWeights(graph));
  const withModel = tf.memory().numTensors;
  const x = nchwToNhwc(caseInput(zoo));
  for (let i = 0; i < 100; i++) {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  }
  const after100 = tf.memory().numTensors;
  x.dispose();
  model.dispose();
  return { report, gl, outputs, memory: { start, withModel, after100WithInput: after100, afterDispose: tf.memory().numTensors } };
}
