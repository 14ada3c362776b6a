/**
 * The report's module catalog: every registered attention module's added parameters and MACs on
 * ResNet-50 and MobileNetV2 (at the zoo's insertion points, 224 x 224), its measured latency
 * overhead where the run measured one, and the paper's figures where a paper gives them.
 *
 * The counts are exact and independent of the run (the zoo networks traced by core), so they
 * come from the registry here rather than from `results.json`; only the overheads are measured.
 */
import { type AttentionSpec, countCosts, listAttention, traceNetwork } from '@attnkit/core';
import { createBackbone } from '@attnkit/zoo';
import type { BenchResults } from './bench-results.js';
import { signed } from './bench-targets.js';

const networks = ['resnet50', 'mobilenet_v2'] as const;

/**
 * The papers' own figures (ImageNet top-1), as their official READMEs print them. Their placement
 * differs from ours where said, so the counts are not comparable one to one.
 */
export const catalogPaperFigures: Record<string, string> = {
  eca: 'ResNet-50 77.48%, MobileNetV2 72.56% (ECA-Net paper; plain 75.20%, 71.64%)',
  se: 'ResNet-50 76.71%, MobileNetV2 72.42% (ECA-Net paper)',
  cbam: 'ResNet-50 77.34% (ECA-Net paper)',
  simam:
    'ResNet-50 25.56M params, 4.11 GFLOPs, 77.45%; MobileNetV2 3.50M, 0.31 GFLOPs, 72.36% (ZjjConan/SimAM README; lambda 0.1)',
  coordatt: 'MobileNetV2 3.95M params, 310M MAdds, 74.3% (plain 3.5M, 300M, 72.3%; CA on the expanded width inside each block) (houqb/CoordAttention README)',
  bam: 'ResNet-50 with 3 BAMs at the stage ends: 76.86% (Jongchan/attention-module released weights)',
};

/** Module rows: every registered id with its defaults, plus GE's parametric gather at extent 2. */
function catalogSpecs(): Array<{ label: string; spec: AttentionSpec }> {
  // Registry ids are known at run time only (a module package may add its own).
  const rows: Array<{ label: string; spec: AttentionSpec }> = listAttention().map((d) => ({ label: d.id, spec: d.id as AttentionSpec }));
  if (rows.some((r) => r.label === 'ge')) rows.push({ label: 'ge{"extraParams":true,"extent":2}', spec: { type: 'ge', extraParams: true, extent: 2 } });
  return rows.sort((a, b) => a.label.localeCompare(b.label));
}

function addedCosts(network: (typeof networks)[number], spec: AttentionSpec | null): { parameters: number; macs: number } {
  const costs = countCosts(traceNetwork(createBackbone(network, { attention: spec }), [1, 3, 224, 224]));
  return { parameters: costs.parameters, macs: costs.macs };
}

/** Measured overheads of one module on one zoo network at 224 x 224, batch 1, per backend. */
function measured(results: BenchResults, network: string, label: string): string {
  const cells = results.cells.filter((c) => c.modelSource === `zoo:${network}` && c.attention === label && c.inputSize === 224 && c.batchSize === 1 && c.overhead !== null);
  if (cells.length === 0) return '-';
  return cells.map((c) => `${c.backend}${c.variant === 'default' ? '' : ` ${c.variant}`} ${signed(c.overhead!.percent, 1)}% [${signed(c.overhead!.ci95Percent[0])}, ${signed(c.overhead!.ci95Percent[1])}]`).join('; ');
}

/** The catalog section: an introduction and a table (headers, rows) for the report to render. */
export function catalogTable(results: BenchResults): { intro: string; headers: string[]; rows: string[][] } {
  const plain = Object.fromEntries(networks.map((n) => [n, addedCosts(n, null)]));
  const rows = catalogSpecs().map(({ label, spec }) => {
    const cells = networks.flatMap((n) => {
      const costs = addedCosts(n, spec);
      return [`+${(costs.parameters - plain[n].parameters).toLocaleString('en-US')}`, `+${(costs.macs - plain[n].macs).toLocaleString('en-US')}`, measured(results, n, label)];
    });
    return [label, ...cells, catalogPaperFigures[typeof spec === 'string' ? spec : label] ?? '-'];
  });
  const intro =
    'Every registered module at the zoo\'s insertion points (ResNet-50: after the last BN of each of the 16 bottlenecks; MobileNetV2: after the project BN of each of the 17 inverted residuals), ' +
    'default options, 224 x 224. Parameters and MACs (Conv/Linear multiply-accumulates) are added to the plain network, exact, counted by core; ' +
    'the overhead is the measured latency against the plain network in this run (median of paired per-turn ratios, 95% CI), "-" where this run did not measure it ' +
    '(`apps/cli/bench.catalog.json` measures every module on onnx-node).';
  return {
    intro,
    headers: ['module', 'ResNet-50 params', 'ResNet-50 MACs', 'ResNet-50 overhead', 'MobileNetV2 params', 'MobileNetV2 MACs', 'MobileNetV2 overhead', 'paper (top-1, ImageNet)'],
    rows,
  };
}
