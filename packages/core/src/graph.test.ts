import { describe, expect, it } from 'vitest';
import { network } from '../test/definitions.js';
import { AttnkitError } from './errors.js';
import { checkGraphOrder } from './graph.js';
import type { TraceValue } from './trace.js';
import { traceNetwork } from './trace.js';

describe('checkGraphOrder', () => {
  const graph = traceNetwork(network((scope, x: TraceValue) => scope.ops.sigmoid(scope.ops.relu(x)), [1, 2, 3, 3]));

  it('accepts a traced graph', () => {
    expect(() => checkGraphOrder(graph)).not.toThrow();
  });

  it('refuses nodes out of order with INTERNAL, naming the node and the value it reads too early', () => {
    const reversed = { ...graph, nodes: [...graph.nodes].reverse() };
    let error: unknown;
    try {
      checkGraphOrder(reversed);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AttnkitError);
    expect(error).toMatchObject({ code: 'INTERNAL', details: { node: 0, value: graph.nodes[0].output } });
    expect((error as Error).message).toContain('node 0 (sigmoid) reads value');
  });
});
