import '@attnkit/bam';
import '@attnkit/cbam';
import '@attnkit/coordatt';
import '@attnkit/eca';
import '@attnkit/ecam';
import '@attnkit/ese';
import '@attnkit/gc';
import '@attnkit/gct';
import '@attnkit/ge';
import '@attnkit/lcbam';
import '@attnkit/se';
import '@attnkit/simam';
import { describe, expect, it } from 'vitest';
import type { BenchResults, CellResult } from './bench-results.js';
import { catalogTable } from './catalog-table.js';

const cell = (attention: string, percent: number): CellResult =>
  ({
    modelSource: 'zoo:resnet50',
    attention,
    backend: 'onnx-node',
    variant: 'default',
    inputSize: 224,
    batchSize: 1,
    overhead: { baseline: 'none', ratio: 1 + percent / 100, percent, ci95Percent: [percent - 1, percent + 1], pairedRounds: 6 },
  }) as CellResult;

describe('catalogTable', () => {
  const { headers, rows } = catalogTable({ cells: [cell('simam', 12.34), cell('none', 0)] } as unknown as BenchResults);
  const row = (label: string) => Object.fromEntries(headers.map((h, i) => [h, rows.find((r) => r[0] === label)![i]]));

  it('has a row per registered module (and GE with its parametric gather), sorted', () => {
    expect(rows.map((r) => r[0])).toEqual(['bam', 'cbam', 'ceca', 'coordatt', 'eca', 'eca-ns', 'ecam', 'ese', 'gc', 'gct', 'ge', 'ge{"extraParams":true,"extent":2}', 'lcbam', 'se', 'se-var1', 'se-var2', 'se-var3', 'simam']);
  });

  it("adds exactly PyTorch's forward-hook counts on ResNet-50 and MobileNetV2 (the costs in the module packages' golden/cases.json)", () => {
    expect([row('ese')['ResNet-50 params'], row('ese')['ResNet-50 MACs']]).toEqual(['+20,134,656', '+20,119,552']);
    expect([row('bam')['MobileNetV2 params'], row('bam')['MobileNetV2 MACs']]).toEqual(['+61,320', '+3,383,250']);
    expect([row('coordatt')['ResNet-50 params'], row('coordatt')['ResNet-50 MACs']]).toEqual(['+1,917,832', '+27,066,368']);
    expect([row('ge{"extraParams":true,"extent":2}')['ResNet-50 params'], row('ge{"extraParams":true,"extent":2}')['ResNet-50 MACs']]).toEqual(['+2,697,136', '+121,284,608']);
    expect([row('gct')['MobileNetV2 params'], row('gct')['MobileNetV2 MACs']]).toEqual(['+4,512', '+0']);
    // docs/paper.md section 4: SE r16 (with bias) adds 2,530,992 parameters and 2,514,944 MACs on ResNet-50.
    expect([row('se')['ResNet-50 params'], row('se')['ResNet-50 MACs']]).toEqual(['+2,530,992', '+2,514,944']);
  });

  it('shows the measured overhead where the run has it, "-" elsewhere, and the paper where one gives figures', () => {
    expect(row('simam')['ResNet-50 overhead']).toBe('onnx-node +12.3% [+11.3, +13.3]');
    expect(row('simam')['MobileNetV2 overhead']).toBe('-');
    expect(row('coordatt')['paper (top-1, ImageNet)']).toContain('74.3%');
    expect(row('lcbam')['paper (top-1, ImageNet)']).toBe('-');
  });
});
