
import '@attnkit/cbam';
import '@attnkit/eca';
import '@attnkit/se';
import { type AttentionSpec, isAttnkitError } from '@attnkit/core';
import { describe, expect, it } from 'vitest';
import { attnkit } from './test-support.js';
import { type CountResult, countBackbone, formatCount } from '../src/commands/count.js';

const K3557: AttentionSpec = { type: 'eca', kernelSize: [3, 5, 5, 7] };

describe('countBackbone', () => {
  it('resnet50 + ECA k3557: 25,557,112 parameters, 16 insertions summing to 80 (docs/paper.md sections 1 and 3)', () => {
    const result = countBackbone({ backbone: 'resnet50', attention: JSON.stringify(K3557) });
    expect(result.parameters).toBe(25_557_112);
    // docs/paper.md section 4: 4,089,184,256 + 86,272 added by ECA.
    expect(result.macs).toBe(4_089_270_528);
    expect(Math.abs(result.flops.binaryG - 3.8634)).toBeLessThan(0.00005);
    expect(result.insertions).toHaveLength(16);
    expect(result.insertions.reduce((n, r) => n + r.parameters, 0)).toBe(80);
    expect(result.insertions[15]).toMatchObject({ path: 'layer4.2', channels: 2048, kernelSize: 7, parameters: 7 });
  });

  it('plain resnet50: 24.37M parameters and 3.86G FLOPs in the paper binary units', () => {
    const result = countBackbone({ backbone: 'resnet50' });
    expect(result.parametersBinaryM.toFixed(2)).toBe('24.37');
    expect(result.flops.binaryG.toFixed(2)).toBe('3.86');
    expect(result.insertions).toEqual([]);
    expect(formatCount(result)).toContain('25,557,032');
  });

  it('--placement stage, --num-classes and --input-size change the build', () => {
    const result = countBackbone({ backbone: 'mobilenet_v2', attention: 'eca', placement: 'stage', numClasses: '10', inputSize: '64' });
    expect(result.insertions.map((r) => r.path)).toEqual(['features.1', 'features.3', 'features.6', 'features.10', 'features.13', 'features.16', 'features.17']);
    expect(result.inputShape).toEqual([1, 3, 64, 64]);
  });

  it('takes --width-multiplier like export and run: torchvision mobilenet_v2(width_mult=w) parameter counts', () => {
    // torchvision 0.14, sum(p.numel() for p in mobilenet_v2(width_mult=w).parameters()); 0.35 and 1.4
    // are the multipliers where rounding to the nearest multiple of 8 and rounding up differ.
    expect(countBackbone({ backbone: 'mobilenet_v2', widthMultiplier: '0.35' }).parameters).toBe(1_677_128);
    expect(countBackbone({ backbone: 'mobilenet_v2', widthMultiplier: '0.5' }).parameters).toBe(1_968_680);
    expect(countBackbone({ backbone: 'mobilenet_v2', widthMultiplier: '1.4' }).parameters).toBe(6_108_776);
  });

  it('unknown backbone: UNKNOWN_BACKBONE listing the names; bad placement: INVALID_OPTION', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return isAttnkitError(error) ? `${error.code}: ${error.message}` : String(error);
      }
      return 'no error';
    };
    expect(codeOf(() => countBackbone({ backbone: 'vgg16' }))).toMatch(/^UNKNOWN_BACKBONE: .*resnet18, resnet34, resnet50, resnet101, resnet152, mobilenet_v2/);
    expect(codeOf(() => countBackbone({ backbone: 'resnet50', placement: 'everywhere' }))).toMatch(/^INVALID_OPTION/);
  });
});


describe('attnkit count (built CLI)', () => {
  it('--json prints JSON alone; an unknown backbone exits 2 with the names on stderr', () => {
    const run = attnkit(['count', 'resnet50', '--attention', JSON.stringify(K3557), '--json']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as CountResult;
    expect(result.parameters).toBe(25_557_112);
    expect(result.insertions.reduce((n, r) => n + r.parameters, 0)).toBe(80);
    const bad = attnkit(['count', 'vgg16', '--json']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('UNKNOWN_BACKBONE');
  });
});
