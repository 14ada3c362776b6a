import { type BenchResults, type CellResult, verdict } from './bench-results.js';
import { signed } from './bench-targets.js';

/** Column text of one cell, shared by the terminal table and the Markdown report. */
export function cellColumns(c: CellResult): Record<string, string> {
  const l = c.latencyMs;
  const ms = (v: number | undefined) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
  return {
    model: c.model,
    attention: c.attention,
    backend: c.variant === 'default' ? c.backend : `${c.backend} ${c.variant}`,
    input: `${c.batchSize}x${c.inputSize}`,
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
  const numeric = new Set(['params', 'params M', 'GMACs', 'GFLOPs bin', 'median ms', 'p90 ms', 'p99 ms', 'min ms', 'n', 'IQR %', 'overhead', 'rel L2']);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric.has(headers[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(headers.map((h) => r[h])))].join('\n')}\n`;
}

/** Pass / fail lines of the targets, for the terminal. */
export function formatTargets(results: BenchResults): string {
  return `${results.targets
    .map((t) => `${t.pass === null ? 'n/a ' : verdict(t)}  ${t.description}: ${t.measured ?? t.note}`)
    .join('\n')}\n`;
}
