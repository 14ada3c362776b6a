import '../test/all-modules.js';
import { type AttentionSpec, attentionNetwork, type NetworkDefinition, initializeWeights, isAttnkitError, randomTensor, relativeL2, runReference, traceNetwork } from '@attnkit/core';
import { createBackbone } from '@attnkit/zoo';
import { beforeAll, describe, expect, test } from 'vitest';
import { BANDED_MAX_CHANNELS, emitModel, emitNetwork } from './emit-model.js';
import { encodeModel } from './model-codec.js';
import type { OnnxModel } from './onnx-model.js';
import { type Runner, createRunner } from './session-runner.js';
import { tensorToFloat32 } from './tensor-data.js';

let runner: Runner;
beforeAll(async () => {
  runner = await createRunner({ runtime: 'onnxruntime-node', threads: 1 });
});

async function run(model: OnnxModel, input: { shape: readonly number[]; data: Float32Array }): Promise<Float32Array> {
  const session = await runner.load(encodeModel(model));
  try {
    const outputs = await session.run({ [session.inputNames[0]]: { dims: [...input.shape], data: input.data } });
    return outputs[session.outputNames[0]].data;
  } finally {
    await session.dispose();
  }
}

describe("channelConv: 'banded'", () => {
  // Shared and per-channel taps, zero and circular ends, k = 1 and a k that wraps the vector.
  test.each<[string, AttentionSpec, number]>([
    ['eca k = 5', { type: 'eca', kernelSize: 5 }, 24],
    ['eca k = 1', { type: 'eca', kernelSize: 1 }, 16],
    ['ceca k = 7 (circular)', { type: 'ceca', kernelSize: 7 }, 6],
    ['eca-ns k = 5 (per-channel taps)', { type: 'eca-ns', kernelSize: 5 }, 12],
  ])('%s equals the reference, with one 1x1 Conv in place of Reshape / 1 x k Conv / Reshape', async (label, spec, channels) => {
    const shape = [2, channels, 5, 7];
    const network = attentionNetwork(spec, channels, shape);
    const graph = traceNetwork(network);
    const weights = initializeWeights(graph, 5);
    const input = randomTensor(shape, 9);
    const expected = runReference(network, weights, input)[0];
    const banded = emitNetwork(network, weights, { channelConv: 'banded' });
    expect(banded.functions).toBeUndefined();
    const convs = banded.graph.nodes.filter((n) => n.opType === 'Conv');
    expect(convs).toHaveLength(1);
    const band = banded.graph.initializers.find((t) => t.name === convs[0].inputs[1])!;
    expect(band.dims.map(Number)).toEqual([channels, channels, 1, 1]);
    // Every row of the band holds exactly the module's taps (k of them, or fewer at zero ends).
    const k = weights.get(graph.params.find((p) => p.name.endsWith('conv.weight'))!.name)!.shape[2];
    const b = tensorToFloat32(band);
    const taps = weights.get(graph.params.find((p) => p.name.endsWith('conv.weight'))!.name)!.data;
    const rowSums = Array.from({ length: channels }, (_, i) => b.slice(i * channels, (i + 1) * channels).reduce((s, v) => s + v, 0));
    const half = (k - 1) / 2;
    for (let i = 0; i < channels; i++) {
      let sum = 0;
      for (let t = 0; t < k; t++) {
        const j = i + t - half;
        if (label.includes('circular') === false && (j < 0 || j >= channels)) continue;
        sum += taps[(taps.length === k ? 0 : i * k) + t];
      }
      expect(rowSums[i]).toBeCloseTo(sum, 6);
    }
    expect(relativeL2(await run(banded, input), expected.data)).toBeLessThan(1e-5);
  }, 60_000);

  test('MobileNetV2 + ECA: every module banded, logits equal to the 1 x k form to 1e-5, 3 fewer nodes per module', async () => {
    const network = createBackbone('mobilenet_v2', { attention: 'eca', numClasses: 10, widthMultiplier: 0.5 });
    const graph = traceNetwork(network, [1, 3, 64, 64]);
    const weights = initializeWeights(graph, 2);
    const input = randomTensor([1, 3, 64, 64], 4);
    const conv = emitModel(graph, weights, { inlineFunctions: true }, network.metadata);
    const banded = emitModel(graph, weights, { channelConv: 'banded' }, network.metadata);
    const modules = graph.attention.length;
    expect(modules).toBe(17);
    expect(banded.graph.initializers.filter((t) => t.name.endsWith('.banded_weight'))).toHaveLength(modules);
    expect(banded.graph.initializers.some((t) => t.name.endsWith('eca.conv.weight'))).toBe(false);
    // Per module: the Reshape of the vector, the Reshape of the taps, and the Reshape back are gone.
    expect(conv.graph.nodes.length - banded.graph.nodes.length).toBe(3 * modules);
    expect(relativeL2(await run(banded, input), await run(conv, input))).toBeLessThan(1e-5);
  }, 120_000);

  test(`modules wider than ${BANDED_MAX_CHANNELS} channels keep the 1 x k Conv and the PyTorch weight`, () => {
    const channels = BANDED_MAX_CHANNELS * 2;
    const network = attentionNetwork({ type: 'eca', kernelSize: 3 }, channels, [1, channels, 2, 2]);
    const graph = traceNetwork(network);
    const model = emitNetwork(network, initializeWeights(graph, 1), { channelConv: 'banded' });
    expect(model.graph.initializers.map((t) => t.name)).toContain(graph.params.find((p) => p.name.endsWith('conv.weight'))!.name);
    expect(model.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.attributes.find((a) => a.name === 'kernel_shape')).map((a) => (a && 'value' in a ? a.value : undefined))).toEqual([[1, 3]]);
  });

  test('an unknown channelConv is INVALID_OPTION', () => {
    const network = attentionNetwork({ type: 'eca', kernelSize: 3 }, 8, [1, 8, 2, 2]);
    const graph = traceNetwork(network);
    const weights = initializeWeights(graph, 1);
    let error: unknown;
    try {
      emitModel(graph, weights, { channelConv: 'dense' as 'conv' });
    } catch (e) {
      error = e;
    }
    expect(isAttnkitError(error, 'INVALID_OPTION')).toBe(true);
    expect(String((error as Error).message)).toMatch(/channelConv is 'dense'; expected 'conv' \(default\) or 'banded'/);
    expect((error as { details: unknown }).details).toEqual({ path: 'channelConv' });
  });

  test(`a module of exactly ${BANDED_MAX_CHANNELS} channels is banded: one 1x1 Conv`, () => {
    const network = attentionNetwork({ type: 'eca', kernelSize: 3 }, BANDED_MAX_CHANNELS, [1, BANDED_MAX_CHANNELS, 1, 1]);
    const model = emitNetwork(network, initializeWeights(traceNetwork(network), 1), { channelConv: 'banded' });
    const convs = model.graph.nodes.filter((n) => n.opType === 'Conv');
    expect(convs.map((n) => n.attributes)).toEqual([[{ name: 'kernel_shape', type: 'ints', value: [1, 1] }]]);
    expect(model.graph.initializers.find((t) => t.name === convs[0].inputs[1])?.dims.map(Number)).toEqual([BANDED_MAX_CHANNELS, BANDED_MAX_CHANNELS, 1, 1]);
  });

  test('SE (no channel conv) is unchanged by banded: no band, values as the reference', async () => {
    const network = attentionNetwork('se', 16, [1, 16, 3, 3]);
    const weights = initializeWeights(traceNetwork(network), 3);
    const input = randomTensor([1, 16, 3, 3], 4);
    const banded = emitNetwork(network, weights, { channelConv: 'banded' });
    expect(banded.graph.initializers.filter((t) => t.name.endsWith('banded_weight'))).toEqual([]);
    expect(relativeL2(await run(banded, input), runReference(network, weights, input)[0].data)).toBeLessThan(1e-5);
  });

  test('a channel conv whose weight is computed (not a parameter) keeps the 1 x k form, with the same values', async () => {
    // weight = relu(w): the band would need the computed value.
    const network: NetworkDefinition = {
      name: 'computed-weight',
      defaultInputShape: [1, 6, 1, 1],
      forward: (scope, x) => {
        const w = scope.param({ name: 'w', shape: [1, 1, 3], layout: 'conv1d', trainable: true, init: { kind: 'uniform', bound: 1 } });
        return scope.ops.channelConv1d(x, scope.ops.relu(w), 'zeros');
      },
    };
    const weights = new Map([['w', { shape: [1, 1, 3], data: Float32Array.of(0.5, -1, 2) }]]);
    const banded = emitNetwork(network, weights, { channelConv: 'banded' });
    expect(banded.graph.initializers.filter((t) => t.name.endsWith('banded_weight'))).toEqual([]);
    // taps relu(w) = [0.5, 0, 2]: z_i = 0.5 v_(i-1) + 2 v_(i+1) with zero ends; v = 1..6 -> 4, 6.5, 9, 11.5, 14, 2.5.
    const input = { shape: [1, 6, 1, 1], data: Float32Array.of(1, 2, 3, 4, 5, 6) };
    expect(Array.from(await run(banded, input))).toEqual([4, 6.5, 9, 11.5, 14, 2.5]);
  });
});
