/**
 * Runs in Chromium (bundled by tools/browser/run-in-browser.mjs): the ECA and CBAM layers of
 * attention-stack.ts in a functional tf.model on the backend the test asks for, then a save /
 * load round trip through the standard browser handlers. Returns NCHW outputs for the Node side
 * to compare with the reference interpreter.
 *
 * `loadFrom` names models another page saved earlier in the same browser profile: loading them
 * here, in a fresh JS realm on another backend, shows the stored artifacts are self-contained.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AttentionLayer, type BackendName, getCanonicalWeights, setCanonicalWeights, useBackend } from '../../src/index.js';
import { canonicalValues, nchwToNhwc } from '../../src/test-networks.js';
import { moduleWeights, stackCase, stackInput, stackWeights } from './attention-stack.js';

export interface LayersPageArgs {
  backend: BackendName;
  /** Where to save this page's model (`indexeddb://...`, `localstorage://...`). */
  saveTo: string[];
  /** Models saved by an earlier page, to load and run here. */
  loadFrom: string[];
}

/** Literal imports the bundler follows, as a browser app passes them to useBackend. */
const backendImports: Record<BackendName, () => Promise<unknown>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
};

export default async function run({ backend, saveTo, loadFrom }: LayersPageArgs) {
  setWasmPaths('/tfjs-wasm/');
  const report = await useBackend(backend, { importBackend: backendImports[backend] });
  const [, channels, height, width] = stackCase.inputShape;

  const input = tfl.input({ shape: [height, width, channels], name: 'x' });
  const eca = new AttentionLayer({ attention: stackCase.eca, name: 'eca' });
  const cbam = new AttentionLayer({ attention: stackCase.cbam, name: 'cbam' });
  const output = cbam.apply(eca.apply(input)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output, name: 'eca_cbam' });
  const weights = stackWeights();
  setCanonicalWeights(eca, moduleWeights(weights, 'eca'));
  setCanonicalWeights(cbam, moduleWeights(weights, 'cbam'));

  const x = nchwToNhwc(stackInput());
  const predict = async (m: tfl.LayersModel) => {
    const y = m.predict(x) as tf.Tensor;
    const values = await canonicalValues(y);
    const shape = [...y.shape];
    y.dispose();
    return { shape, values };
  };
  const y = await predict(model);

  const saved: Record<string, { outputs: number[] | Float32Array; layerClasses: string[]; attention: unknown[]; weightsEqual: boolean }> = {};
  const describeModel = async (m: tfl.LayersModel) => {
    const attention = m.layers.filter((layer): layer is AttentionLayer => layer instanceof AttentionLayer);
    const weightsEqual = attention.every((layer) => {
      const original = layer.name === 'eca' ? eca : cbam;
      const mine = getCanonicalWeights(original);
      const theirs = getCanonicalWeights(layer);
      return [...mine].every(([name, value]) => {
        const other = theirs.get(name);
        return other?.data.every((v, i) => v === value.data[i]) === true;
      });
    });
    return {
      outputs: (await predict(m)).values,
      layerClasses: m.layers.map((layer) => layer.getClassName()),
      attention: attention.map((layer) => ({ name: layer.name, attention: layer.attention, kernelSize: layer.kernelSize ?? null, parameterCount: layer.parameterCount })),
      weightsEqual,
    };
  };
  for (const url of saveTo) {
    await model.save(url);
    const loaded = await tfl.loadLayersModel(url);
    saved[url] = await describeModel(loaded);
    loaded.dispose();
  }
  const loadedFromEarlier: Record<string, number[] | Float32Array> = {};
  for (const url of loadFrom) {
    const loaded = await tfl.loadLayersModel(url);
    loadedFromEarlier[url] = (await predict(loaded)).values;
    loaded.dispose();
  }
  const stored = { indexeddb: await tf.io.listModels() };

  x.dispose();
  model.dispose();
  return {
    report,
    activeBackend: tf.getBackend(),
    kernelSizes: { eca: eca.kernelSize, cbam: cbam.kernelSize ?? null },
    parameterCounts: { eca: eca.parameterCount, cbam: cbam.parameterCount },
    y,
    saved,
    loadedFromEarlier,
    storedModels: Object.keys(stored.indexeddb),
  };
}
