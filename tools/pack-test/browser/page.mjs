/**
 * A browser app importing every public attnkit package, as the bundle test builds it from the
 * installed tarballs. It computes docs/paper.md's RNG-free ECA check on tfjs's cpu backend (x = sin(0.1 i)
 * over the NCHW flat index, w = [0.2, -0.5, 0.3]) and a few exact counts; Node checks the values.
 */
import { attentionNetwork, countCosts, createAttention, initializeWeights, listAttention, tensor, traceNetwork } from '@attnkit/core';
import '@attnkit/bam';
import '@attnkit/cbam';
import '@attnkit/coordatt';
import '@attnkit/eca';
import '@attnkit/ecam';
import '@attnkit/ese';
import '@attnkit/gc';
import '@attnkit/gct';
import '@attnkit/ge';
import '@attnkit/lcbam';
import '@attnkit/se';
import '@attnkit/simam';
import { IMAGENET_LABELS, topClasses } from '@attnkit/image';
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
    modules: listAttention().map((d) => d.id),
    // softmax([0, ln 3, 0]): class 1 with probability 3/5.
    top1: topClasses([0, Math.log(3), 0], 1, IMAGENET_LABELS).map((c) => ({ ...c, probability: Math.round(c.probability * 1e6) / 1e6 })),
  };
}
