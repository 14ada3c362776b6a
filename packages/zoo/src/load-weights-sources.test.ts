import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NetworkDefinition, initializeWeights, tensor, traceNetwork } from '@attnkit/core';
import { thrownAttnkitError as errorOf } from '@attnkit/tools/test-errors';
import { describe, expect, it } from 'vitest';
import { loadWeights } from './load-weights.js';
import { saveWeights } from './save-weights.js';
import { readSafetensors, writeSafetensors } from './weights/index.js';

describe('loadWeights: sources, nested checkpoints and the values of missing names', () => {
  // One Linear(5, 7): fc.weight [7, 5] and fc.bias [7], the shapes of the fixture's fc.weight.
  const linear: NetworkDefinition = { name: 'one-linear', defaultInputShape: [1, 5], forward: (scope, x) => scope.linear('fc', x, 7) };
  const PTH = fileURLToPath(new URL('../../../tools/golden/fixtures/pth/', import.meta.url));
  const nested = new Uint8Array(readFileSync(`${PTH}checkpoint_nested.pth.tar`));
  // tools/golden/make_golden_pth.py: the nested checkpoint's state_dict holds state_dict.json's tensors under `module.`.
  const expected = JSON.parse(readFileSync(`${PTH}state_dict.json`, 'utf8')) as { tensors: Record<string, { data: number[] }> };

  it('reads the state dict of a nested checkpoint, says which entry, and keeps the seeded init of what it lacks', () => {
    const { weights, report, format, stateDictKey, convention } = loadWeights(linear, nested, { strict: false, stateDictKey: 'state_dict' });
    expect(format).toBe('pth-zip');
    expect(stateDictKey).toBe('state_dict');
    expect(convention).toBe('torchvision');
    expect(report.loaded).toEqual(['fc.weight']);
    expect(report.missing).toEqual(['fc.bias']);
    expect(report.renamed).toEqual([{ from: 'module.fc.weight', to: 'fc.weight' }]);
    expect(Array.from(weights.get('fc.weight')!.data)).toEqual(Array.from(Float32Array.from(expected.tensors['fc.weight'].data)));
    // The default seed is 0.
    expect(weights.get('fc.bias')!.data).toEqual(initializeWeights(traceNetwork(linear), 0).get('fc.bias')!.data);
    expect(weights.get('fc.bias')!.shape).toEqual([7]);
    expect(weights.get('fc.weight')!.shape).toEqual([7, 5]);
    expect([...weights.keys()]).toEqual(['fc.weight', 'fc.bias']);
  });

  it('passes stateDictKey on: a key the checkpoint lacks is refused', () => {
    const error = errorOf(() => loadWeights(linear, nested, { strict: false, stateDictKey: 'ema' }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toContain("key 'ema' is not in the checkpoint");
  });

  it('names the format only for bytes, and the state-dict entry only for a nested checkpoint', () => {
    const weights = initializeWeights(traceNetwork(linear), 4);
    const fromBytes = loadWeights(linear, saveWeights(linear, weights));
    expect(fromBytes.format).toBe('safetensors');
    expect('stateDictKey' in fromBytes).toBe(false);
    const fromMap = loadWeights(linear, weights);
    expect('format' in fromMap).toBe(false);
    expect('stateDictKey' in fromMap).toBe(false);
  });

  it('fills missing names from `initial` when given, as copies; a name `initial` lacks stays out of the result', () => {
    const initial = new Map([['fc.bias', tensor([7], [1, 2, 3, 4, 5, 6, 7])]]);
    const source = new Map([['fc.weight', tensor([7, 5], Array.from({ length: 35 }, (_, i) => i))]]);
    const { weights, report } = loadWeights(linear, source, { strict: false, initial, seed: 9 });
    expect(report.missing).toEqual(['fc.bias']);
    expect(Array.from(weights.get('fc.bias')!.data)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(weights.get('fc.bias')!.shape).toEqual([7]);
    expect(weights.get('fc.weight')!.shape).toEqual([7, 5]);
    weights.get('fc.bias')!.data[0] = 100;
    weights.get('fc.weight')!.data[0] = 100;
    expect(initial.get('fc.bias')!.data[0]).toBe(1);
    expect(source.get('fc.weight')!.data[0]).toBe(0);
    // From bytes too: the file's values are the decoder's own, `initial`'s are copied.
    const fromBytes = loadWeights(linear, writeSafetensors(source), { strict: false, initial });
    fromBytes.weights.get('fc.bias')!.data[1] = 200;
    expect(initial.get('fc.bias')!.data[1]).toBe(2);
    expect(Array.from(fromBytes.weights.get('fc.weight')!.data.subarray(0, 3))).toEqual([0, 1, 2]);
    const partial = loadWeights(linear, source, { strict: false, initial: new Map() });
    expect([...partial.weights.keys()]).toEqual(['fc.weight']);
  });

  it('saveWeights writes the dtype and extra metadata it is given, after format and model', () => {
    const bytes = saveWeights(linear, initializeWeights(traceNetwork(linear), 1), { dtype: 'F16', metadata: { epoch: '90' } });
    const { dtypes, metadata } = readSafetensors(bytes);
    expect([...dtypes.values()]).toEqual(['F16', 'F16']);
    expect(metadata).toEqual({ format: 'pt', model: 'one-linear', epoch: '90' });
  });
});
