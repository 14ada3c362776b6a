import '@attnkit/eca';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './test-support.js';
import { parseBenchConfig } from '../src/bench/bench-config.js';
import type { BenchResults, CellResult } from '../src/bench/bench-results.js';
import { renderMarkdownReport } from '../src/bench/markdown-report.js';
import { runBenchmark } from '../src/bench/run-benchmark.js';
import { exportModel } from '../src/commands/export.js';

/*
 * ResNet-18 at width 8 (channels 8/16/32/64), 10 classes. Conv + fc MACs, batch 1:
 *   at 64x64: conv1 7x7 3->8 at 32x32 = 1024*8*147 = 1,204,224; layer1 4 convs 8->8 3x3 at 16x16 = 4*256*8*72 = 589,824;
 *     layer2..4 each (conv1 + conv2 + 1x1 downsample + 2 convs of block 2) = 73,728 + 147,456 + 8,192 + 294,912 = 524,288, x3 = 1,572,864;
 *     fc 64*10 = 640; total 3,367,552 (= core's countCosts on the zoo's traced resnet18 width 8).
 *   at 32x32: 301,056 + 147,456 + 3*131,072 + 640 = 842,368.
 * ECA on the residual branch of the 8 blocks, k = 3 at these widths: C*k MACs and k parameters each,
 *   MACs 3*(8+8+16+16+32+32+64+64) = 720, parameters 8*3 = 24.
 * Parameters: PyTorch's trainable count of the plain network is 177,362 (tools/golden/fixtures/zoo/resnet18_eca.json:
 *   177,386 with ECA, minus 24). The tfjs model keeps its BatchNorms: trainable = 177,362, moving mean/variance
 *   1,200 buffers. The .onnx export has BatchNorm folded: its 20 BatchNorms (8 + 4*8 + 5*16 + 5*32 + 5*64 = 600
 *   channels) lose gamma and beta (1,200) and their convs gain a bias (600): 177,362 - 600 = 176,762 float elements.
 */
const onnxConfig = fileURLToPath(new URL('./fixtures/bench-user-onnx.json', import.meta.url));
const eca = { macs: 720, parameters: 24, channels: [8, 8, 16, 16, 32, 32, 64, 64] };

const cell = (results: BenchResults, attention: string, variant?: string) => results.cells.find((c) => c.attention === attention && (variant === undefined || c.variant === variant)) as CellResult;

describe('bench on user model files: counts from the model and the insertion report', () => {
  let onnx: BenchResults;
  let tfjs: BenchResults;
  const scratch = temporaryDirectory('attnkit-bench-user-');

  beforeAll(async () => {
    onnx = await runBenchmark(parseBenchConfig(JSON.parse(readFileSync(onnxConfig, 'utf8')), { configPath: onnxConfig }));
    const directory = join(scratch, 'resnet18_w8_tfjs');
    await exportModel('resnet18', { width: '8', numClasses: '10', inputSize: '32', format: 'tfjs', out: directory });
    const tfjsConfig = parseBenchConfig(
      {
        models: [{ path: join(directory, 'model.json'), label: 'resnet18_w8 tfjs', insertAt: 'residual' }],
        attention: ['none', 'eca'],
        backends: ['tfjs-cpu'],
        inputSizes: [32],
        batchSizes: [1],
        warmup: { minIterations: 1, maxIterations: 2, maxSeconds: 1 },
        measure: { iterations: 2, iterationsPerRound: 1 },
        threads: 1,
        tfjsPredict: 'off',
        machineLimit: { enabled: false },
      },
      { configPath: join(directory, 'bench.json') },
    );
    tfjs = await runBenchmark(tfjsConfig);
  }, 240_000);

  it('counts an .onnx file from its initializers and Conv/Gemm nodes, plus the inserted ECA', () => {
    expect(onnx.cells.map((c) => [c.attention, c.status, c.reason])).toEqual([
      ['none', 'ok', undefined],
      ['eca', 'ok', undefined],
    ]);
    const plain = cell(onnx, 'none');
    expect(plain.costs).toMatchObject({ source: 'onnx file', parameters: 176_762, buffers: 0, macs: 3_367_552, insertions: 0 });
    expect(plain.costs!.parametersBinaryM).toBe(176_762 / 1024 ** 2);
    expect(plain.insertions).toBeUndefined();
    expect(plain.costsNote).toBeUndefined();
    const withEca = cell(onnx, 'eca');
    expect(withEca.costs).toMatchObject({ source: 'onnx file', parameters: 176_762 + eca.parameters, macs: 3_367_552 + eca.macs, insertions: 8 });
    expect(withEca.costs!.flops - plain.costs!.flops).toBe(withEca.insertions!.reduce((n, i) => n + i.flops, 0));
    expect(withEca.costs!.flopsConvention).toMatch(/BatchNorm folded/);
    // The package's report: after the last conv of each block (BatchNorm folded into it), before the Add.
    expect(withEca.insertions!.map((i) => [i.point, i.module, i.channels, i.kernelSize, i.parameters, i.macs])).toEqual(
      ['layer1.0', 'layer1.1', 'layer2.0', 'layer2.1', 'layer3.0', 'layer3.1', 'layer4.0', 'layer4.1'].map((block, i) => {
        const [layer] = block.split('.');
        return [`/${layer}/${block}/conv2/Conv`, `${block}.eca`, eca.channels[i], 3, 3, eca.channels[i] * 3];
      }),
    );
    expect(withEca.insertions![0].shape).toEqual([1, 8, 16, 16]);
    expect(withEca.insertions![7].shape).toEqual([1, 64, 2, 2]);
  });

  it('counts a tfjs model.json from its trainable weights and Conv2D/Dense layers, plus the inserted ECA', () => {
    // tfjsPredict off: one `fast` cell per attention.
    expect(tfjs.cells.map((c) => [c.attention, c.variant, c.status, c.reason])).toEqual([
      ['none', 'fast', 'ok', undefined],
      ['eca', 'fast', 'ok', undefined],
    ]);
    expect(cell(tfjs, 'none').costs).toMatchObject({ source: 'tfjs model', parameters: 177_362, buffers: 1_200, macs: 842_368, insertions: 0 });
    const withEca = cell(tfjs, 'eca');
    expect(withEca.costs).toMatchObject({ source: 'tfjs model', parameters: 177_362 + eca.parameters, buffers: 1_200, macs: 842_368 + eca.macs, insertions: 8 });
    expect(withEca.insertions!.map((i) => [i.point, i.before, i.channels, i.kernelSize, i.parameters, i.macs])).toEqual(
      ['layer1.0', 'layer1.1', 'layer2.0', 'layer2.1', 'layer3.0', 'layer3.1', 'layer4.0', 'layer4.1'].map((block, i) => [`${block}.bn2`, `${block}.add`, eca.channels[i], 3, 3, eca.channels[i] * 3]),
    );
  });

  it('says in the report where the counts come from and what was inserted', () => {
    for (const [results, source] of [
      [onnx, 'onnx file'],
      [tfjs, 'tfjs model'],
    ] as const) {
      const report = renderMarkdownReport(results);
      expect(report).toContain(`| ${source} | eca |`);
      expect(report).toMatch(/## Attention inserted into model files/);
      expect(report).toMatch(/\| eca \| 1x(64|32) \| 8 \| 24 \| 720 \| 8\/16\/32\/64 \| 3 \|/);
    }
  });
});
