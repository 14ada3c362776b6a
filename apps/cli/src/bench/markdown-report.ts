import { type BenchResults, type CellResult, verdict } from './bench-results.js';
import { ecaVersusSe, paperLatencyPercent, signed } from './bench-targets.js';
import { catalogTable } from './catalog-table.js';
import { paperModels, paperThroughput, throughputCostPercent } from './paper-results.js';
import { cellColumns, formatMachineLimit } from './results-table.js';

export const chartFiles = { latency: 'latency-vs-parameters.svg', overhead: 'overhead-per-backend.svg' } as const;

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

function table(headers: string[], rows: string[][]): string {
  const escapeCell = (v: string) => v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`)].join('\n');
}

/** The readable report: targets, the paper beside us, every cell, agreement, memory, environment. */
export function renderMarkdownReport(results: BenchResults): string {
  const out: string[] = [];
  const { environment: env } = results;
  out.push('# attnkit bench report', '');
  out.push(
    `Run ${results.startedAt} (${results.durationSeconds.toFixed(0)} s) on ${env.cpuModel} (${env.logicalCores} logical cores, SIMD ${env.cpuSimd.join(', ') || 'unknown'}), ` +
      `Node ${env.node}, threads asked for: ${Object.entries(results.config.threads).map(([backend, counts]) => `${backend} ${counts.join('/')}`).join(', ')}. Config: \`${results.config.source}\`, seed ${results.config.seed}.`,
    '',
  );

  out.push('## Targets', '');
  out.push(
    table(
      ['target', 'threshold', 'measured', 'verdict uses', 'ratio of medians', 'result', 'note'],
      results.targets.map((t) => [t.description, t.threshold, t.measured ?? '-', t.ratioBasis ?? '-', t.ratioOfMedians === undefined ? '-' : t.ratioOfMedians.toFixed(3), verdict(t), t.note]),
    ),
    '',
  );
  const ecaSe = ecaVersusSe(results.cells);
  if (ecaSe.length) {
    out.push('## ECA against SE', '');
    out.push(
      'Per backend, thread count and batch: the added latency of ECA and of SE over the plain network (median of paired per-turn ratios, 95% bootstrap interval), and ECA\'s latency over SE\'s paired the same way (ratio of medians beside it). ' +
        `The paper (ResNet-50, GPU throughput) has ECA at 2.7% and SE at 12.7% of throughput, that is +${paperLatencyPercent(paperThroughput.costPercent.eca).toFixed(1)}% and +${paperLatencyPercent(paperThroughput.costPercent.se).toFixed(1)}% latency.`,
      '',
    );
    out.push(
      table(
        ['model', 'backend', 'input', 'threads', 'ECA added', 'SE added', 'ECA / SE [95% CI]', 'ratio of medians', 'ECA < SE'],
        ecaSe.map((l) => [
          l.model,
          l.backend,
          `${l.batchSize}x${l.inputSize}`,
          String(l.threads),
          `${signed(l.eca.percent)}% [${signed(l.eca.ci95Percent[0])}, ${signed(l.eca.ci95Percent[1])}]`,
          `${signed(l.se.percent)}% [${signed(l.se.ci95Percent[0])}, ${signed(l.se.ci95Percent[1])}]`,
          `${l.ecaOverSe.ratio.toFixed(3)} [${l.ecaOverSe.low.toFixed(3)}, ${l.ecaOverSe.high.toFixed(3)}]`,
          l.ecaOverSe.ratioOfMedians.toFixed(3),
          l.conclusivelyCheaper ? 'yes, conclusively' : l.ecaOverSe.low >= 1 ? 'no, conclusively' : 'not shown',
        ]),
      ),
      '',
    );
  }

  out.push('## Overhead beside the paper', '');
  out.push(
    `The paper reports inference throughput of ResNet-50 on ${paperThroughput.hardware} (plain ${paperThroughput.framesPerSecond.none} FPS): ` +
      'ECA costs 2.7% of it, SE 12.7%, CBAM 34.6%. Ours is the latency ratio on one CPU backend at batch 1 (median of per-turn ratios of runs made back to back), shown both as added latency ' +
      'and as the paper\'s measure, the share of throughput lost (1 - 1/ratio).',
    '',
  );
  const overheadRows: string[][] = [];
  for (const c of results.cells.filter((cell) => cell.overhead !== null)) {
    const paper = paperThroughput.costPercent[c.attention];
    overheadRows.push([
      c.model,
      c.attention,
      cellColumns(c).backend,
      `${c.batchSize}x${c.inputSize}`,
      String(c.threads),
      `${signed(c.overhead!.percent, 2)}% [${signed(c.overhead!.ci95Percent[0])}, ${signed(c.overhead!.ci95Percent[1])}]`,
      `${signed((c.overhead!.ratioOfMedians - 1) * 100, 2)}%`,
      `${throughputCostPercent(c.overhead!.ratio).toFixed(1)}%`,
      paper === undefined ? '-' : `${paper}% (ResNet-50, GPU)`,
    ]);
  }
  out.push(overheadRows.length ? table(['model', 'module', 'backend', 'input', 'threads', 'added latency [95% CI] (median of per-turn ratios)', 'ratio of medians', 'throughput cost', 'paper'], overheadRows) : '(no overhead measured)', '');

  const catalog = catalogTable(results);
  out.push('## The module catalog', '', catalog.intro, '', table(catalog.headers, catalog.rows), '');

  out.push('## Parameters and FLOPs in the paper\'s units', '');
  out.push(
    'Exact counts from the traced graph (core `countCosts`): parameters in the PyTorch convention (BatchNorm running statistics are buffers), ' +
      'MACs of Conv2d, Linear and the channel conv, and thop-style FLOPs (conv/linear MACs + bias, 4 per BatchNorm element, 1 per ReLU element, ' +
      'H*W+1 per average-pooled output, kernel size per max-pooled output). Binary units as the paper prints them: parameters / 1024^2, FLOPs / 1024^3. ' +
      'Model files are counted from the model itself (column "counted from"): an `.onnx` file\'s parameters are its float initializers\' elements (an export has BatchNorm folded: ' +
      'a conv bias per folded BatchNorm instead of its weight and bias, so a ResNet counts the sum of its BatchNorm channels fewer than PyTorch), a tfjs model\'s its trainable weights ' +
      '(BatchNorm moving statistics are buffers); MACs of Conv / Gemm / MatMul nodes (shapes by @attnkit/onnx `inferShapes`) or Conv2D / DepthwiseConv2D / Dense layers at the cell\'s input; ' +
      'FLOPs thop-style per node or layer call (every ReLU counted, BatchNorm folded in an .onnx), so they are not the paper\'s thop of the PyTorch module; ' +
      'inserted modules are counted by core, each traced alone at its insertion point\'s shape.',
    '',
  );
  const costRows: string[][] = [];
  const seen = new Set<string>();
  for (const c of results.cells) {
    const key = `${c.model}|${c.attention}|${c.inputSize}|${c.batchSize}`;
    if (c.costs === null || seen.has(key)) continue;
    seen.add(key);
    const backbone = c.modelSource.startsWith('zoo:') ? c.modelSource.slice(4) : undefined;
    const paper = backbone && c.inputSize === 224 && c.batchSize === 1 ? paperModels[backbone]?.[c.attention] : undefined;
    costRows.push([
      c.model,
      c.costs.source,
      c.attention,
      `${c.batchSize}x${c.inputSize}`,
      c.costs.parameters.toLocaleString('en-US'),
      `${c.costs.parametersBinaryM.toFixed(2)}M`,
      paper?.parametersBinaryM === undefined ? '-' : `${paper.parametersBinaryM.toFixed(2)}M`,
      c.costs.macs.toLocaleString('en-US'),
      `${c.costs.flopsBinaryG >= 1 ? `${c.costs.flopsBinaryG.toFixed(2)}G` : `${(c.costs.flopsBinaryG * 1024).toFixed(1)}M`}`,
      paper?.flopsPrinted ?? '-',
      paper?.top1 === undefined ? '-' : paper.top1.toFixed(2),
      c.costs.kernelSizes ? [...new Set(Object.values(c.costs.kernelSizes))].join('/') : '-',
    ]);
  }
  out.push(
    costRows.length
      ? table(['model', 'counted from', 'module', 'input', 'parameters', 'params (bin)', 'paper params', 'MACs', 'FLOPs (bin)', 'paper FLOPs', 'paper top-1', 'ECA k'], costRows)
      : '(no counted models)',
    '',
  );

  const uncounted = [...new Map(results.cells.filter((c) => c.costs === null && c.costsNote).map((c) => [`${c.model}|${c.attention}`, c])).values()];
  if (uncounted.length) out.push('Not counted:', '', ...uncounted.map((c) => `- ${c.model} + ${c.attention}: ${c.costsNote}`), '');

  const inserted = [...new Map(results.cells.filter((c) => c.insertions?.length).map((c) => [`${c.model}|${c.attention}|${c.inputSize}|${c.batchSize}`, c])).values()];
  if (inserted.length) {
    out.push('## Attention inserted into model files', '');
    out.push(
      'What the package\'s `insertAttention` put where (full list per cell in `results.json`, `insertions`): the number of modules, their parameters and MACs (each traced alone by core at the shape it reads), the channels and kernel sizes.',
      '',
    );
    const rows = inserted.map((c) => {
      const list = c.insertions!;
      const ks = [...new Set(list.flatMap((i) => (i.kernelSize === undefined ? [] : [i.kernelSize])))];
      const channels = [...new Set(list.map((i) => i.channels))];
      return [
        c.model,
        c.attention,
        `${c.batchSize}x${c.inputSize}`,
        String(list.length),
        list.reduce((n, i) => n + i.parameters, 0).toLocaleString('en-US'),
        list.reduce((n, i) => n + i.macs, 0).toLocaleString('en-US'),
        channels.join('/'),
        ks.length ? ks.join('/') : '-',
        `${list[0].point} ... ${list[list.length - 1].point}`,
      ];
    });
    out.push(table(['model', 'module', 'input', 'modules', 'parameters', 'MACs', 'channels', 'k', 'points (first ... last)'], rows), '');
  }

  out.push('## Latency', '');
  out.push(
    'Milliseconds per inference after warm-up; median, p90, p99 and min of the timed runs; n runs; IQR % = interquartile range / median. ' +
      'tfjs rows: `fast` is compileInference (BatchNorm folded, fused conv+bias+activation), `predict` is LayersModel.predict on the same model.',
    '',
  );
  const columns = results.cells.map(cellColumns);
  const headers = ['model', 'attention', 'backend', 'input', 'threads', 'params M', 'GMACs', 'median ms', 'p90 ms', 'p99 ms', 'min ms', 'n', 'IQR %', 'GMAC/s', 'overhead', 'status'];
  out.push(table(headers, columns.map((c) => headers.map((h) => c[h]))), '');
  out.push(`![latency against parameters](${chartFiles.latency})`, '', `![overhead per backend](${chartFiles.overhead})`, '');

  out.push('## Numeric agreement across backends', '');
  out.push('Same weights (core `initializeWeights(graph, seed)`) and the same input (`randomTensor`) on every backend; outputs compared with the reference backend\'s.', '');
  const agreementRows = results.cells
    .filter((c) => c.agreement !== null && c.agreement.reference !== c.id)
    .map((c) => [c.model, c.attention, cellColumns(c).backend, c.agreement!.reference.split('/')[2], c.agreement!.maxAbs.toExponential(2), c.agreement!.relativeL2.toExponential(2)]);
  out.push(agreementRows.length ? table(['model', 'attention', 'backend', 'reference', 'max abs diff', 'relative L2'], agreementRows) : '(fewer than two backends produced outputs)', '');
  const sameNetworkCells = results.cells.filter((c) => c.weightsFrom !== undefined);
  if (sameNetworkCells.length) {
    out.push(
      `Weightless graphs filled with a zoo model's weights (\`weightsFrom\`): the same folded initializers our emitter writes for that model with seed ${results.config.seed}, matched by node name and input position; the output must equal our emitted model's on the same input.`,
      '',
    );
    const rows = sameNetworkCells.map((c) => {
      const check = c.sameNetwork;
      const verdict = check ? (check.pass ? `same network, same weights (< ${check.tolerance.toExponential(0)})` : `DIFFERENT (>= ${check.tolerance.toExponential(0)})`) : c.status === 'ok' ? 'not compared (no plain cell of that model ran)' : `did not run: ${c.reason ?? c.status}`;
      return [c.model, cellColumns(c).backend, c.weightsFrom!, check?.reference ?? '-', check ? check.maxAbs.toExponential(2) : '-', check ? check.relativeL2.toExponential(2) : '-', verdict];
    });
    out.push(table(['model', 'backend', 'weights from', 'compared with', 'max abs diff', 'relative L2', 'result'], rows), '');
  }

  out.push('## Schedule and memory', '');
  out.push(results.schedule, '');
  out.push('Process RSS is sampled after every run; it does not fall back between groups (WebAssembly memories cannot shrink and V8 keeps its heap), so a group\'s peak includes what earlier groups left.', '');
  out.push(table(['group', 'cells', 'RSS before', 'peak RSS', 'seconds'], results.groups.map((g) => [g.label, String(g.cells), mib(g.rssBeforeBytes), mib(g.rssPeakBytes), g.seconds.toFixed(1)])), '');
  const tfjsRows = results.cells.filter((c) => c.memory?.tfjs).map((c) => [c.id, String(c.memory!.tfjs!.tensors), mib(c.memory!.tfjs!.bytes)]);
  if (tfjsRows.length) out.push('tfjs memory after preparing each cell (tf.memory(); includes the other cells of its group that were alive):', '', table(['cell', 'tensors', 'bytes'], tfjsRows), '');

  out.push('## Machine limit', '');
  const limit = results.machineLimit;
  if (limit === null) out.push('Not measured (disabled in the config).', '');
  else if (!limit.available) out.push(`Not measured: ${limit.reason}.`, '');
  else {
    out.push(
      `Method: ${limit.method}. A cell's rate is its MACs over its median latency; a cell faster than its family's limit at its thread count makes that limit invalid, and the report says so instead of a ratio below 1. The theoretical peaks are estimates.`,
      '',
      formatMachineLimit(results).trimEnd().split('\n').map((line) => `- ${line}`).join('\n'),
      '',
      table(
        ['family', 'threads', 'kernel', 'MACs', 'runs', 'fastest ms', 'median ms', 'GMAC/s (fastest)', 'GMAC/s (median)'],
        limit.kernels.map((k) => [k.family, String(k.threads), k.kernel, k.macs.toLocaleString('en-US'), String(k.samples), k.fastestMilliseconds.toFixed(2), k.medianMilliseconds.toFixed(2), (k.macsPerSecond / 1e9).toFixed(1), (k.medianMacsPerSecond / 1e9).toFixed(1)]),
      ),
      '',
    );
    if (limit.failures.length) out.push(...limit.failures.map((f) => `- not timed: ${f.family}, ${f.threads} threads, ${f.kernel}: ${f.reason}`), '');
  }

  const notRun = results.cells.filter((c) => c.status !== 'ok');
  out.push('## Backends and cells that did not run', '');
  const backendLines = results.backends.map((b) => `- ${b.name}: ${b.available ? 'available' : `not available: ${b.reason}`}`);
  out.push(...backendLines, '');
  if (notRun.length) out.push(...notRun.map((c: CellResult) => `- ${c.id}: ${c.status}: ${c.reason ?? ''}`), '');

  out.push('## Environment', '');
  const runtimes = new Map<string, string>();
  for (const c of results.cells) if (c.runtime) runtimes.set(c.backend, `${c.runtime.runtime} ${c.runtime.version}, threads ${c.runtime.threads}, SIMD ${c.runtime.simd === null ? 'native' : c.runtime.simd ? 'yes' : 'no'}`);
  out.push(
    `- CPU: ${env.cpuModel}, ${env.logicalCores} logical cores, SIMD: ${env.cpuSimd.join(', ') || 'unknown'}; memory ${mib(env.totalMemoryBytes)}`,
    `- OS: ${env.os}; Node ${env.node}, V8 ${env.v8}; 1-minute load average at start ${env.loadAverageAtStart.toFixed(2)}${env.loadAverageAtStart > env.logicalCores ? ' (above the core count: other processes shared the CPU, so latencies are inflated and noisy)' : ''}`,
    `- packages: ${Object.entries(env.runtimes).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    ...[...runtimes].map(([backend, text]) => `- ${backend}: ${text}`),
    '',
  );
  return out.join('\n');
}
