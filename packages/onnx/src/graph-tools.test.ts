import { ErrorCodes } from '@attnkit/core';
import { describe, expect, test } from 'vitest';
import { consumersOf, namesInGraph, producersOf, topologicalSort, uniqueName } from './graph-tools.js';
import { createGraph, createNode, valueInfo } from './model-builders.js';

// x -> a = Relu(x) -> b = Sigmoid(a); c = Mul(a, b); y = Add(c, x), listed out of order.
const relu = createNode('Relu', ['x'], ['a'], { name: 'relu' });
const sigmoid = createNode('Sigmoid', ['a'], ['b'], { name: 'sigmoid' });
const mul = createNode('Mul', ['a', 'b'], ['c'], { name: 'mul' });
const add = createNode('Add', ['c', 'x'], ['y'], { name: 'add' });
const graph = createGraph({ nodes: [add, mul, relu, sigmoid], inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 4])] });

describe('graph tools', () => {
  test('topologicalSort puts producers first and keeps graph order among ready nodes', () => {
    expect(topologicalSort(graph).map((node) => node.name)).toEqual(['relu', 'sigmoid', 'mul', 'add']);
    const sorted = createGraph({ ...graph, nodes: [relu, sigmoid, mul, add] });
    expect(topologicalSort(sorted)).toEqual(sorted.nodes);
  });

  test('topologicalSort throws INVALID_FILE on a cycle, naming its nodes', () => {
    const cyclic = createGraph({
      nodes: [createNode('Relu', ['x', 'q'], ['p'], { name: 'first' }), createNode('Relu', ['p'], ['q'], { name: 'second' }), relu],
      inputs: [valueInfo('x', [1])],
      outputs: [valueInfo('q', [1])],
    });
    expect(() => topologicalSort(cyclic)).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_FILE, details: { nodes: ['first', 'second'] }, message: expect.stringMatching(/cycle among 2 nodes \(first, second\)/) }),
    );
  });

  test('producers and consumers', () => {
    const producers = producersOf(graph);
    expect(producers.get('a')).toBe(relu);
    expect(producers.has('x')).toBe(false);
    const consumers = consumersOf(graph);
    expect(consumers.get('a')).toEqual([mul, sigmoid]);
    expect(consumers.get('x')).toEqual([add, relu]);
    expect(consumers.has('y')).toBe(false);
  });

  test('uniqueName avoids every name in the graph and remembers what it handed out', () => {
    const taken = namesInGraph(graph);
    expect([...taken].sort()).toEqual(['a', 'add', 'b', 'c', 'mul', 'relu', 'sigmoid', 'x', 'y']);
    expect(uniqueName('relu', taken)).toBe('relu_1');
    expect(uniqueName('relu', taken)).toBe('relu_2');
    expect(uniqueName('eca', taken)).toBe('eca');
    expect(uniqueName('eca', taken)).toBe('eca_1');
  });
});
