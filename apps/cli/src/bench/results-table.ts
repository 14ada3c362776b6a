import { type BenchResults, type CellResult, verdict } from './bench-results.js';
import { ecaVersusSe, formatEcaSeLine, signed } from './bench-targets.js';

/** Column text of one cell, shared by the terminal table and the Markdown report. */
export function cellColumns(c: CellResult): Record<string, string> {
  const l = c.latencyMs;
  const ms = (v: number | undefined) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
  return {
    model: c.model,
    attention: c.attention,
    backend: c.variant === 'default' ? c.backend : `${c.backend} ${c.variant}`,
    input: `${c.batchSize}x${c.inputSize}`,
    threads: String(c.threads),
    params: c.costs ? c.costs.parameters.toLocaleString('en-US') : '',
    'params M': c.costs ? c.costs.parametersBinaryM.toFixed(2) : '',
    GMACs: c.costs ? (c.costs.macs / 1e9).toFixed(3) : '',
    'GFLOPs bin': c.costs ? c.costs.flopsBinaryG.toFixed(4) : '',
    'median ms': l ? ms(l.median) : '',
    'p90 ms': l ? ms(l.p90) : '',
    'p99 ms': l ? ms(l.p99) : '',
    'min ms': l ? ms(l.min) : '',
    n: l ? String(l.samples) : '',
    'IQR %': l ? (l.relativeSpread * 100).toFixed(1) : '',
    'GMAC/s': l && c.costs ? (c.costs.macs / l.median / 1e6).toFixed(1) : '',
    overhead: c.overhead ? `${signed(c.overhead.percent)}%` : '',
    'rel L2': c.agreement ? (c.agreement.reference === c.id ? 'ref' : c.agreement.relativeL2.toExponential(1)) : '',
    status: c.status === 'ok' ? 'ok' : `${c.status}: ${c.reason ?? ''}`,
  };
}

/** A plain-text table for the terminal, one row per cell. */
export function formatResultsTable(results: BenchResults, options: { maxReasonWidth?: number } = {}): string {
  const width = options.maxReasonWidth ?? 60;
  const rows = results.cells.map((c) => {
    const columns = cellColumns(c);
    if (columns.status.length > width) columns.status = `${columns.status.slice(0, width - 3)}...`;
    return columns;
  });
  if (rows.length === 0) return '(no cells)\n';
  const headers = Object.keys(rows[0]);
  const numeric = new Set(['threads', 'params', 'params M', 'GMACs', 'GFLOPs bin', 'median ms', 'p90 ms', 'p99 ms', 'min ms', 'n', 'IQR %', 'GMAC/s', 'overhead', 'rel L2']);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric.has(headers[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(headers.map((h) => r[h])))].join('\n')}\n`;
}

/** Pass / fail lines of the targets, for the terminal; a ratio verdict says which estimate it uses. */
export function formatTargets(results: BenchResults): string {
  return `${results.targets
    .map((t) => `${t.pass === null ? 'n/a ' : verdict(t)}  ${t.description}: ${t.measured ?? t.note}${t.measured !== null && t.ratioBasis ? ` (verdict on the ${t.ratioBasis})` : ''}`)
    .join('\n')}\n`;
}

/** The machine limit per runtime family and thread count, its fastest kernel and the estimate beside it. */
export function formatMachineLimit(results: Pick<BenchResults, 'machineLimit'>): string {
  const limit = results.machineLimit;
  if (limit === null) return 'machine limit: not measured (disabled in the config)\n';
  if (!limit.available) return `machine limit: not measured: ${limit.reason}\n`;
  const lines = limit.limits.map((l) => {
    const peak = limit.peaks.find((p) => p.family === l.family && p.threads === l.threads);
    const broken = limit.violations.filter((v) => v.family === l.family && v.threads === l.threads);
    const above = peak !== undefined && l.macsPerSecond > peak.macsPerSecond ? ', below what was measured: the core runs above that clock' : '';
    const peakText = peak ? `; theoretical peak ${(peak.macsPerSecond / 1e9).toFixed(1)} GMAC/s (${peak.derivation}${above})` : '';
    const validity = broken.length ? `; INVALID: ${broken.length} cell(s) ran faster, e.g. ${broken[0].cell} at ${(broken[0].macsPerSecond / 1e9).toFixed(1)} GMAC/s` : '; no cell ran faster';
    return `machine limit, ${l.family}, ${l.threads} thread${l.threads === 1 ? '' : 's'}: ${(l.macsPerSecond / 1e9).toFixed(1)} GMAC/s (${l.kernel}, fastest run)${validity}${peakText}`;
  });
  return `${lines.join('\n')}\n`;
}

/** ECA's and SE's overheads side by side, with whether ECA is conclusively cheaper. */
export function formatEcaVersusSe(results: Pick<BenchResults, 'cells'>): string {
  const lines = ecaVersusSe(results.cells).map(formatEcaSeLine);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
