import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { BenchResults } from './bench-results.js';
import { chartFiles, renderMarkdownReport } from './markdown-report.js';
import { renderLatencyBubbleChart, renderOverheadChart } from './svg-charts.js';

export const resultFiles = { json: 'results.json', report: 'report.md', ...chartFiles } as const;

/** `bench-results/2026-11-30T01-02-03` under the working directory. */
export function defaultOutputDirectory(now = new Date()): string {
  return resolve('bench-results', now.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, ''));
}

/**
 * Writes results.json, report.md and the two charts. Everything is rendered first and written
 * into a sibling temporary folder that is renamed into place, so a failure leaves nothing half
 * written.
 */
export async function writeBenchResults(directory: string, results: BenchResults): Promise<string[]> {
  const files: Record<string, string> = {
    [resultFiles.json]: `${JSON.stringify(results, null, 2)}\n`,
    [resultFiles.report]: renderMarkdownReport(results),
    [resultFiles.latency]: renderLatencyBubbleChart(results),
    [resultFiles.overhead]: renderOverheadChart(results),
  };
  const target = resolve(directory);
  await mkdir(dirname(target), { recursive: true });
  const staging = `${target}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(join(staging, name), content);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return Object.keys(files).map((name) => join(target, name));
}
