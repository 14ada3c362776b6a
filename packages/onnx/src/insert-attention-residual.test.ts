/**
 * The residual preset on small hand-built graphs: which Adds count as residual, which input is
 * the branch, the shortcut-free sibling blocks and where their module goes.
 */
import '@attnkit/eca';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { thrownAttnkitError as thrown } from '@attnkit/tools/test-errors';
import { describe, expect, test } from 'vitest';
import { conv, halving, handModel, ofX, plane, relu, runModel, zeroWeights } from '../test/insert-attention-graphs.js';
import { insertAttention } from './insert-attention.js';
import { createNode, valueInfo } from './model-builders.js';
import type { OnnxModel, OnnxNode } from './onnx-model.js';
import { tensorFromFloat32 } from './tensor-data.js';

/** ResNet's BasicBlock: x -> conv1 -> relu -> conv2 -> Add(conv2, x) -> relu -> y. */
const basicBlock = (): OnnxNode[] => [
  conv('/layer1/layer1.0/conv1/Conv', 'x', 'c1'),
  relu('/layer1/layer1.0/relu/Relu', 'c1', 'r1'),
  conv('/layer1/layer1.0/conv2/Conv', 'r1', 'c2'),
  createNode('Add', ['c2', 'x'], ['a'], { name: '/layer1/layer1.0/Add' }),
  relu('/layer1/layer1.0/relu_1/Relu', 'a', 'y'),
];
const nodeNamed = (model: OnnxModel, name: string) => model.graph.nodes.find((n) => n.name === name)!;

describe('the residual preset on a BasicBlock', () => {
  test('the module goes on conv2 (3 nodes deep), not on the shortcut x (the graph input): y = relu(relu(x) / 2 + x)', async () => {
    const { model, report } = insertAttention(handModel(basicBlock(), ['y']), { attention: halving, at: 'residual', weights: zeroWeights('layer1.0.eca') });
    expect(report).toEqual([{ node: '/layer1/layer1.0/eca/ECA_k1', tensor: 'c2', channels: 2, kernelSize: 1, parameters: 1, name: 'layer1.0.eca' }]);
    expect(nodeNamed(model, '/layer1/layer1.0/eca/ECA_k1').inputs).toEqual(['c2', 'layer1.0.eca.conv.weight']);
    // Only the Add's branch input is rewired.
    expect(nodeNamed(model, '/layer1/layer1.0/Add').inputs).toEqual(['/layer1/layer1.0/eca/ECA_k1_output_0', 'x']);
    // x = 1, -2, 3, ...: relu(1/2 + 1) = 1.5, relu(0 - 2) = 0, relu(3/2 + 3) = 4.5, ...
    expect((await runModel(model)).y).toEqual(ofX((v) => Math.max(0, Math.max(0, v) / 2 + v)));
  });

  test('Adds that are not residual are skipped: a Mul, a broadcast, an initializer, 2-D tensors, a custom domain, three inputs', () => {
    const nodes = [
      ...basicBlock(),
      createNode('Mul', ['y', 'r1'], ['m'], { name: 'mul' }),
      createNode('GlobalAveragePool', ['x'], ['p'], { name: 'pool' }),
      createNode('Add', ['y', 'p'], ['broadcast'], { name: 'broadcast_add' }),
      createNode('Add', ['y', 'bias'], ['biased'], { name: 'initializer_add' }),
      createNode('Flatten', ['y'], ['fy'], { name: 'flatten_y' }),
      createNode('Flatten', ['x'], ['fx'], { name: 'flatten_x' }),
      createNode('Add', ['fy', 'fx'], ['flat'], { name: 'flat_add' }),
      createNode('Add', ['y', 'z'], ['custom'], { name: 'custom_add', domain: 'com.example' }),
      // Not valid ONNX (Add takes two inputs), skipped all the same.
      createNode('Add', ['y', 'x', 'x'], ['three'], { name: 'three_add' }),
    ];
    const model = handModel(nodes, ['y', 'm', 'broadcast', 'biased', 'flat', 'custom', 'three'], {
      // A second graph input, read only by the custom Add.
      inputs: [valueInfo('x', plane), valueInfo('z', plane)],
      initializers: [tensorFromFloat32('eye', [2, 2, 1, 1], Float32Array.from([1, 0, 0, 1])), tensorFromFloat32('bias', plane, new Float32Array(8))],
      valueInfo: [valueInfo('custom', plane)],
    }, { opsetImports: [{ domain: '', version: 17 }, { domain: 'com.example', version: 1 }] });
    const { report } = insertAttention(model, { attention: halving, at: 'residual', seed: 1 });
    expect(report.map((r) => [r.tensor, r.name])).toEqual([['c2', 'layer1.0.eca']]);
  });

  test('an Add reading a tensor of unknown shape is skipped (a model function named Add passes unknown shapes on)', () => {
    const addFunction = { name: 'Add', domain: 'com.example', inputs: ['A', 'B'], outputs: ['C'], attributes: [], nodes: [createNode('Add', ['A', 'B'], ['C'])], opsetImports: [{ domain: '', version: 17 }] };
    const nodes = [...basicBlock(), createNode('Add', ['y', 'unknown'], ['u1'], { name: 'add_unknown_b' }), createNode('Add', ['unknown', 'y'], ['u2'], { name: 'add_unknown_a' })];
    const model = handModel(nodes, ['y', 'u1', 'u2'], { inputs: [valueInfo('x', plane), { name: 'unknown', type: { kind: 'tensor', elemType: 1 } }] }, { functions: [addFunction], opsetImports: [{ domain: '', version: 17 }, { domain: 'com.example', version: 1 }] });
    expect(insertAttention(model, { attention: halving, at: 'residual', seed: 1 }).report.map((r) => r.tensor)).toEqual(['c2']);
  });

  test('an Add of two inputs equally deep is INVALID_INSERTION_POINT: the branch cannot be told from the shortcut', () => {
    // conv1 and the downsample conv both read x: each 1 node deep.
    const nodes = (name?: string) => [conv('/layer1/layer1.0/conv1/Conv', 'x', 'c1'), conv('/layer1/layer1.0/downsample/downsample.0/Conv', 'x', 'd'), createNode('Add', ['c1', 'd'], ['y'], { name })];
    const named = thrown(() => insertAttention(handModel(nodes('/layer1/layer1.0/Add'), ['y']), { attention: halving, at: 'residual' }));
    expect(named.code).toBe('INVALID_INSERTION_POINT');
    expect(named.message).toBe("Add '/layer1/layer1.0/Add': both inputs are 1 nodes deep, so the residual branch cannot be told from the shortcut; give the branch tensor in `at`");
    expect(named.details).toEqual({ node: '/layer1/layer1.0/Add' });
    // Unnamed, the Add goes by its output.
    const unnamed = thrown(() => insertAttention(handModel(nodes(), ['y']), { attention: halving, at: 'residual' }));
    expect(unnamed.message).toMatch(/^Add 'y': both inputs are 1 nodes deep/);
  });
});

describe('the residual preset on MobileNetV2-like blocks', () => {
  /**
   * features.1: a residual block (Add of conv.1 and x). features.2 and .3: the same layout
   * (`features/conv`) without the Add. features.2 writes f2a, which is also a graph output, then
   * f2b, read by features.3 (and by a dangling tap inside the block). features.3 ends in a
   * Dropout whose output y is the graph output (its mask is unused), followed by two taps on f3a
   * that stay inside the block.
   */
  const mobileNet = () =>
    handModel(
      [
        conv('/features/features.1/conv/conv.0/Conv', 'x', 'f1a'),
        conv('/features/features.1/conv/conv.1/Conv', 'f1a', 'f1b'),
        createNode('Add', ['f1b', 'x'], ['f1'], { name: '/features/features.1/Add' }),
        conv('/features/features.2/conv/conv.0/Conv', 'f1', 'f2a'),
        conv('/features/features.2/conv/conv.1/Conv', 'f2a', 'f2b'),
        relu('/features/features.2/conv/tap/Relu', 'f2b', 'f2r'),
        conv('/features/features.3/conv/conv.0/Conv', 'f2b', 'f3a'),
        conv('/features/features.3/conv/conv.1/Conv', 'f3a', 'f3b'),
        createNode('Dropout', ['f3b'], ['y', 'y_mask'], { name: '/features/features.3/conv/drop/Dropout' }),
        relu('/features/features.3/conv/tap/Relu', 'f3a', 'f3r'),
        relu('/features/features.3/conv/tap_1/Relu', 'f3r', 'f3s'),
      ],
      ['y', 'f2a'],
    );

  test('the residual block gets its module on the branch; each sibling at the output that leaves it', async () => {
    // The module after a block's last conv.N is conv.(N + 2) (conv.(N + 1) is the folded BN).
    const names = ['features.1.conv.3', 'features.2.conv.3', 'features.3.conv.3'];
    const { model, report } = insertAttention(mobileNet(), { attention: halving, at: 'residual', weights: zeroWeights(...names) });
    expect(report.map((r) => [r.name, r.tensor, r.node])).toEqual([
      ['features.1.conv.3', 'f1b', '/features/features.1/conv/conv.3/ECA_k1'],
      ['features.2.conv.3', 'f2b', '/features/features.2/conv/conv.3/ECA_k1'],
      ['features.3.conv.3', 'y', '/features/features.3/conv/conv.3/ECA_k1'],
    ]);
    // Both readers of f2b now read features.2's module; the graph output y keeps its name.
    expect(model.graph.nodes.filter((n) => n.inputs.includes('/features/features.2/conv/conv.3/ECA_k1_output_0')).map((n) => n.name)).toEqual([
      '/features/features.2/conv/tap/Relu',
      '/features/features.3/conv/conv.0/Conv',
    ]);
    expect(model.graph.outputs.map((o) => o.name)).toEqual(['y', 'f2a']);
    expect(nodeNamed(model, '/features/features.3/conv/drop/Dropout').outputs).toEqual(['y_before_ECA_k1', 'y_mask']);
    // f1 = x / 2 + x = 1.5 x; f2a = f1; features.2's module halves f2b: 0.75 x; features.3's: y = 0.375 x.
    const outputs = await runModel(model);
    expect(outputs.f2a).toEqual(ofX((v) => 1.5 * v));
    expect(outputs.y).toEqual(ofX((v) => 0.375 * v));
  });

  test("a named point inside a MobileNetV2 block is named after that block's own convs", () => {
    const dir = fileURLToPath(new URL('../../../tools/golden/fixtures/onnx', import.meta.url));
    const bytes = new Uint8Array(readFileSync(`${dir}/mobilenet_v2_w025.onnx`));
    // features.1 has conv.0 and conv.1 (no expand conv); later blocks go up to conv.2.
    const { report } = insertAttention(bytes, { attention: { type: 'eca', kernelSize: 3 }, at: ['/features/features.1/conv/conv.1/Conv'] });
    expect(report.map((r) => [r.name, r.tensor])).toEqual([['features.1.conv.3', '/features/features.1/conv/conv.1/Conv_output_0']]);
  });
});

