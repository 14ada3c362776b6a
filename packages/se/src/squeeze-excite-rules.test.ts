import { readFileSync } from 'node:fs';
import { expectPyTorchDefaultInit } from '@attnkit/tools/init-rules';
import { expectConsistentTestCases } from '@attnkit/tools/definition-cases';
import { describe, expect, it } from 'vitest';
import './index.js';
import { reducedChannels, se } from './squeeze-excite.js';

describe('se: the reduced width and the init, rule by rule', () => {
  it('divisor 1 floors C/r as the original SENet (channel // reduction): C = 40, r = 16 -> 2, not round(2.5) = 3', () => {
    expect(reducedChannels(40, 16, 1)).toBe(2);
    expect(reducedChannels(8, 16, 1)).toBe(1);
  });

  it("divisor 8 rounds as timm's make_divisible: C = 40, r = 16 -> 8; C = 200, r = 16 -> 16 (12.5 + 4 floors to 16)", () => {
    expect(reducedChannels(40, 16, 8)).toBe(8);
    expect(reducedChannels(200, 16, 8)).toBe(16);
  });

  it('weights and biases of both FC layers are U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as nn.Linear', () => {
    expectPyTorchDefaultInit('se', 256);
  });
});

describe('se: identity as PyTorch and npm know it', () => {
  it("id se, attribute se (senet.pytorch's `layer1.0.se.fc.0.weight`, timm's `se.fc1`), package from package.json", () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string };
    expect({ id: se.id, attributeName: se.attributeName, package: se.package }).toEqual({ id: 'se', attributeName: 'se', package: manifest.name });
  });
});

describe('se: the conformance cases the definition carries describe it', () => {
  it('every case states the parameters the definition gives at its channels', () => expectConsistentTestCases([se]));
});
