import { describe, expect, test } from 'vitest';
import { AttentionFunctionSet } from './attention-function.js';
import { createNode } from './model-builders.js';
import type { OnnxFunction } from './onnx-model.js';

/** A one-node function body Y = op(X), named ECA before the set picks its name. */
const body = (op: string, domain = 'ai.attnkit'): OnnxFunction => ({
  name: 'ECA',
  domain,
  inputs: ['X'],
  outputs: ['Y'],
  attributes: [],
  nodes: [createNode(op, ['X'], ['Y'])],
  opsetImports: [{ domain: '', version: 17 }],
});
const names = (set: AttentionFunctionSet) => set.functions.map((f) => `${f.domain}.${f.name}`);

describe('AttentionFunctionSet', () => {
  test('equal bodies share a name; a different body under a taken name gets _v2, then _v3', () => {
    const set = new AttentionFunctionSet([{ ...body('Identity'), name: 'ECA_k3' }]);
    expect(set.add(body('Identity'), { kernelSize: 3 })).toBe('ECA_k3');
    expect(set.add(body('Neg'), { kernelSize: 3 })).toBe('ECA_k3_v2');
    expect(set.add(body('Abs'), { kernelSize: 3 })).toBe('ECA_k3_v3');
    expect(set.add(body('Neg'), { kernelSize: 3 })).toBe('ECA_k3_v2');
    expect(set.add(body('Neg'), {})).toBe('ECA_k3_v2');
    expect(set.add(body('Relu'), {})).toBe('ECA');
    expect(names(set)).toEqual(['ai.attnkit.ECA_k3', 'ai.attnkit.ECA_k3_v2', 'ai.attnkit.ECA_k3_v3', 'ai.attnkit.ECA']);
  });

  test("a function of another domain is neither reused nor in the way of the name", () => {
    const set = new AttentionFunctionSet([{ ...body('Identity', 'com.example'), name: 'ECA_k3' }]);
    expect(set.add(body('Identity'), { kernelSize: 3 })).toBe('ECA_k3');
    expect(names(set)).toEqual(['com.example.ECA_k3', 'ai.attnkit.ECA_k3']);
  });
});
