import { readFileSync } from 'node:fs';
import { expectPyTorchDefaultInit } from '@attnkit/tools/init-rules';
import { expectConsistentTestCases } from '@attnkit/tools/definition-cases';
import { describe, expect, it } from 'vitest';
import { ceca, eca, ecaNs } from './eca.js';
import './index.js';
import { seVar1, seVar2, seVar3 } from './se-variants.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string };

describe('eca family: seeded init follows nn.Conv1d / nn.Linear defaults', () => {
  // ECA's Conv1d(1, 1, k): fan_in = k, U(-1/sqrt(k), 1/sqrt(k)); ECA-NS's Conv1d(C, C, k, groups=C):
  // fan_in = k as well; SE-Var3's Linear(C, C): fan_in = C.
  it.each(['eca', 'ceca', 'eca-ns', 'se-var1', 'se-var2', 'se-var3'])('%s at C = 256', (id) => expectPyTorchDefaultInit(id, 256));
});

describe('eca family: identity as PyTorch and npm know it', () => {
  // The official ECA code names its module `eca` in every block (`layer1.0.eca.conv.weight`); the
  // ablation variants stand in the same slot.
  it.each([
    [eca, 'eca'],
    [ceca, 'ceca'],
    [ecaNs, 'eca-ns'],
    [seVar1, 'se-var1'],
    [seVar2, 'se-var2'],
    [seVar3, 'se-var3'],
  ])('%#: id %s, attribute eca, package from package.json', (definition, id) => {
    expect({ id: definition.id, attributeName: definition.attributeName, package: definition.package }).toEqual({ id, attributeName: 'eca', package: manifest.name });
  });
});

describe('eca family: the conformance cases each definition carries describe it', () => {
  it('every case states the parameters and k the definition gives at its channels', () => expectConsistentTestCases([eca, ceca, ecaNs, seVar1, seVar2, seVar3]));
});
