/**
 * The benchmark in the page: the CLI's engine (`runBenchmark`: warm-up, round-robin turns,
 * paired overheads, agreement, verdicts) over the browser backends, with a progress bar, the
 * CLI's table columns and charts, the paper's overheads beside ours, and `results.json` in the
 * CLI's format for download.
 */
import type { BenchConfig } from '../../cli/src/bench/bench-config.js';
import { type BenchResults, verdict } from '../../cli/src/bench/bench-results.js';
import { signed } from '../../cli/src/bench/bench-targets.js';
import { paperThroughput, throughputCostPercent } from '../../cli/src/bench/paper-results.js';
import { cellColumns } from '../../cli/src/bench/results-table.js';
import { runBenchmark } from '../../cli/src/bench/run-benchmark.js';
import { renderLatencyBubbleChart, renderOverheadChart } from '../../cli/src/bench/svg-charts.js';
import { createBrowserBackends } from './browser-backends.js';
import { element } from './dom.js';

const columns = ['model', 'attention', 'backend', 'input', 'params M', 'GMACs', 'median ms', 'p90 ms', 'n', 'overhead', 'rel L2', 'status'];

export interface BenchView {
  run(config: BenchConfig): Promise<BenchResults>;
}

/** The first logits a runner recorded (browser-backends.ts), as numbers. */
export function firstLogits(notes: readonly string[] | undefined): string {
  return notes?.find((n) => n.startsWith('first logits: '))?.slice('first logits: '.length) ?? '';
}

export function createBenchView(root: HTMLElement): BenchView {
  const progress = element('progress', { max: 1, value: 0, id: 'bench-progress' });
  const progressLabel = element('label', { htmlFor: 'bench-progress', textContent: 'Not started' });
  const targets = element('ul', { className: 'targets' });
  const tableHolder = element('div', { className: 'table-scroll' });
  tableHolder.tabIndex = 0;
  tableHolder.setAttribute('role', 'region');
  tableHolder.setAttribute('aria-label', 'Results table (scrolls sideways)');
  const charts = element('div', { className: 'charts' });
  const download = element('a', { textContent: 'Download results.json', className: 'button disabled', download: 'results.json' });
  download.setAttribute('aria-disabled', 'true');
  root.append(element('div', { className: 'progress' }, progressLabel, progress), targets, tableHolder, charts, download);

  let previousUrl: string | undefined;
  return {
    async run(config) {
      globalThis.attnkitHeapBytes ??= () => (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
      progress.value = 0;
      tableHolder.replaceChildren();
      charts.replaceChildren();
      targets.replaceChildren();
      const results = await runBenchmark(config, {
        backends: createBrowserBackends() as never,
        onProgress(p) {
          progress.max = p.total || 1;
          progress.value = p.done;
          progressLabel.textContent = `${p.phase}${p.cell ? `: ${p.cell}` : ''} (${Math.round((100 * p.done) / (p.total || 1))}%)`;
        },
      });
      progressLabel.textContent = `Done in ${results.durationSeconds.toFixed(1)} s`;
      renderTable(results);
      renderTargets(results);
      charts.innerHTML = `<figure><figcaption>Latency per module and backend (x: parameters, y: median ms)</figcaption>${renderLatencyBubbleChart(results)}</figure><figure><figcaption>Overhead over the plain network, beside the paper's GPU throughput cost</figcaption>${renderOverheadChart(results)}</figure>`;
      if (previousUrl) URL.revokeObjectURL(previousUrl);
      previousUrl = URL.createObjectURL(new Blob([`${JSON.stringify(results, null, 2)}\n`], { type: 'application/json' }));
      download.href = previousUrl;
      download.classList.remove('disabled');
      download.removeAttribute('aria-disabled');
      return results;
    },
  };

  function renderTable(results: BenchResults) {
    const head = element('tr', {}, ...[...columns, 'paper cost', 'first logits'].map((c) => element('th', { scope: 'col', textContent: c })));
    const rows = results.cells.map((cell) => {
      const text = cellColumns(cell);
      const paper = paperThroughput.costPercent[cell.attention];
      const ours = cell.overhead ? ` (ours ${signed(throughputCostPercent(cell.overhead.ratio))}%)` : '';
      const row = element('tr', {}, ...columns.map((c) => element('td', { textContent: text[c] ?? '' })), element('td', { textContent: paper === undefined ? '' : `${paper}%${ours}` }), element('td', { className: 'logits', textContent: firstLogits(cell.runtime?.notes) }));
      row.dataset.cell = cell.id;
      return row;
    });
    const table = element('table', { className: 'results' }, element('caption', { textContent: `${results.cells.length} cells; paper cost: the share of GPU throughput the paper lost (${paperThroughput.hardware})` }), element('thead', {}, head), element('tbody', {}, ...rows));
    tableHolder.replaceChildren(table);
  }

  function renderTargets(results: BenchResults) {
    targets.replaceChildren(...results.targets.filter((t) => t.pass !== null).map((t) => element('li', {}, element('strong', { textContent: verdict(t) }), ` ${t.description}: ${t.measured}`)));
  }
}

declare global {
  var attnkitHeapBytes: (() => number) | undefined;
}
