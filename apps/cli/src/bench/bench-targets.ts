import type { BenchResults, CellResult, TargetResult } from './bench-results.js';
import { pairedRatio } from './latency-statistics.js';

/** The performance targets, judged on what this run measured, pass or fail as it is. */
export const ecaOverheadLimits: Record<string, number> = { 'onnx-node': 1.5, 'onnx-wasm': 1.5, 'tfjs-wasm': 3 };
export const torchExportLimit = 1.02;
export const machineLimitFactor = 1.2;
export const fastPathSpeedup = 1.3;

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
    find((c) => c.model === model && c.attention === 'none' && c.backend === backend && c.variant === variant && c.inputSize === 224 && c.batchSize === 1);
  const zooModels = [...new Set(cells.filter((c) => c.modelSource.startsWith('zoo:')).map((c) => c.model))];

  // 1. Our emitted ResNet-50 against a torch.onnx.export of the same network, on onnx-node.
  {
    const ours = find((c) => c.modelSource === 'zoo:resnet50' && c.attention === 'none' && c.backend === 'onnx-node' && c.inputSize === 224 && c.batchSize === 1);
    const torchCells = cells.filter((c) => c.sameNetworkAs === 'resnet50' && c.attention === 'none' && c.backend === 'onnx-node' && c.inputSize === 224 && c.batchSize === 1);
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
      target.measured = `${ratio.toFixed(3)}x [95% CI ${low.toFixed(3)}, ${high.toFixed(3)}] (${ours.latencyMs!.median.toFixed(1)} ms, ${spread(ours)} vs ${torch.latencyMs!.median.toFixed(1)} ms, ${spread(torch)})`;
      target.pass = ratio <= torchExportLimit;
      const together = ours.group !== undefined && ours.group === torch.group;
      const notes = [together ? `${pairing(pairedRounds)}, interleaved in one group (${ours.group})` : `${pairing(pairedRounds)}; the two models were measured in different groups (not interleaved with each other)`];
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

  // 2. Our ResNet-50 against the machine's limit: its MACs at the measured MatMul rate.
  {
    const ours = plain('resnet50', 'onnx-node');
    const limit = results.machineLimit;
    const target: TargetResult = {
      id: 'onnx-node-vs-machine-limit',
      description: "onnx-node: ResNet-50 (224, batch 1) within 1.2x of the machine's limit (its MACs at the fp32 MatMul rate measured here)",
      threshold: `<= ${machineLimitFactor}x`,
      measured: null,
      pass: null,
      note: '',
    };
    if (!ok(ours) || ours.costs === null) target.note = missing(ours, 'ResNet-50 on onnx-node');
    else if (!limit?.available || limit.macsPerSecond === undefined) target.note = `the MatMul rate was not measured: ${limit?.reason ?? 'machineLimit is disabled in the config'}`;
    else {
      const limitMs = (ours.costs.macs / limit.macsPerSecond) * 1000;
      const ratio = ours.latencyMs!.median / limitMs;
      target.measured = `${ratio.toFixed(3)}x (${ours.latencyMs!.median.toFixed(1)} ms vs ${limitMs.toFixed(1)} ms = ${(ours.costs.macs / 1e9).toFixed(2)} GMAC at ${(limit.macsPerSecond / 1e9).toFixed(1)} GMAC/s)`;
      target.pass = ratio <= machineLimitFactor;
      target.note = limit.method;
    }
    targets.push(target);
  }

  // 3. ECA's overhead over the plain network, per backend and model.
  for (const [backend, limit] of Object.entries(ecaOverheadLimits)) {
    for (const model of zooModels) {
      const variant = backend.startsWith('tfjs-') ? 'fast' : 'default';
      const eca = find((c) => c.model === model && c.attention === 'eca' && c.backend === backend && c.variant === variant && c.inputSize === 224 && c.batchSize === 1);
      const target: TargetResult = {
        id: `eca-overhead-${backend}-${model}`,
        description: `${backend}: ECA adds at most ${limit}% latency to ${model} (224, batch 1)`,
        threshold: `<= ${limit}%`,
        measured: null,
        pass: null,
        note: '',
      };
      if (!ok(eca)) target.note = missing(eca, `${model} + eca on ${backend}`);
      else if (eca.overhead === null) target.note = missing(plain(model, backend, variant), `plain ${model} on ${backend}`);
      else {
        const { percent, ci95Percent, pairedRounds } = eca.overhead;
        target.measured = `${signed(percent)}% (95% CI ${signed(ci95Percent[0])}% .. ${signed(ci95Percent[1])}%)`;
        target.pass = percent <= limit;
        const straddles = ci95Percent[0] <= limit && ci95Percent[1] > limit;
        target.conclusive = !straddles;
        target.note = `${pairing(pairedRounds)}, interleaved in one group; CI by bootstrap${straddles ? '; inconclusive: the 95% interval spans the threshold' : ''}`;
      }
      targets.push(target);
    }
  }

  // 4. tfjs-wasm: compileInference's fast path against LayersModel.predict.
  for (const model of zooModels) {
    const fast = plain(model, 'tfjs-wasm', 'fast');
    const predict = plain(model, 'tfjs-wasm', 'predict');
    const target: TargetResult = {
      id: `tfjs-wasm-fast-path-${model}`,
      description: `tfjs-wasm: compileInference at least 1.3x faster than LayersModel.predict on ${model} (224, batch 1)`,
      threshold: `>= ${fastPathSpeedup}x`,
      measured: null,
      pass: null,
      note: '',
    };
    if (!ok(fast)) target.note = missing(fast, `${model} on tfjs-wasm (fast path)`);
    else if (!ok(predict)) target.note = missing(predict, `${model} on tfjs-wasm (predict)`);
    else {
      const { ratio: speedup, low, high, pairedRounds } = pairedRatio(predict, fast);
      target.measured = `${speedup.toFixed(2)}x [95% CI ${low.toFixed(2)}, ${high.toFixed(2)}] (${predict.latencyMs!.median.toFixed(1)} ms vs ${fast.latencyMs!.median.toFixed(1)} ms)`;
      target.pass = speedup >= fastPathSpeedup;
      const straddles = low < fastPathSpeedup && high >= fastPathSpeedup;
      target.conclusive = !straddles;
      target.note = `${pairing(pairedRounds)}, interleaved in one group${straddles ? '; inconclusive: the 95% interval spans the threshold' : ''}`;
    }
    targets.push(target);
  }
  return targets;
}

/** How a ratio was estimated (see pairedRatio). */
function pairing(pairedRounds: number): string {
  return pairedRounds > 0 ? `median of ${pairedRounds} per-turn ratios (paired)` : 'ratio of medians (too few shared turns to pair)';
}

export function signed(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}
