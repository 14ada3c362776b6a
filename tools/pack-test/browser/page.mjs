/**
 * A browser app importing every public attnkit package, as the bundle test builds it from the
 * installed tarballs. It computes PAPER.md's RNG-free ECA check on tfjs's cpu backend (x = sin(0.1 i)
 * over the NCHW flat index, w = [0.2, -0.5, 0.3]) and a few exact counts; Node checks the values.
 */
import { attentionNetwork, countCosts, createAttention, initializeWeights, tensor, traceNetwork } from '@attnkit/core';
import '@attnkit/eca';
import '@attnkit/se';
import '@attnkit/cbam';
import { decodeModel, emitModel, encodeModel } from '@attnkit/onnx';
import { AttentionLayer, setCanonicalWeights, useBackend } from '@attnkit/tfjs';
import { createBackbone } from '@attnkit/zoo';
import * as tf from '@tensorflow/tfjs-core';

export default async function run() {
  const backend = await useBackend('cpu', { importBackend: () => import('@tensorflow/tfjs-backend-cpu') });
  const shape = [2, 64, 7, 7];
  const x = tf.transpose(tf.tensor4d(Float32Array.from({ length: 2 * 64 * 49 }, (_, i) => Math.sin(0.1 * i)), shape), [0, 2, 3, 1]);
  const eca = new AttentionLayer({ attention: { type: 'eca', kernelSize: 3 }, name: 'eca' });
  eca.apply(x); // builds the layer
  setCanonicalWeights(eca, new Map([['conv.weight', tensor([1, 1, 3], [0.2, -0.5, 0.3])]]));
  const y = tf.transpose(eca.apply(x), [0, 3, 1, 2]);
  const ecaFirst8 = Array.from((await y.data()).subarray(0, 8));

  const resnet50Eca = countCosts(traceNetwork(createBackbone('resnet50', { attention: 'eca' }))).parameters;
  const seGraph = traceNetwork(attentionNetwork('se', 64, [1, 64, 7, 7]));
  const onnx = decodeModel(encodeModel(emitModel(seGraph, initializeWeights(seGraph, 0))));
  return {
    backend,
    ecaFirst8,
    resnet50Eca,
    cbamParameters: createAttention('cbam', 64).parameterCount,
    onnxOpsets: onnx.opsetImports,
  };
}
