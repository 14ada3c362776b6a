import type { BenchResults, CellResult, TargetResult } from './bench-results.js';
import { pairedRatio } from './latency-statistics.js';
import { limitFamilyOf, limitFor } from './machine-limit.js';
import { paperThroughput } from './paper-results.js';

/** The issue's performance targets, judged on what this run measured, pass or fail as it is. */
/** The paper's ECA cost on ResNet-50 (2.7% of throughput) as added latency, rounded up. */
export const ecaOverheadLimitPercent = 2.8;
export const torchExportLimit = 1.02;
export const machineLimitFactor = 1.2;

const ok = (c: CellResult | undefined): c is CellResult => c !== undefined && c.status === 'ok' && c.latencyMs !== null;

function missing(cell: CellResult | undefined, what: string): string {
  if (cell === undefined) return `${what} is not in this config`;
  return `${what} did not run: ${cell.reason ?? cell.status}`;
}

export function evaluateTargets(results: Omit<BenchResults, 'targets'>): TargetResult[] {
  const { cells } = results;
  const targets: TargetResult[] = [];
  const find = (predicate: (c: CellResult) => boolean) => cells.find(predicate);
  const plain = (model: string, backend: string, variant = backend.startsWith('tfjs-') ? 'fast' : 'default') =>
    find((c) => c.model === model && c.attention === 'none' && c.backend === backend && c.variant === variant && c.inputSize === 224 && c.batchSize === 1 && c.threads === 1);

  // 1. Our emitted ResNet-50 against a torch.onnx.export of the same network, on onnx-node.
  {
    const ours = find((c) => c.modelSource === 'zoo:resnet50' && c.attention === 'none' && c.backend === 'onnx-node' && c.inputSize === 224 && c.batchSize === 1 && c.threads === 1);
    const torchCells = cells.filter((c) => c.sameNetworkAs === 'resnet50' && c.attention === 'none' && c.backend === 'onnx-node' && c.inputSize === 224 && c.batchSize === 1 && c.threads === 1);
    // Prefer an export filled with our weights (checked to compute the same function).
    const torch = torchCells.find((c) => ok(c) && c.weightsFrom !== undefined) ?? torchCells.find(ok) ?? torchCells[0];
    const target: TargetResult = {
      id: 'onnx-node-vs-torch-export',
      description: 'onnx-node: emitted ResNet-50 (224, batch 1) within 1.02x of a torch.onnx.export of the same network',
      threshold: `<= ${torchExportLimit}x`,
      measured: null,
      pass: null,
      note: '',
    };
    if (!ok(ours)) target.note = missing(ours, 'the emitted ResNet-50 on onnx-node');
    else if (!ok(torch)) target.note = missing(torch, 'a torch.onnx.export of ResNet-50 (a model file with "sameNetworkAs": "resnet50") on onnx-node');
    else {
      const { ratio, low, high, pairedRounds } = pairedRatio(ours, torch);
      const spread = (c: CellResult) => `n ${c.latencyMs!.samples}, IQR ${(c.latencyMs!.relativeSpread * 100).toFixed(1)}%`;
      const ratioOfMedians = ours.latencyMs!.median / torch.latencyMs!.median;
      target.measured = `${ratio.toFixed(3)}x [95% CI ${low.toFixed(3)}, ${high.toFixed(3)}]; ratio of medians ${ratioOfMedians.toFixed(3)}x (${ours.latencyMs!.median.toFixed(1)} ms, ${spread(ours)} vs ${torch.latencyMs!.median.toFixed(1)} ms, ${spread(torch)})`;
      target.pass = ratio <= torchExportLimit;
      target.ratioBasis = pairedRounds > 0 ? 'median of paired per-turn ratios' : 'ratio of medians';
      target.ratioOfMedians = ratioOfMedians;
      const together = ours.group !== undefined && ours.group === torch.group;
      const notes = [together ? `verdict on the ${pairing(pairedRounds)}, interleaved in one group (${ours.group})` : `verdict on the ${pairing(pairedRounds)}; the two models were measured in different groups (not interleaved with each other)`];
      const check = torch.sameNetwork;
      if (torch.weightsFrom === undefined) notes.push('the export has its own weights (latency does not depend on them, but the outputs were not compared)');
      else if (check === undefined || check === null) {
        notes.push(`weights filled from ${torch.weightsFrom}, but its plain cell gave no output to compare with: not judged`);
        target.pass = null;
      } else if (check.pass) notes.push(`same network, same weights: rel L2 ${check.relativeL2.toExponential(2)} (< ${check.tolerance.toExponential(0)}), max abs ${check.maxAbs.toExponential(2)}`);
      else {
        notes.push(`NOT the same function: rel L2 ${check.relativeL2.toExponential(2)} >= ${check.tolerance.toExponential(0)} against ${check.reference}, so the ratio is not judged`);
        target.pass = null;
      }
      target.conclusive = !(low <= torchExportLimit && high > torchExportLimit);
      if (!target.conclusive) notes.push('inconclusive: the 95% interval spans the threshold');
      target.note = notes.join('; ');
    }
    targets.push(target);
  }

  // 2. Our ResNet-50 against the machine's limit: its MACs at the fastest rate measured here.
  {
    const ours = plain('resnet50', 'onnx-node');
    const limit = results.machineLimit;
    const target: TargetResult = {
      id: 'onnx-node-vs-machine-limit',
      description: `onnx-node: ResNet-50 (224, batch 1, 1 thread) within ${machineLimitFactor}x of the machine's limit (its MACs at the fastest fp32 rate onnxruntime native reached here)`,
      threshold: `<= ${machineLimitFactor}x`,
      measured: null,
      pass: null,
      note: '',
    };
    const bound = limit?.available ? limitFor(limit, limitFamilyOf['onnx-node'], 1) : undefined;
    const broken = limit?.violations.filter((v) => v.family === limitFamilyOf['onnx-node']) ?? [];
    if (!ok(ours) || ours.costs === null) target.note = missing(ours, 'ResNet-50 on onnx-node');
    else if (bound === undefined) target.note = `the machine limit was not measured: ${limit?.reason ?? 'machineLimit is disabled in the config'}`;
    else if (broken.length) {
      target.measured = 'limit invalid';
      target.note = `the limit is not a limit: ${broken.map((v) => `${v.cell} ran at ${gmac(v.macsPerSecond)} > ${gmac(v.limitMacsPerSecond)}`).join('; ')}`;
    } else {
      const limitMs = (ours.costs.macs / bound.macsPerSecond) * 1000;
      const ratio = ours.latencyMs!.median / limitMs;
      target.measured = `${ratio.toFixed(2)}x (${ours.latencyMs!.median.toFixed(1)} ms vs ${limitMs.toFixed(1)} ms = ${(ours.costs.macs / 1e9).toFixed(2)} GMAC at ${gmac(bound.macsPerSecond)}, ${bound.kernel})`;
      target.pass = ratio <= machineLimitFactor;
      target.note = 'the limit is the fastest run of the fastest kernel at 1 thread; the network its median run';
    }
    targets.push(target);
  }

  // 3. ECA on ResNet-50, per backend, thread count and batch: at most the paper's +2.8% latency,
  // and conclusively cheaper than SE.
  for (const eca of cells.filter((c) => ok(c) && c.modelSource === 'zoo:resnet50' && c.attention === 'eca' && c.variant !== 'predict')) {
    const where = `${eca.backend}${eca.variant === 'default' ? '' : ` ${eca.variant}`}, ${eca.batchSize}x${eca.inputSize}, ${eca.threads} thread${eca.threads === 1 ? '' : 's'}`;
    const overheadTarget: TargetResult = {
      id: `eca-overhead-${eca.backend}-${eca.model}-b${eca.batchSize}-t${eca.threads}`,
      description: `${where}: ECA adds at most ${ecaOverheadLimitPercent}% latency to ${eca.model} (the paper's 2.7% of throughput)`,
      threshold: `<= +${ecaOverheadLimitPercent}%`,
      measured: null,
      pass: null,
      note: '',
    };
    if (eca.overhead === null) overheadTarget.note = missing(undefined, `plain ${eca.model} on ${where}`);
    else {
      const { percent, ci95Percent, pairedRounds, ratioOfMedians } = eca.overhead;
      overheadTarget.measured = `${signed(percent)}% [95% CI ${signed(ci95Percent[0])}, ${signed(ci95Percent[1])}]; ratio of medians ${signed((ratioOfMedians - 1) * 100)}%`;
      overheadTarget.pass = percent <= ecaOverheadLimitPercent;
      overheadTarget.conclusive = !(ci95Percent[0] <= ecaOverheadLimitPercent && ci95Percent[1] > ecaOverheadLimitPercent);
      overheadTarget.ratioBasis = pairedRounds > 0 ? 'median of paired per-turn ratios' : 'ratio of medians';
      overheadTarget.ratioOfMedians = ratioOfMedians;
      overheadTarget.note = `verdict on the ${pairing(pairedRounds)}; CI by bootstrap over turns${overheadTarget.conclusive ? '' : '; inconclusive: the 95% interval spans the threshold'}`;
    }
    targets.push(overheadTarget);

    const se = cells.find((c) => c.model === eca.model && c.attention === 'se' && c.backend === eca.backend && c.variant === eca.variant && c.inputSize === eca.inputSize && c.batchSize === eca.batchSize && c.threads === eca.threads);
    const versus: TargetResult = {
      id: `eca-below-se-${eca.backend}-${eca.model}-b${eca.batchSize}-t${eca.threads}`,
      description: `${where}: ECA conclusively cheaper than SE on ${eca.model} (ECA / SE latency < 1, 95% CI below 1)`,
      threshold: '< 1, CI < 1',
      measured: null,
      pass: null,
      note: '',
    };
    const comparison = ok(se) ? compareEcaWithSe(eca, se) : undefined;
    if (comparison === undefined) versus.note = missing(se, `${eca.model} + se on ${where}`);
    else {
      versus.measured = `${comparison.ratio.toFixed(3)} [95% CI ${comparison.low.toFixed(3)}, ${comparison.high.toFixed(3)}]; ratio of medians ${comparison.ratioOfMedians.toFixed(3)}`;
      versus.pass = comparison.high < 1;
      versus.conclusive = comparison.high < 1 || comparison.low >= 1;
      versus.ratioBasis = comparison.pairedRounds > 0 ? 'median of paired per-turn ratios' : 'ratio of medians';
      versus.ratioOfMedians = comparison.ratioOfMedians;
      versus.note = `verdict on the ${pairing(comparison.pairedRounds)} of ECA's and SE's runs${versus.conclusive ? '' : '; inconclusive: the 95% interval contains 1'}`;
    }
    targets.push(versus);
  }
  return targets;
}

/** ECA's latency over SE's in one group: paired per turn, with the ratio of medians beside it. */
export function compareEcaWithSe(eca: CellResult, se: CellResult): { ratio: number; low: number; high: number; pairedRounds: number; ratioOfMedians: number } {
  return { ...pairedRatio(eca, se), ratioOfMedians: eca.latencyMs!.median / se.latencyMs!.median };
}

/** One line per (model, backend, variant, threads, batch) with both ECA and SE measured. */
export interface EcaSeLine {
  model: string;
  backend: string;
  batchSize: number;
  inputSize: number;
  threads: number;
  eca: NonNullable<CellResult['overhead']>;
  se: NonNullable<CellResult['overhead']>;
  ecaOverSe: ReturnType<typeof compareEcaWithSe>;
  /** ECA / SE < 1 with the 95% interval below 1. */
  conclusivelyCheaper: boolean;
}

export function ecaVersusSe(cells: readonly CellResult[]): EcaSeLine[] {
  const lines: EcaSeLine[] = [];
  for (const eca of cells.filter((c) => ok(c) && c.attention === 'eca' && c.overhead !== null && c.variant !== 'predict')) {
    const se = cells.find((c) => c.model === eca.model && c.attention === 'se' && c.backend === eca.backend && c.variant === eca.variant && c.inputSize === eca.inputSize && c.batchSize === eca.batchSize && c.threads === eca.threads);
    if (!ok(se) || se.overhead === null) continue;
    const ecaOverSe = compareEcaWithSe(eca, se);
    lines.push({
      model: eca.model,
      backend: eca.variant === 'default' ? eca.backend : `${eca.backend} ${eca.variant}`,
      batchSize: eca.batchSize,
      inputSize: eca.inputSize,
      threads: eca.threads,
      eca: eca.overhead!,
      se: se.overhead,
      ecaOverSe,
      conclusivelyCheaper: ecaOverSe.high < 1,
    });
  }
  return lines;
}

/** The paper's ResNet-50 GPU throughput costs as added latency: 1 / (1 - cost) - 1. */
export const paperLatencyPercent = (throughputCost: number) => (1 / (1 - throughputCost / 100) - 1) * 100;

/** One line of text per EcaSeLine, for the terminal and the report. */
export function formatEcaSeLine(line: EcaSeLine): string {
  const percent = (o: EcaSeLine['eca']) => `${signed(o.percent)}% [${signed(o.ci95Percent[0])}, ${signed(o.ci95Percent[1])}]`;
  const { ratio, low, high, ratioOfMedians } = line.ecaOverSe;
  const verdictText = line.conclusivelyCheaper ? 'ECA < SE conclusively' : low >= 1 ? 'ECA > SE conclusively' : 'ECA < SE not shown (interval contains 1)';
  return (
    `${line.model} ${line.backend} ${line.batchSize}x${line.inputSize} ${line.threads}t: ECA ${percent(line.eca)}, SE ${percent(line.se)}; ` +
    `ECA/SE ${ratio.toFixed(3)} [${low.toFixed(3)}, ${high.toFixed(3)}] (ratio of medians ${ratioOfMedians.toFixed(3)}): ${verdictText}; ` +
    `paper (ResNet-50, GPU throughput): ECA +${paperLatencyPercent(paperThroughput.costPercent.eca).toFixed(1)}%, SE +${paperLatencyPercent(paperThroughput.costPercent.se).toFixed(1)}%`
  );
}

const gmac = (macsPerSecond: number) => `${(macsPerSecond / 1e9).toFixed(1)} GMAC/s`;

/** How a ratio was estimated (see pairedRatio). */
function pairing(pairedRounds: number): string {
  return pairedRounds > 0 ? `median of ${pairedRounds} per-turn ratios (paired)` : 'ratio of medians (too few shared turns to pair)';
}

export function signed(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}
