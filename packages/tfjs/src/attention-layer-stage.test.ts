import '@attnkit/eca';
import type { AttentionSpec } from '@attnkit/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttentionLayer } from './attention-layer.js';
import { useBackend } from './backends.js';

/**
 * A per-stage kernel list needs the layer's stage to pick its k: [3, 5, 5, 7] at stage 2 is 5.
 * Saved and reloaded into a fresh model (through JSON, not by comparing a config with itself),
 * the layer must come back with its stage and the same k and weights.
 */
describe('AttentionLayer with a stage and a per-stage kernel list survives save and reload', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each([
    [0, 3],
    [2, 5],
    [3, 7],
  ])('stage %i of [3, 5, 5, 7] -> k = %i after a round trip through model.json', async (stage, k) => {
    const spec: AttentionSpec = { type: 'eca', kernelSize: [3, 5, 5, 7] };
    const input = tfl.input({ shape: [4, 4, 32] });
    const layer = new AttentionLayer({ attention: spec, stage, seed: 9 });
    const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    expect(layer.kernelSize).toBe(k);

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const topology = JSON.parse(JSON.stringify(saved?.modelTopology)) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    expect(topology.config.layers[1].config.stage).toBe(stage);

    const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const reloadedLayer = reloaded.layers[1] as AttentionLayer;
    expect(reloadedLayer.stage).toBe(stage);
    expect(reloadedLayer.kernelSize).toBe(k);
    const x = tf.randomUniform([1, 4, 4, 32], -1, 1, 'float32', 4);
    const [a, b] = [model.predict(x) as tf.Tensor, reloaded.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    reloaded.dispose();
  });
});
