import { ErrorCodes, initializeWeights, type NetworkDefinition, type Tensor, tensor, traceNetwork } from '@attnkit/core';
import { thrownAttnkitError as thrown } from '@attnkit/tools/test-errors';
import { describe, expect, test } from 'vitest';
import { emitModel, METADATA_KEYS } from './emit-model.js';

/** conv (no bias) -> BatchNorm -> ReLU, as `stem`; one output, or the conv output as a second. */
const stem = (twoOutputs: boolean): NetworkDefinition => ({
  name: 'stem',
  defaultInputShape: [1, 2, 4, 4],
  forward: (scope, x) => {
    const conv = scope.conv2d('conv', x, { outChannels: 3, kernel: 3, padding: 1 });
    const y = scope.module('relu', () => scope.ops.relu(scope.batchNorm('bn', conv)));
    return twoOutputs ? [y, conv] : y;
  },
});
const graph = traceNetwork(stem(false), [1, 2, 4, 4]);
const weights = initializeWeights(graph, 3);
const without = (name: string) => new Map([...weights].filter(([key]) => key !== name));

describe('emitModel checks its weights and options', () => {
  test('a missing weight is UNKNOWN_PARAMETER naming it', () => {
    const error = thrown(() => emitModel(graph, without('bn.running_var')));
    expect(error.code).toBe(ErrorCodes.UNKNOWN_PARAMETER);
    expect(error.details).toEqual({ name: 'bn.running_var' });
  });

  test('a misshaped weight is SHAPE_MISMATCH with the declared and the given shape', () => {
    const misshaped = new Map<string, Tensor>([...weights, ['conv.weight', tensor([3, 2, 9], new Float32Array(54))]]);
    const error = thrown(() => emitModel(graph, misshaped));
    expect(error.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(error.message).toBe("parameter 'conv.weight' has shape [3, 2, 9] but the network declares [3, 2, 3, 3]");
    expect(error.details).toEqual({ name: 'conv.weight', expected: [3, 2, 3, 3], actual: [3, 2, 9] });
  });

  test("an unknown gateMul is INVALID_OPTION at path 'gateMul'", () => {
    const error = thrown(() => emitModel(graph, weights, { gateMul: 'tiled' as 'broadcast' }));
    expect(error.code).toBe(ErrorCodes.INVALID_OPTION);
    expect(error.message).toBe("gateMul is 'tiled'; expected 'expanded' (default) or 'broadcast'");
    expect(error.details).toEqual({ path: 'gateMul' });
  });
});

describe('emitModel defaults', () => {
  test('no attention: only the default domain, weights "unspecified", BatchNorm folded into the conv', () => {
    const model = emitModel(graph, weights);
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(model.functions).toBeUndefined();
    const meta = Object.fromEntries(model.metadataProps!.map((e) => [e.key, e.value]));
    expect(meta[METADATA_KEYS.weights]).toBe('unspecified');
    expect(meta[METADATA_KEYS.attention]).toBe('none');
    expect(meta[METADATA_KEYS.backbone]).toBe('stem');
    expect(model.docString).toBe('stem emitted by attnkit (NCHW, opset 17, BatchNorm folded)');
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
    expect(model.graph.initializers.map((t) => t.name)).toEqual(['conv.folded_weight', 'conv.folded_bias']);
    expect(emitModel(graph, weights, { keepBatchNorm: true }).docString).toBe('stem emitted by attnkit (NCHW, opset 17, BatchNorm kept)');
  });

  test('several outputs are output_0, output_1, ...; a conv whose output leaves the graph keeps its BatchNorm apart', () => {
    const two = traceNetwork(stem(true), [1, 2, 4, 4]);
    const model = emitModel(two, initializeWeights(two, 3));
    expect(model.graph.outputs.map((o) => o.name)).toEqual(['output_0', 'output_1']);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization', 'Relu']);
    expect(model.graph.nodes[0].outputs).toEqual(['output_1']);
  });
});
