import '@attnkit/se';
import { type Tensor, initializeWeights, traceNetwork } from '@attnkit/core';
import { thrownAttnkitError as errorOf } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { loadWeights } from './load-weights.js';
import { resnet18 } from './resnet.js';
import { saveWeights } from './save-weights.js';
import { writeSafetensors } from './weights/index.js';

/** The same values under a shape with the same element count: what a forgotten transpose gives. */
const reshaped = (tensor: Tensor, shape: number[]): Tensor => ({ shape, data: tensor.data });

describe('a tensor with the right element count but the wrong shape is refused', () => {
  const network = resnet18({ numClasses: 10, width: 8, attention: 'se' });
  const weights = initializeWeights(traceNetwork(network, [1, 3, 32, 32]), 3);

  it.each([
    // fc is Linear(64, 10), [out, in] = [10, 64]: TF's [in, out] layout has the same 640 values.
    ['fc.weight', [64, 10]],
    // A 3x3 conv [8, 8, 3, 3] flattened HWIO-style is still 576 values.
    ['layer1.0.conv1.weight', [3, 3, 8, 8]],
    // SE fc1 in the last block: Linear(64, 4) is [4, 64]; transposed, [64, 4].
    ['layer4.1.se.fc1.weight', [64, 4]],
  ])('%s given as %j: WEIGHTS_MISMATCH naming both shapes, in a file and in a map', (name, wrongShape) => {
    const original = weights.get(name) as Tensor;
    expect(original.shape.reduce((a, b) => a * b, 1)).toBe(wrongShape.reduce((a, b) => a * b, 1));
    expect(original.shape).not.toEqual(wrongShape);
    const altered = new Map(weights);
    altered.set(name, reshaped(original, wrongShape));
    const fromMap = errorOf(() => loadWeights(network, altered));
    expect(fromMap.code).toBe('WEIGHTS_MISMATCH');
    expect(fromMap.message).toContain(name);
    expect(fromMap.message).toContain(`[${original.shape.join(', ')}]`);
    expect(fromMap.message).toContain(`[${wrongShape.join(', ')}]`);
    const fromFile = errorOf(() => loadWeights(network, writeSafetensors(altered)));
    expect(fromFile.code).toBe('WEIGHTS_MISMATCH');
    expect(fromFile.message).toContain(`[${wrongShape.join(', ')}]`);
    // The unaltered weights load: the refusal is the shape's, not the file's.
    expect(loadWeights(network, saveWeights(network, weights)).weights.get(name)?.shape).toEqual(original.shape);
  });
});
