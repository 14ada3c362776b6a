import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './backends.js';
import { readModelGraph } from './model-graph.js';

describe('readModelGraph', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('lists each call after its producers, with no inputs for the InputLayer, and who reads each tensor', () => {
    const input = tfl.input({ shape: [4, 4, 2], name: 'graph_in' });
    const left = tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'graph_left' }).apply(input) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'graph_sum' }).apply([input, left]) as tfl.SymbolicTensor;
    const graph = readModelGraph(tfl.model({ inputs: input, outputs: sum }));
    expect(graph.calls.map((call) => [call.layer.name, call.inputs, call.outputs])).toEqual([
      ['graph_in', [], ['graph_in#0#0']],
      ['graph_left', ['graph_in#0#0'], ['graph_left#0#0']],
      ['graph_sum', ['graph_in#0#0', 'graph_left#0#0'], ['graph_sum#0#0']],
    ]);
    expect(graph.calls[0].inputTensors).toEqual([]);
    expect([...graph.consumers].map(([key, list]) => [key, list.map(({ call, index }) => [call.layer.name, index])])).toEqual([
      ['graph_in#0#0', [['graph_left', 0], ['graph_sum', 0]]],
      ['graph_left#0#0', [['graph_sum', 1]]],
    ]);
    expect([graph.inputs, graph.outputs]).toEqual([['graph_in#0#0'], ['graph_sum#0#0']]);
  });
});
