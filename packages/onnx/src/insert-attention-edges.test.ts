/**
 * insertAttention at named points of small hand-built graphs: graph inputs and outputs, nodes
 * with several outputs, shapes it refuses, the opset it writes at, and the exact text of its
 * errors.
 */
import '@attnkit/eca';
import '@attnkit/ecam';
import '@attnkit/simam';
import type { Tensor } from '@attnkit/core';
import { thrownAttnkitError as thrown } from '@attnkit/tools/test-errors';
import { describe, expect, test } from 'vitest';
import { conv, halving, handModel, headModel, ofX, plane, relu, runModel, xValues, zeroKernel, zeroWeights } from '../test/insert-attention-graphs.js';
import { insertAttention } from './insert-attention.js';
import { attr, createNode, valueInfo } from './model-builders.js';
import type { OnnxModel } from './onnx-model.js';

const kernel = (values: number[]): Tensor => ({ shape: [1, 1, values.length], data: Float32Array.from(values) });
const nodeWriting = (model: OnnxModel, tensor: string) => model.graph.nodes.filter((n) => n.outputs.includes(tensor));
const reading = (model: OnnxModel, tensor: string) => model.graph.nodes.filter((n) => n.inputs.includes(tensor)).map((n) => n.name);
/** feat = x / 2 after a halving module on feat; y = relu(feat). */
const halvedHead = { feat: ofX((v) => v / 2), y: ofX((v) => Math.max(0, v / 2)) };

describe('options that are not a model and options', () => {
  test('null is INVALID_FILE; options given as a string are INVALID_OPTION', () => {
    const model = thrown(() => insertAttention(null as unknown as OnnxModel, { attention: 'eca', at: 'residual' }));
    expect(model.code).toBe('INVALID_FILE');
    expect(model.message).toBe('insertAttention needs an OnnxModel or the bytes of a .onnx file');
    const options = thrown(() => insertAttention(headModel(), 'residual' as never));
    expect(options.code).toBe('INVALID_OPTION');
    expect(options.message).toBe('insertAttention needs options { attention, at }');
  });

  test('`at` that is neither residual nor a list says what it got', () => {
    const error = thrown(() => insertAttention(headModel(), { attention: 'eca', at: 'everywhere' as 'residual' }));
    expect(error.message).toBe('at must be \'residual\' or a list of tensor or node names, got "everywhere"');
  });
});

describe('named points', () => {
  test('an unknown name lists the nearest tensors and named nodes, never an initializer', () => {
    // Old-IR style: the initializer eye is also a graph input; relu has no name.
    const model = handModel([conv('conv', 'x', 'feat'), relu(undefined, 'feat', 'y')], ['y'], { inputs: [valueInfo('x', plane), valueInfo('eye', [2, 2, 1, 1])] });
    const error = thrown(() => insertAttention(model, { attention: 'eca', at: ['fet'] }));
    expect(error.code).toBe('UNKNOWN_INSERTION_POINT');
    // Edit distances from 'fet': feat 1, x 3, y 3, conv 4 (eye, 3, is not a candidate).
    expect(error.message).toBe("'fet' is neither a tensor nor a node of the model; nearest names: feat, x, y, conv");
    expect(error.details).toEqual({ name: 'fet', nearest: ['feat', 'x', 'y', 'conv'] });
  });

  test('a node and its output named together are INVALID_OPTION with the name given second', () => {
    const error = thrown(() => insertAttention(headModel(), { attention: 'eca', at: ['conv', 'feat'] }));
    expect(error.message).toBe("at names 'conv' and 'feat', which are the same tensor 'feat'; each insertion point may be given once (twice would stack two modules)");
    expect(error.details).toEqual({ path: 'at', name: 'feat' });
  });

  test("a node stands for its first output that is not '' (an omitted optional output)", () => {
    // A Dropout that writes only its mask: the node's tensor is the mask, whose shape is unknown.
    const model = handModel([conv('conv', 'x', 'feat'), createNode('Dropout', ['feat'], ['', 'mask'], { name: 'drop' })], ['feat', 'mask']);
    const same = thrown(() => insertAttention(model, { attention: 'eca', at: ['drop', 'mask'] }));
    expect(same.message).toMatch(/^at names 'drop' and 'mask', which are the same tensor 'mask';/);
    const unknown = thrown(() => insertAttention(model, { attention: 'eca', at: ['drop'] }));
    expect(unknown.code).toBe('INVALID_INSERTION_POINT');
    expect(unknown.message).toBe(
      "'drop' is a tensor of unknown shape; channel attention needs a 4-D [N, C, H, W] tensor with known C, H and W (e.g. a Conv or Add output)",
    );
  });

  test.each([
    // The input's C is unknown (the conv's output C is known: its weight's).
    [[1, null, 2, 2], 'x', [1, null, 2, 2], '[1, ?, 2, 2]'],
    [[1, 2, 2, null], 'conv', [1, 2, 2, null], '[1, 2, 2, ?]'],
  ])('x %j: a 4-D tensor of unknown C, H or W at %s is INVALID_INSERTION_POINT', (dims, at, shape, shown) => {
    const model = handModel([conv('conv', 'x', 'feat')], ['feat'], { inputs: [valueInfo('x', dims)] });
    const error = thrown(() => insertAttention(model, { attention: 'eca', at: [at] }));
    expect(error.code).toBe('INVALID_INSERTION_POINT');
    expect(error.message).toBe(`'${at}' is a 4-D tensor ${shown}; channel attention needs a 4-D [N, C, H, W] tensor with known C, H and W (e.g. a Conv or Add output)`);
    expect(error.details).toEqual({ name: at, shape });
  });

  test('a symbolic batch is fine: the module is traced at batch 1 and runs at batch 2', async () => {
    const model = handModel([conv('conv', 'x', 'feat'), relu('relu', 'feat', 'y')], ['feat', 'y'], { inputs: [valueInfo('x', ['batch', 2, 2, 2])] });
    const { model: out, report } = insertAttention(model, { attention: halving, at: ['conv'], weights: zeroWeights('conv.eca') });
    // Named after the node given (no torch block): conv.eca, not feat.eca.
    expect(report).toEqual([{ node: '/conv/eca/ECA_k1', tensor: 'feat', channels: 2, kernelSize: 1, parameters: 1, name: 'conv.eca' }]);
    const outputs = await runModel(out, { dims: [2, 2, 2, 2], data: [...xValues, ...xValues] });
    expect(outputs.y).toEqual([...halvedHead.y, ...halvedHead.y]);
  });
});

describe('graph inputs and outputs', () => {
  test('after a graph output that other nodes read too: the output keeps its name, and every reader reads the module', async () => {
    const { model, report } = insertAttention(headModel(), { attention: halving, at: ['feat'], weights: zeroWeights('feat.eca') });
    expect(report[0]).toMatchObject({ node: '/feat/eca/ECA_k1', tensor: 'feat', name: 'feat.eca' });
    expect(model.graph.outputs.map((o) => o.name)).toEqual(['feat', 'y']);
    expect(nodeWriting(model, 'feat_before_ECA_k1').map((n) => n.name)).toEqual(['conv']);
    expect(nodeWriting(model, 'feat').map((n) => [n.name, n.inputs])).toEqual([['/feat/eca/ECA_k1', ['feat_before_ECA_k1', 'feat.eca.conv.weight']]]);
    expect(reading(model, 'feat')).toEqual(['relu']);
    // y = relu(x / 2), not relu(x): relu reads the module's output.
    expect(await runModel(model)).toEqual(halvedHead);
  });

  test('after one output of a node with two: only that output is renamed', async () => {
    const split = createNode('Split', ['x'], ['s1', 's2'], { name: 'split', attributes: [attr.int('axis', 1)] });
    const model = handModel([split], ['s1', 's2'], { inputs: [valueInfo('x', [1, 4, 2, 2])], valueInfo: [valueInfo('s1', plane), valueInfo('s2', plane)] });
    const { model: out } = insertAttention(model, { attention: halving, at: ['s1'], weights: zeroWeights('s1.eca') });
    expect(nodeWriting(out, 's1_before_ECA_k1')[0].outputs).toEqual(['s1_before_ECA_k1', 's2']);
    // x holds channels 0..3 of xValues twice: s1 = channels 0, 1 halved; s2 = channels 2, 3 as they are.
    const outputs = await runModel(out, { dims: [1, 4, 2, 2], data: [...xValues, ...xValues] });
    expect(outputs).toEqual({ s1: ofX((v) => v / 2), s2: xValues });
  });

  test('after the graph input: the module comes first; a graph output that is the input is renamed to the module output', async () => {
    const model = handModel([conv('conv', 'x', 'feat'), relu('relu', 'feat', 'y')], ['feat', 'y', 'x']);
    const { model: out } = insertAttention(model, { attention: halving, at: ['x'], weights: zeroWeights('x.eca') });
    expect(out.graph.nodes.map((n) => n.name)).toEqual(['/x/eca/ECA_k1', 'conv', 'relu']);
    expect(out.graph.nodes[1].inputs).toEqual(['/x/eca/ECA_k1_output_0', 'eye']);
    expect(out.graph.outputs.map((o) => o.name)).toEqual(['feat', 'y', '/x/eca/ECA_k1_output_0']);
    expect(await runModel(out)).toEqual({ ...halvedHead, '/x/eca/ECA_k1_output_0': ofX((v) => v / 2) });
  });
});

describe('the opset the modules are written at', () => {
  test('opset 13 (the oldest with functions) gets an ai.attnkit function, and IR 7 is raised to 8', async () => {
    const { model } = insertAttention(headModel({ irVersion: 7, opsetImports: [{ domain: '', version: 13 }] }), { attention: halving, at: ['feat'], weights: zeroWeights('feat.eca') });
    expect(model.functions?.map((f) => [f.domain, f.name, f.opsetImports])).toEqual([['ai.attnkit', 'ECA_k1', [{ domain: '', version: 13 }]]]);
    expect(model.opsetImports).toEqual([
      { domain: '', version: 13 },
      { domain: 'ai.attnkit', version: 1 },
    ]);
    expect(model.irVersion).toBe(8);
    expect(await runModel(model)).toEqual(halvedHead);
  });

  test("the default domain may be imported as 'ai.onnx', after another domain", () => {
    const opsetImports = [
      { domain: 'ai.attnkit', version: 1 },
      { domain: 'ai.onnx', version: 17 },
    ];
    const { model } = insertAttention(headModel({ irVersion: 10, opsetImports }), { attention: halving, at: ['feat'], seed: 1 });
    expect(model.functions?.map((f) => f.opsetImports)).toEqual([[{ domain: '', version: 17 }]]);
    expect(model.opsetImports).toEqual(opsetImports);
    expect(model.irVersion).toBe(10);
  });

  test('opset 12 after a graph output: plain nodes, the last of which writes the output', async () => {
    const { model } = insertAttention(headModel({ opsetImports: [{ domain: '', version: 12 }] }), { attention: halving, at: ['feat'], weights: zeroWeights('feat.eca') });
    expect(model.functions ?? []).toEqual([]);
    // Without a function the producer's output is named after the module id.
    expect(nodeWriting(model, 'feat_before_eca').map((n) => n.name)).toEqual(['conv']);
    expect(nodeWriting(model, 'feat')).toHaveLength(1);
    expect(nodeWriting(model, 'feat')[0].opType).toBe('Mul');
    expect(await runModel(model)).toEqual(halvedHead);
  });
});

describe('the result', () => {
  test("the model's own metadata is kept before the insertion report", () => {
    const { model, report } = insertAttention(headModel({ metadataProps: [{ key: 'source', value: 'hand-built' }] }), { attention: halving, at: ['feat'], seed: 2 });
    expect(model.metadataProps).toEqual([
      { key: 'source', value: 'hand-built' },
      { key: 'attnkit.insertions', value: JSON.stringify(report) },
      { key: 'attnkit.weights', value: 'seed 2' },
    ]);
  });

  test('a module path taken twice gets _1, then _2', () => {
    let model = headModel();
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = insertAttention(model, { attention: halving, at: ['y'] });
      names.push(result.report[0].name);
      model = result.model;
    }
    expect(names).toEqual(['y.eca', 'y.eca_1', 'y.eca_2']);
  });
});

describe('weights', () => {
  const twoPoints = { attention: halving, at: ['feat', 'y'] };

  test('unused keys: up to 10 listed in full, then what the modules read, comma-separated', () => {
    const one = thrown(() => insertAttention(headModel(), { ...twoPoints, weights: new Map([...zeroWeights('feat.eca', 'y.eca'), ['extra', zeroKernel()]]) }));
    expect(one.message).toBe(
      "1 key(s) of the weights are read by no inserted module: extra; the inserted modules read feat.eca.conv.weight, y.eca.conv.weight. Give only the modules' weights, or pass ignoreUnusedWeights: true (CLI: --ignore-unused-weights)",
    );
    const ten = Array.from({ length: 10 }, (_, i) => `u${i}`);
    const tenUnused = thrown(() => insertAttention(headModel(), { ...twoPoints, weights: new Map([...zeroWeights('feat.eca', 'y.eca'), ...ten.map((key) => [key, zeroKernel()] as const)]) }));
    expect(tenUnused.message).toMatch(/^10 key\(s\) of the weights are read by no inserted module: u0, u1, u2, u3, u4, u5, u6, u7, u8, u9; the inserted/);
  });

  test('a module without parameters reads nothing, so every key is unused', () => {
    const error = thrown(() => insertAttention(headModel(), { attention: 'simam', at: ['feat'], weights: new Map([['feat.simam.weight', zeroKernel()]]) }));
    expect(error.message).toMatch(/: feat\.simam\.weight; the inserted modules read nothing\. Give only/);
  });

  test('a missing key lists the nearest keys, nearest first', () => {
    const weights = new Map([
      ['feat.eca.conv.bias', zeroKernel()],
      ['feat.eca.conv.wieght', zeroKernel()],
    ]);
    const error = thrown(() => insertAttention(headModel(), { attention: halving, at: ['feat'], weights }));
    expect(error.message).toBe("the weights have no 'feat.eca.conv.weight' or 'feat.conv.weight' [1, 1, 1]; nearest keys: feat.eca.conv.wieght, feat.eca.conv.bias");
  });

  test('two points trained at another k: both listed, and the k to pass', () => {
    const error = thrown(() => insertAttention(headModel(), { ...twoPoints, weights: new Map([['feat.eca.conv.weight', kernel([1, 2, 3])], ['y.eca.conv.weight', kernel([1, 2, 3])]]) }));
    expect(error.code).toBe('KERNEL_SIZE_MISMATCH');
    expect(error.message).toBe('the weights were trained with other kernel sizes than the attention spec gives: feat.eca.conv.weight k = 3 (spec: 1), y.eca.conv.weight k = 3 (spec: 1); pass kernelSize: 3');
  });

  test.each([
    ['2-D', [1, 3]],
    ['more output channels', [2, 1, 3]],
    ['more input channels, same k', [1, 2, 1]],
  ])('a kernel weight of another shape than [1, 1, k] (%s: %j) is WEIGHTS_MISMATCH, not a kernel size', (_what, shape) => {
    const value = { shape, data: new Float32Array(shape.reduce((a, b) => a * b)) };
    const error = thrown(() => insertAttention(headModel(), { attention: halving, at: ['feat'], weights: new Map([['feat.eca.conv.weight', value]]) }));
    expect(error.code).toBe('WEIGHTS_MISMATCH');
    expect(error.message).toBe(`'feat.eca.conv.weight' has shape [${shape.join(', ')}] but the module needs [1, 1, 1]`);
  });

  test('a module without a kernel size: a 3-D file weight for its 2-D parameter is WEIGHTS_MISMATCH', () => {
    // SE-Var3's fc.weight is [C, C] = [2, 2].
    const error = thrown(() => insertAttention(headModel(), { attention: 'se-var3', at: ['feat'], weights: new Map([['feat.eca.fc.weight', { shape: [2, 1, 3], data: new Float32Array(6) }]]) }));
    expect(error.code).toBe('WEIGHTS_MISMATCH');
    expect(error.message).toBe("'feat.eca.fc.weight' has shape [2, 1, 3] but the module needs [2, 2]");
  });

  test("ECA-MLP trained at k = 5: only its second conv is a kernel position, so the advice is kernelSize: 5", () => {
    // ECA-MLP on 2 channels: rd = 8; conv [8, 1, 1] + [8] (k = 1), conv2 [1, 8, k] + [1].
    const zeros = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b)) });
    const weights = new Map([
      ['feat.se.conv.weight', zeros([8, 1, 1])],
      ['feat.se.conv.bias', zeros([8])],
      ['feat.se.conv2.weight', zeros([1, 8, 5])],
      ['feat.se.conv2.bias', zeros([1])],
    ]);
    const error = thrown(() => insertAttention(headModel(), { attention: { type: 'ecam', kernelSize: 3 }, at: ['feat'], weights }));
    expect(error.code).toBe('KERNEL_SIZE_MISMATCH');
    expect(error.message).toBe('the weights were trained with other kernel sizes than the attention spec gives: feat.se.conv2.weight k = 5 (spec: 3); pass kernelSize: 5');
    expect(error.details.positions).toEqual([{ name: 'feat.se.conv2.weight', modelKernelSize: 3, fileKernelSize: 5 }]);
  });
});
