import '@attnkit/eca';
import '@attnkit/se';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initializeWeights, type Tensor, traceNetwork } from '@attnkit/core';
import { thrownAttnkitError as thrown } from '@attnkit/tools/test-errors';
import { describe, expect, test } from 'vitest';
import { emitModel } from './emit-model.js';
import { insertAttention } from './insert-attention.js';
import type { OnnxModel } from './onnx-model.js';

const dir = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx', import.meta.url));
const resnet = new Uint8Array(readFileSync(`${dir}/resnet18_w8.onnx`));
const kernel = (values: number[]): Tensor => ({ shape: [1, 1, values.length], data: Float32Array.from(values) });
const metadata = (model: OnnxModel) => Object.fromEntries((model.metadataProps ?? []).map((e) => [e.key, e.value]));

describe('insertAttention options', () => {
  test('anything but a model or its bytes is INVALID_FILE; options that are not an object are INVALID_OPTION', () => {
    expect(thrown(() => insertAttention({} as OnnxModel, { attention: 'eca', at: 'residual' })).code).toBe('INVALID_FILE');
    const options = thrown(() => insertAttention(resnet, null as never));
    expect(options.code).toBe('INVALID_OPTION');
    expect(options.message).toBe('insertAttention needs options { attention, at }');
  });

  test('an empty `at` is UNKNOWN_INSERTION_POINT; `at` that is not a list of names is INVALID_OPTION', () => {
    const empty = thrown(() => insertAttention(resnet, { attention: 'eca', at: [] }));
    expect(empty.code).toBe('UNKNOWN_INSERTION_POINT');
    expect(empty.message).toBe('`at` lists no names');
    expect(empty.details).toEqual({ at: [] });
    const numbers = thrown(() => insertAttention(resnet, { attention: 'eca', at: [3] as unknown as string[] }));
    expect(numbers.code).toBe('INVALID_OPTION');
    expect(numbers.details).toEqual({ path: 'at' });
    expect(thrown(() => insertAttention(resnet, { attention: 'eca', at: 'everywhere' as 'residual' })).code).toBe('INVALID_OPTION');
  });

  test('a model without a residual Add: residual is UNKNOWN_INSERTION_POINT saying to name tensors', () => {
    const plain = traceNetwork({ name: 'plain', defaultInputShape: [1, 2, 4, 4], forward: (scope, x) => scope.ops.relu(scope.conv2d('conv', x, { outChannels: 2, kernel: 1 })) });
    const error = thrown(() => insertAttention(emitModel(plain, initializeWeights(plain)), { attention: 'eca', at: 'residual' }));
    expect(error.code).toBe('UNKNOWN_INSERTION_POINT');
    expect(error.message).toBe('the model has no residual Add of two 4-D tensors; give tensor or node names in `at`');
    expect(error.details).toEqual({ at: 'residual' });
  });
});

describe('insertAttention weights', () => {
  test('a weight of the wrong shape is WEIGHTS_MISMATCH with the expected and the given shape', () => {
    const error = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer1/layer1.0/Add'], weights: new Map([['layer1.0.eca.conv.weight', { shape: [3], data: new Float32Array(3) }]]) }));
    expect(error.code).toBe('WEIGHTS_MISMATCH');
    expect(error.message).toBe("'layer1.0.eca.conv.weight' has shape [3] but the module needs [1, 1, 3]");
    expect(error.details).toEqual({ name: 'layer1.0.eca.conv.weight', expected: [1, 1, 3], actual: [3] });
  });

  test('a missing weight names both keys it looked for and the nearest keys', () => {
    const error = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer1/layer1.0/Add'], weights: new Map([['layer1.0.eca.conv.wieght', kernel([1, 2, 3])]]) }));
    expect(error.message).toBe("the weights have no 'layer1.0.eca.conv.weight' or '/layer1/layer1.0/Add.conv.weight' [1, 1, 3]; nearest keys: layer1.0.eca.conv.wieght");
    expect(error.details).toEqual({ name: 'layer1.0.eca.conv.weight', nearest: ['layer1.0.eca.conv.wieght'] });
    const empty = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer1/layer1.0/Add'], weights: new Map() }));
    expect(empty.message).toMatch(/nearest keys: \(the map is empty\)$/);
  });

  test('unused keys: the message lists at most 10 and what the modules read', () => {
    const weights = new Map([['layer1.0.eca.conv.weight', kernel([1, 2, 3])], ...Array.from({ length: 12 }, (_, i) => [`extra${i}`, kernel([0])] as [string, Tensor])]);
    const error = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer1/layer1.0/Add'], weights }));
    expect(error.code).toBe('WEIGHTS_MISMATCH');
    expect(error.message).toBe(
      '12 key(s) of the weights are read by no inserted module: extra0, extra1, extra2, extra3, extra4, extra5, extra6, extra7, extra8, extra9, ... (2 more); ' +
        'the inserted modules read layer1.0.eca.conv.weight. Give only the modules\' weights, or pass ignoreUnusedWeights: true (CLI: --ignore-unused-weights)',
    );
    expect(error.details).toEqual({ unused: Array.from({ length: 12 }, (_, i) => `extra${i}`), used: ['layer1.0.eca.conv.weight'] });
    const none = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer1/layer1.0/Add'], weights: new Map([['/layer1/layer1.0/Add.conv.weight', kernel([1, 2, 3])], ['other', kernel([0])]]) }));
    expect(none.message).toContain('the inserted modules read /layer1/layer1.0/Add.conv.weight.');
  });

  test('kernel sizes trained per stage: the error gives every mismatched position and suggests a per-stage list', () => {
    const weights = new Map([
      ['layer1.0.eca.conv.weight', kernel([1, 2, 3])],
      ['layer2.0.eca.conv.weight', kernel([1, 2, 3, 4, 5])],
    ]);
    const error = thrown(() => insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer1/layer1.0/Add', '/layer2/layer2.0/Add'], weights }));
    expect(error.code).toBe('KERNEL_SIZE_MISMATCH');
    expect(error.message).toBe('the weights were trained with other kernel sizes than the attention spec gives: layer2.0.eca.conv.weight k = 5 (spec: 3); pass a per-stage list or rule that gives these k');
    expect(error.details).toEqual({
      positions: [
        { name: 'layer1.0.eca.conv.weight', modelKernelSize: 3, fileKernelSize: 3 },
        { name: 'layer2.0.eca.conv.weight', modelKernelSize: 3, fileKernelSize: 5 },
      ],
      name: 'layer2.0.eca.conv.weight',
      trained: 5,
      requested: 3,
    });
  });
});

describe('insertAttention result', () => {
  test('metadata records the report and the weights source; a second insertion replaces the report and adds the domain once', () => {
    const first = insertAttention(resnet, { attention: 'eca', at: ['/layer1/layer1.0/Add'], seed: 3 });
    expect(metadata(first.model)['attnkit.insertions']).toBe(JSON.stringify(first.report));
    expect(metadata(first.model)['attnkit.weights']).toBe('seed 3');
    expect(first.report).toMatchObject([{ tensor: '/layer1/layer1.0/Add_output_0', channels: 8, kernelSize: 3, parameters: 3, name: 'layer1.0.eca' }]);
    const second = insertAttention(first.model, { attention: 'se', at: ['/layer2/layer2.0/Add'], weights: undefined });
    expect(metadata(second.model)['attnkit.weights']).toBe('seed 0');
    expect(second.model.metadataProps?.filter((e) => e.key === 'attnkit.insertions')).toEqual([{ key: 'attnkit.insertions', value: JSON.stringify(second.report) }]);
    expect(second.model.opsetImports.filter((o) => o.domain === 'ai.attnkit')).toHaveLength(1);
    expect(second.report[0]).not.toHaveProperty('kernelSize');
    const weighted = insertAttention(resnet, { attention: { type: 'eca', kernelSize: 3 }, at: ['/layer1/layer1.0/Add'], weights: new Map([['/layer1/layer1.0/Add.conv.weight', kernel([1, 2, 3])]]) });
    expect(metadata(weighted.model)['attnkit.weights']).toBe('weights map');
  });

  test('after the graph output: the output keeps its name and the model still ends in it', () => {
    const { model } = insertAttention(emitModelOfFourDimensionalOutput(), { attention: { type: 'eca', kernelSize: 3 }, at: ['output'] });
    expect(model.graph.outputs.map((o) => o.name)).toEqual(['output']);
    const gate = model.graph.nodes.find((n) => n.domain === 'ai.attnkit')!;
    expect(gate.outputs).toEqual(['output']);
    expect(gate.inputs[0]).toBe('output_before_ECA_k3');
    // The conv now writes the renamed tensor, which only the module reads.
    const conv = model.graph.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.outputs).toEqual(['output_before_ECA_k3']);
    expect(model.graph.nodes.filter((n) => n.inputs.includes('output_before_ECA_k3'))).toEqual([gate]);
  });
});

/** A conv whose [1, 4, 3, 3] output is the graph output. */
function emitModelOfFourDimensionalOutput(): OnnxModel {
  const graph = traceNetwork({ name: 'head', defaultInputShape: [1, 2, 3, 3], forward: (scope, x) => scope.conv2d('conv', x, { outChannels: 4, kernel: 1 }) });
  return emitModel(graph, initializeWeights(graph));
}
