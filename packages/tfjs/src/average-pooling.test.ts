import { type NetworkDefinition, randomTensor, relativeL2, runReference, traceNetwork } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';
import { toLayersModel } from './layers-model.js';
import { nchwToNhwc, testWeights } from './test-networks.js';

// conv, then timm's avg_down pool (2x2, stride 2, ceil mode), twice: 5x7 -> 3x4 clips the last
// row and column; 3x4 -> 2x2 clips the last row only.
const network: NetworkDefinition = {
  name: 'conv-avgpool',
  defaultInputShape: [2, 3, 5, 7],
  forward: (scope, x) => {
    const pool = (v: typeof x) => scope.ops.avgPool2d(v, { kernel: [2, 2], stride: [2, 2], ceilMode: true });
    return scope.ops.flatten(pool(pool(scope.conv2d('conv', x, { outChannels: 4, kernel: 3, padding: 1 }))));
  },
};

describe('avgPool2d in a LayersModel', () => {
  it('uses the ceil-mode layer where windows are clipped, equals the reference, and survives model.json', async () => {
    await useBackend('cpu');
    const graph = traceNetwork(network);
    const weights = testWeights(graph);
    const model = toLayersModel(graph, weights);
    expect(model.layers.map((layer) => layer.getClassName()).filter((name) => name.includes('Pooling'))).toEqual([
      'AttnkitCeilAveragePooling2D',
      'AttnkitCeilAveragePooling2D',
    ]);
    const input = randomTensor([2, 3, 5, 7], 4);
    const [expected] = runReference(network, weights, input);
    const x = nchwToNhwc(input);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 16]);
    expect(relativeL2(await y.data(), expected.data)).toBeLessThan(1e-6);

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const again = reloaded.predict(x) as tf.Tensor;
    expect(relativeL2(await again.data(), expected.data)).toBeLessThan(1e-6);
    tf.dispose([x, y, again]);
    model.dispose();
    reloaded.dispose();
  });
});
